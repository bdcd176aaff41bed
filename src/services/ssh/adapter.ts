// Remote hosts over SSH, agentless: each host's resources, processes, units, maintenance flag and
// logs, all through one shared connection per host.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { HostAdapter, HostControls, HostWatch } from '../host-adapter.js';
import type { MaintenanceControl } from '../../domain/maintenance.js';
import type { ConnectionState, HostConfig } from '../../domain/model.js';
import type { PollSource } from '../scheduler.js';
import { SshConnection, type ConnectionSettings } from './connection.js';
import { MAX_STDOUT } from './exec.js';
import { systemLogFollower } from './follower.js';
import { remoteShell } from './operator-command.js';
import { parseProcessProbe, parseResourceProbe, PROCESS_PROBE, ProbeError, ProcessRates, RESOURCE_PROBE, ResourceRates, sampleProcesses } from './probe.js';
import { remoteLogStreams } from './remote-logs.js';
import { collectRemoteServices, commandScript, type RemoteRun } from './services.js';
import { remoteMaintenanceFlag } from '../maintenance-flag.js';
import { remoteProcessControl } from '../process-signal.js';
import { unitControl } from '../systemd/control.js';
import { resolveTarget, type ResolveOptions } from './target.js';
import { isForwardTarget, isSafeRemotePath } from './validate.js';

export interface SshAdapterOptions {
  /** Accept and file the key of a host never seen before (StrictHostKeyChecking=accept-new); a changed key is still refused. */
  acceptNew?: boolean;
  /** known_hosts files to check besides OpenSSH's own (UserKnownHostsFile, GlobalKnownHostsFile). */
  knownHosts?: string[];
  /** An ssh config file to read instead of OpenSSH's defaults. */
  sshConfig?: string;
  /** The ssh binary used for `ssh -G`; null parses the config with the `ssh-config` package. Default: `ssh` when on PATH. */
  ssh?: string | null;
  /** Where `~` points. Default: the user's home. */
  home?: string;
  /** Private keys offered before the ones the ssh config names. */
  identityFiles?: string[];
  /** ssh-agent socket; false for none. Default: IdentityAgent from the ssh config, else $SSH_AUTH_SOCK. */
  agent?: string | false;
  connectTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Channels at once per connection, below the server's MaxSessions (default 10). */
  maxChannels?: number;
  /** Of which log followers may hold at most this many; more followers ride a further connection. */
  followerChannels?: number;
  /** Files followed through one channel. */
  filesPerFollower?: number;
  execTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  authRetryMs?: number;
}

/** The connection's own cap on a unit command; the operation's deadline is shorter. */
const UNIT_COMMAND_TIMEOUT_MS = 10 * 60_000;

export const SSH_DEFAULTS = {
  connectTimeoutMs: 10_000,
  keepaliveIntervalMs: 5000,
  keepaliveCountMax: 3,
  maxChannels: 8,
  followerChannels: 6,
  filesPerFollower: 40,
  execTimeoutMs: 30_000,
  backoff: { initialMs: 1000, maxMs: 30_000 },
  authRetryMs: 5 * 60_000,
} as const;

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** The maintenance source: the flag's content, null when it is not set; an unreadable flag or an unsafe path is an error, not "no maintenance". */
function maintenanceSource(path: string, flag: MaintenanceControl | undefined, timeoutMs: number): PollSource<string | null> {
  return {
    timeoutMs,
    collect: async (signal) => {
      if (!flag) throw new Error(`maintenance: ${JSON.stringify(path)} is not an absolute path`);
      return (await flag.read(signal)) ?? null;
    },
  };
}

/** Units and the maintenance flag through the host's connection. */
function hostControls(host: HostConfig, connection: SshConnection): HostControls {
  const flag = host.maintenance;
  return {
    // systemctl waits out a unit's own start and stop timeouts (90 s by default), past the probes' deadline: the operation bounds it.
    units: unitControl(host, (argv, signal) => connection.exec(commandScript(argv), signal, MAX_STDOUT, UNIT_COMMAND_TIMEOUT_MS)),
    processControl: remoteProcessControl(host.name, host.sudo, (script, signal) => connection.exec(script, signal)),
    maintenanceFlag: flag && isSafeRemotePath(flag) ? remoteMaintenanceFlag(host.name, flag, (script, signal) => connection.exec(script, signal)) : undefined,
    shell: remoteShell(connection),
  };
}

export class SshHostAdapter implements HostAdapter {
  private readonly connections = new Map<string, SshConnection>();
  /** Further connections per host for log followers past the first connection's channels. */
  private readonly logConnections = new Map<string, SshConnection[]>();
  private readonly settings: ConnectionSettings;
  private readonly filesPerFollower: number;
  private readonly resolveOptions: ResolveOptions;

  constructor(options: SshAdapterOptions = {}) {
    const home = options.home ?? homedir();
    this.resolveOptions = { ssh: options.ssh === undefined ? onPath('ssh') : options.ssh, configFile: options.sshConfig, home, agent: options.agent };
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? SSH_DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? SSH_DEFAULTS.keepaliveCountMax,
      maxChannels: options.maxChannels ?? SSH_DEFAULTS.maxChannels,
      followerChannels: options.followerChannels ?? Math.min(SSH_DEFAULTS.followerChannels, (options.maxChannels ?? SSH_DEFAULTS.maxChannels) - 2),
      execTimeoutMs: options.execTimeoutMs ?? SSH_DEFAULTS.execTimeoutMs,
      backoff: options.backoff ?? SSH_DEFAULTS.backoff,
      authRetryMs: options.authRetryMs ?? SSH_DEFAULTS.authRetryMs,
      extraKnownHosts: options.knownHosts ?? [],
      identityFiles: options.identityFiles ?? [],
      acceptNew: options.acceptNew ?? false,
    };
    this.filesPerFollower = options.filesPerFollower ?? SSH_DEFAULTS.filesPerFollower;
  }

  async watch(host: HostConfig, { timeoutMs }: { timeoutMs: number }): Promise<HostWatch> {
    this.closeHost(host.name);
    const connection = this.connect(host);
    const extra: SshConnection[] = [];
    this.logConnections.set(host.name, extra);
    // Follower channel n rides connection n / followerChannels: the host's own first, then extras made as needed.
    let logChannels = 0;
    const connectionFor = (n: number): SshConnection => {
      logChannels = Math.max(logChannels, n + 1);
      const which = Math.floor(n / this.settings.followerChannels);
      if (which === 0) return connection;
      while (extra.length < which) extra.push(this.open(host));
      return extra[which - 1]!;
    };

    // Each poll source has its own shell on the host, so a slow one (a hung systemctl) delays no other.
    const shellRun = (): RemoteRun => {
      const shell = connection.probeShell();
      return (script, signal) => shell.run(script, signal);
    };
    const runResources = shellRun();
    const runProcesses = shellRun();
    const runServices = shellRun();
    const rates = new ResourceRates();
    const processRates = new ProcessRates();
    const controls = hostControls(host, connection);
    const logStreams =
      host.logs === 'auto'
        ? [systemLogFollower(host.name, connection, host.sudo)]
        : remoteLogStreams(host.logs, { host: host.name, sudo: host.sudo, filesPerFollower: this.filesPerFollower, connectionFor });
    // A log opened on demand (a unit's journal from Services; one at a time) takes the channel after the configured ones.
    const onDemandChannel = logChannels;

    return {
      resources: {
        timeoutMs,
        collect: async (signal) => {
          const result = await runResources(RESOURCE_PROBE, signal);
          if (!result.stdout.includes('@end')) throw new ProbeError(`resource probe failed on ${host.name}: ${result.stderr.trim() || `exit code ${result.code}`}`);
          return rates.next(parseResourceProbe(result.stdout));
        },
      },
      processes: {
        refreshFactor: 2,
        minPeriodMs: 5000,
        timeoutMs,
        collect: (signal) => sampleProcesses(async () => parseProcessProbe((await runProcesses(PROCESS_PROBE, signal)).stdout), processRates),
        resume: () => processRates.forget(),
      },
      services: { timeoutMs, collect: (signal) => collectRemoteServices(runServices, host, signal) },
      // Read through a poll shell; set and cleared (controls) on channels of their own.
      maintenance: host.maintenance ? maintenanceSource(host.maintenance, isSafeRemotePath(host.maintenance) ? remoteMaintenanceFlag(host.name, host.maintenance, shellRun()) : undefined, timeoutMs) : undefined,
      ...controls,
      logStreams,
      followLog: (source) => remoteLogStreams([source], { host: host.name, sudo: host.sudo, filesPerFollower: 1, connectionFor: () => connectionFor(onDemandChannel) })[0]!,
      onConnection: (listener) => connection.onState(listener),
    };
  }

  /** The host's operation doors over its connection, which is opened now unless a watch already has it. */
  controls(host: HostConfig): HostControls {
    return hostControls(host, this.connections.get(host.name) ?? this.connect(host));
  }

  /** The host's own connection: the one its probes, controls and first followers use. */
  private connect(host: HostConfig): SshConnection {
    const connection = this.open(host);
    this.connections.set(host.name, connection);
    return connection;
  }

  private open(host: HostConfig): SshConnection {
    if (!host.ssh) throw new Error(`host ${host.name}: no ssh: address`);
    const connection = new SshConnection(host.name, host.ssh, (spec) => resolveTarget(spec, this.resolveOptions), this.settings);
    connection.start();
    return connection;
  }

  /** The operator accepted the host key shown with the refusal: file it in known_hosts and reconnect. */
  async trustHostKey(hostName: string): Promise<void> {
    const connection = this.connections.get(hostName);
    if (!connection) throw new Error(`${hostName}: not an SSH host being watched`);
    connection.trustOfferedKey();
    for (const extra of this.logConnections.get(hostName) ?? []) extra.reconnect();
  }

  /** Connect again now, without waiting for the backoff (after fixing a key or the ssh config). */
  reconnect(hostName: string): void {
    this.connections.get(hostName)?.reconnect();
    for (const extra of this.logConnections.get(hostName) ?? []) extra.reconnect();
  }

  /**
   * Opens streams to host:port as seen from a watched SSH host, over its shared connection (the
   * `via: HOST` tunnel for databases). The factory looks the host up at each call.
   */
  tunnel(hostName: string): (target: { host: string; port: number }, signal: AbortSignal) => Promise<Duplex> {
    return async ({ host, port }, signal) => {
      const connection = this.connections.get(hostName);
      if (!connection) throw new Error(`via ${hostName}: not an SSH host being watched`);
      if (!isForwardTarget(host) || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`via ${hostName}: ${JSON.stringify(`${host}:${port}`)} is not a host and port`);
      return connection.forward(host, port, signal);
    };
  }

  connectionState(hostName: string): ConnectionState | undefined {
    return this.connections.get(hostName)?.state;
  }

  private closeHost(hostName: string): void {
    this.connections.get(hostName)?.close();
    this.connections.delete(hostName);
    for (const extra of this.logConnections.get(hostName) ?? []) extra.close();
    this.logConnections.delete(hostName);
  }

  close(): void {
    for (const hostName of [...this.connections.keys()]) this.closeHost(hostName);
  }
}
