// One SSH connection per host, shared by every probe and log follower on it: connects (through jump
// hosts if configured), verifies the host key, keeps the connection alive, queues channels below
// MaxSessions and reconnects with capped exponential backoff and jitter.
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import type { ExecResult } from '../exec.js';
import { loadNodeSsh } from '../libraries.js';
import type { ConnectionState } from '../../domain/model.js';
import { authHandler, planAuth } from './auth.js';
import { ChannelSlots } from './channels.js';
import { coalescingConnection } from './coalescing-socket.js';
import { authFailed, describeFailure, handshakeStage, handshakeTimedOut, hostKeyRefused, isKeepaliveTimeout, type ConnectionFailure } from './errors.js';
import { openChannel, runOnChannel, MAX_STDOUT, type OpenedChannel } from './exec.js';
import { hostVerifier, type HostKeyDecision, type HostKeyPolicy } from './host-key.js';
import { addKnownHost, algorithmsForKeyType, entriesFor, knownHostsName } from './known-hosts.js';
import { HandshakeProgress } from './progress.js';
import { PROBE_SHELL, ProbeShell } from './probe-shell.js';
import type { SshTarget } from './target.js';

export interface ConnectionSettings {
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  /** Channels open at once on the connection, below the server's MaxSessions (10 by default). */
  maxChannels: number;
  /** Of which log followers may hold at most this many. */
  followerChannels: number;
  /** Deadline of one remote command when the caller's is longer or absent. */
  execTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  /** Retry after "auth failed" this rarely, below what fail2ban counts as an attack. */
  authRetryMs: number;
  /** known_hosts files checked besides OpenSSH's own. */
  extraKnownHosts: string[];
  /** Offered before the identity files the ssh config names. */
  identityFiles: string[];
  acceptNew: boolean;
}

/** Delay before retry number `failures` (1-based): doubling up to the cap, in [half, full] of it. */
export function backoffDelay(failures: number, backoff: ConnectionSettings['backoff'], random: () => number = Math.random): number {
  const full = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
  return full / 2 + (random() * full) / 2;
}

/** A host that is not connected: what a probe or follower reports instead of running. */
export class ConnectionDown extends Error {
  override name = 'ConnectionDown';
  constructor(readonly state: ConnectionState) {
    super(state.error ?? state.status);
  }
}

class ConnectFailure extends Error {
  constructor(
    readonly failure: ConnectionFailure,
    readonly refusal?: { decision: Extract<HostKeyDecision, { accepted: false }>; policy: HostKeyPolicy },
  ) {
    super(failure.error);
  }
}

interface Live {
  client: Client;
  hops: Client[];
  slots: ChannelSlots;
  generation: number;
  /** When the host last sent anything on this connection. */
  heard: () => number;
}

export type ResolveTarget = (spec: string) => Promise<SshTarget>;

const SERVER_HOST_KEY_DEFAULTS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

function policyFor(target: SshTarget, settings: ConnectionSettings): HostKeyPolicy {
  const files = [...target.knownHostsFiles, ...settings.extraKnownHosts];
  return {
    name: target.hostKeyAlias ?? knownHostsName(target.host, target.port),
    files,
    trustFile: target.knownHostsFiles[0] ?? settings.extraKnownHosts[0] ?? '',
    acceptNew: settings.acceptNew || target.acceptNew,
    hashNewEntries: target.hashKnownHosts,
  };
}

/** Known key types first, so a host with several keys offers the one on file (as OpenSSH does). */
function hostKeyAlgorithms(policy: HostKeyPolicy): string[] {
  let known: string[] = [];
  try {
    known = entriesFor(policy.files, policy.name).flatMap((e) => algorithmsForKeyType(e.type));
  } catch {
    // Unreadable files: the verifier reports it.
  }
  return [...new Set([...known.filter((a) => SERVER_HOST_KEY_DEFAULTS.includes(a)), ...SERVER_HOST_KEY_DEFAULTS])];
}

/** `promise`, unless `ms` pass first (a client-timeout error) or `signal` aborts (the connection was closed). */
function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => void, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      const error = new Error('Timed out while waiting for handshake') as Error & { level: string };
      error.level = 'client-timeout';
      reject(error);
    }, ms);
    onAbort = () => {
      onTimeout();
      reject(new Error('connection closed'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, deadline]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort!);
  });
}

function forwardOut(client: Client, host: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => (error ? reject(new Error(`jump host could not reach ${host}:${port}: ${error.message}`)) : resolve(stream)));
  });
}

export class SshConnection {
  private current: ConnectionState = { status: 'connecting', since: Date.now() };
  private live: Live | undefined;
  private generation = 0;
  private failures = 0;
  /** The failure an operator's reconnect interrupted: failing the same way again, it is the same outage, since the same time. */
  private interrupted: Pick<ConnectionState, 'status' | 'since'> | undefined;
  /** When the host was last heard from on the connection that was lost. */
  private heardBeforeLoss: number | undefined;
  private started = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private refusal: ConnectFailure['refusal'];
  /** Ends the attempt under way when the connection is closed or the operator asks for a new one, instead of waiting out its timeout. */
  private attemptAbort: AbortController | undefined;
  private readonly listeners = new Set<(state: ConnectionState) => void>();

  constructor(
    readonly hostName: string,
    private readonly spec: string,
    private readonly resolve: ResolveTarget,
    private readonly settings: ConnectionSettings,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** Changes of state from now on; the listener is called at once with the current one. */
  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.attempt();
  }

  /** Connect again now (after the operator fixed keys or config), whatever the backoff says. */
  reconnect(): void {
    if (this.closed || this.live) return;
    clearTimeout(this.retryTimer);
    if (this.current.status !== 'connecting' && this.current.status !== 'ok') this.interrupted = { status: this.current.status, since: this.current.since };
    // A retry already under way began before the operator asked: its outcome, seconds later, would
    // be taken for the answer to this one, and it says no stage (retries stay quiet).
    this.attemptAbort?.abort();
    this.setState({ status: 'connecting' });
    this.started = true;
    void this.attempt();
  }

  /** Files the key the host offered when it was refused, then reconnects. */
  trustOfferedKey(): void {
    const refusal = this.refusal;
    if (!refusal) throw new Error(`${this.hostName}: no refused host key to trust`);
    if (!refusal.policy.trustFile) throw new Error(`${this.hostName}: no known_hosts file to write`);
    addKnownHost(refusal.policy.trustFile, refusal.policy.name, refusal.decision.blob, { hash: refusal.policy.hashNewEntries });
    this.refusal = undefined;
    this.reconnect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.attemptAbort?.abort();
    // Wakes anything waiting in ready(), which then sees the connection is closed.
    this.setState({ status: 'unreachable', error: 'connection closed' });
    const live = this.live;
    this.live = undefined;
    if (live) {
      live.slots.close(new Error(`${this.hostName}: connection closed`));
      for (const hop of [...live.hops].reverse()) hop.end();
    }
    this.listeners.clear();
  }

  /** The open connection; waits while a first connect is under way, fails at once when the host is down. */
  async ready(signal?: AbortSignal): Promise<Live> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.closed) throw new ConnectionDown({ status: 'unreachable', since: Date.now(), error: 'connection closed' });
      if (this.live) return this.live;
      if (this.current.status !== 'connecting') throw new ConnectionDown(this.current);
      await new Promise<void>((resolve, reject) => {
        const off = this.onChange(() => {
          off();
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        const onAbort = (): void => {
          off();
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** Runs a script on its own channel, within the caller's deadline and the connection's own (`timeoutMs` for a command known to take longer). */
  async exec(script: string, signal: AbortSignal, maxStdout = MAX_STDOUT, timeoutMs = this.settings.execTimeoutMs): Promise<ExecResult> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const live = await this.ready(deadline);
    const release = await live.slots.acquire('exec', deadline);
    return runOnChannel(live.client, script, deadline, maxStdout, release, () => live.slots.callForSlots());
  }

  /**
   * A channel the caller streams and ends itself (an operator command): the connection and an exec
   * slot are waited for within `signal`, and the slot is held until the channel closes.
   */
  async openCommand(script: string, signal: AbortSignal): Promise<OpenedChannel> {
    const live = await this.ready(signal);
    return openHoldingSlot(live, script, await live.slots.acquire('exec', signal));
  }

  /**
   * A long-lived shell for one poll source's scripts (probe-shell.ts). It opens on an exec slot,
   * waited for within the run's deadline, and gives the slot back when another channel waits.
   */
  probeShell(): ProbeShell {
    return new ProbeShell(async (signal) => {
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.settings.execTimeoutMs)]);
      const live = await this.ready(deadline);
      const opened = await openHoldingSlot(live, PROBE_SHELL, await live.slots.acquire('exec', deadline));
      return { ...opened, whenWaited: (listener) => live.slots.whenWaited(listener), starved: () => live.slots.starved };
    });
  }

  /**
   * When the host last sent anything, on the open connection or the one lost last: a follower's
   * lines stop there, not when the loss is noticed (a hung host takes keepalive's whole count to be).
   */
  lastHeard(): number | undefined {
    return this.live?.heard() ?? this.heardBeforeLoss;
  }

  get followerLimit(): number {
    return this.settings.followerChannels;
  }

  /**
   * A channel for a long-running command (a log follower); its slot is held until the channel
   * closes. `onQueued` is told when every follower channel is taken and this one has to wait.
   */
  async openFollower(script: string, onQueued?: () => void): Promise<OpenedChannel & { generation: number }> {
    const live = await this.ready();
    const opened = await openHoldingSlot(live, script, await live.slots.acquire('follow', undefined, onQueued));
    return { ...opened, generation: live.generation };
  }

  /**
   * A TCP stream to host:port as the remote host sees it (a direct-tcpip channel: not a session, so
   * not counted against MaxSessions), for `via: HOST` database connections.
   */
  async forward(host: string, port: number, signal: AbortSignal): Promise<ClientChannel> {
    const live = await this.ready(signal);
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      live.client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => {
        signal.removeEventListener('abort', onAbort);
        // The cause keeps ssh2's `reason` (the RFC 4254 open-failure code) for those who name it.
        if (error) reject(new Error(`${this.hostName} could not reach ${host}:${port}: ${error.message}`, { cause: error }));
        else if (signal.aborted) stream.close();
        else resolve(stream);
      });
    });
    return channel;
  }

  private onChange(listener: () => void): () => void {
    const wrapped = (): void => listener();
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  /** `began`: when a new status began, if before now. */
  private setState(next: Omit<ConnectionState, 'since'>, began = Date.now()): void {
    const previous = this.current;
    if (previous.status === next.status && previous.error === next.error && previous.stage === next.stage && previous.fingerprint?.offered === next.fingerprint?.offered) return;
    // "unreachable since" counts from the first failure, not from the latest retry, an operator's included.
    const since = previous.status === next.status ? previous.since : next.status === this.interrupted?.status ? this.interrupted.since : began;
    if (next.status !== 'connecting') this.interrupted = undefined;
    this.current = { ...next, since };
    for (const listener of [...this.listeners]) listener(this.current);
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.live || (this.attemptAbort && !this.attemptAbort.signal.aborted)) return;
    const abort = (this.attemptAbort = new AbortController());
    let target: SshTarget | undefined;
    const hops: Client[] = [];
    let heard = (): number => Date.now();
    try {
      target = await this.resolve(this.spec);
      const jumps = await Promise.all(target.proxyJump.map((spec) => this.resolve(spec)));
      const chain = [...jumps, target];
      let sock: Duplex | undefined;
      for (const [index, hop] of chain.entries()) {
        const reached = await this.handshake(hop, sock, abort.signal);
        hops.push(reached.client);
        heard = reached.heard;
        const next = chain[index + 1];
        if (next) sock = await withDeadline(forwardOut(hops[index]!, next.host, next.port), this.settings.connectTimeoutMs, () => hops[index]!.end(), abort.signal);
      }
      if (abort.signal.aborted) {
        for (const hop of hops.reverse()) hop.end();
        return;
      }
      this.connected(hops, heard);
    } catch (error) {
      for (const hop of hops.reverse()) hop.end();
      if (!abort.signal.aborted) this.failed(error, target);
    } finally {
      if (this.attemptAbort === abort) this.attemptAbort = undefined;
    }
  }

  /** Connects to one hop: directly over TCP, or over `sock`, a channel forwarded by the previous hop. */
  private async handshake(target: SshTarget, sock: Duplex | undefined, abort: AbortSignal): Promise<{ client: Client; heard: () => number }> {
    const timeoutMs = target.connectTimeoutMs ?? this.settings.connectTimeoutMs;
    const policy = policyFor(target, this.settings);
    const plan = await planAuth({ ...target, identityFiles: [...this.settings.identityFiles, ...target.identityFiles] });
    // Loaded before the socket opens, so no event of it can come while the library loads.
    const { NodeSSH } = await loadNodeSsh();
    abort.throwIfAborted();
    const tried: string[] = [];
    let decision: HostKeyDecision | undefined;
    let lastError: Error | undefined;
    const where = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    // Our own socket rather than ssh2's, so the progress can watch it from the start.
    const stream = sock ?? coalescingConnection(target.host, target.port);
    const progress = new HandshakeProgress(stream, (stage) => {
      if (!abort.aborted) this.progress(handshakeStage(stage, where));
    });
    this.progress(handshakeStage(progress.stage, where));
    // Added once the progress has paused the stream, so this listener does not start the flow either.
    let heard = Date.now();
    stream.on('data', () => (heard = Date.now()));
    const ssh = new NodeSSH();
    const connecting = ssh.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      sock: stream as never,
      readyTimeout: timeoutMs,
      keepaliveInterval: this.settings.keepaliveIntervalMs,
      keepaliveCountMax: this.settings.keepaliveCountMax,
      hostVerifier: hostVerifier(policy, (d) => (decision = d)),
      authHandler: authHandler(plan, tried),
      algorithms: { serverHostKey: hostKeyAlgorithms(policy) as never },
      tryKeyboard: false,
    });
    // node-ssh stops listening for errors once connected; an unheard 'error' would crash opsdeck.
    const client = ssh.connection!;
    progress.watch(client);
    client.on('error', (error) => (lastError = error));
    // ssh2 leaves Nagle's algorithm on: each small request then waits on a delayed ACK, and one
    // remote command costs ~95 ms on loopback instead of ~7 ms.
    client.setNoDelay(true);
    const abandon = (): void => {
      client.end();
      stream.destroy();
    };
    try {
      await withDeadline(connecting, timeoutMs + 1000, abandon, abort);
    } catch (error) {
      abandon();
      if (decision && !decision.accepted) throw new ConnectFailure(hostKeyRefused(decision, policy.name, target), { decision, policy });
      const level = (error as { level?: string }).level ?? (lastError as { level?: string } | undefined)?.level;
      if (level === 'client-authentication') throw new ConnectFailure(authFailed(target, tried, plan.skipped));
      if (level === 'client-timeout') throw new ConnectFailure(handshakeTimedOut(progress.stage, where, timeoutMs));
      throw new ConnectFailure(describeFailure(lastError ?? error, target, timeoutMs));
    }
    return { client, heard: () => heard };
  }

  /** `heard`: when the last hop (the host itself, not a jump host) last sent anything. */
  private connected(hops: Client[], heard: () => number): void {
    const client = hops[hops.length - 1]!;
    const generation = ++this.generation;
    const live: Live = { client, hops, generation, heard, slots: new ChannelSlots(this.settings.maxChannels, this.settings.followerChannels) };
    let lastError: Error | undefined;
    client.on('error', (error) => (lastError = error));
    const lost = (): void => this.lost(generation, lastError);
    client.once('close', lost);
    for (const hop of hops.slice(0, -1)) hop.once('close', () => client.end());
    this.live = live;
    this.failures = 0;
    this.refusal = undefined;
    this.setState({ status: 'ok' });
  }

  /** A step of the first connect (or of one the operator asked for); retries behind an unreachable state stay quiet. */
  private progress(stage: string): void {
    if (this.current.status === 'connecting') this.setState({ status: 'connecting', stage });
  }

  private lost(generation: number, error: Error | undefined): void {
    const live = this.live;
    if (!live || live.generation !== generation) return;
    this.live = undefined;
    for (const hop of live.hops) hop.end();
    this.heardBeforeLoss = live.heard();
    const failure = describeFailure(error ?? new Error('connection lost'), undefined, this.settings.connectTimeoutMs);
    // A host that stopped answering has been gone since it was last heard from, not since keepalive gave up on it.
    const since = isKeepaliveTimeout(error) ? this.heardBeforeLoss : Date.now();
    live.slots.close(new ConnectionDown({ ...failure, since }));
    if (this.closed) return;
    this.setState(failure, since);
    this.schedule(backoffDelay(1, this.settings.backoff));
  }

  private failed(error: unknown, target: SshTarget | undefined): void {
    if (this.closed) return;
    const failure = error instanceof ConnectFailure ? error.failure : describeFailure(error, target, this.settings.connectTimeoutMs);
    this.refusal = error instanceof ConnectFailure ? error.refusal : undefined;
    this.setState(failure);
    if (failure.status === 'hostkey-refused') return;
    if (failure.status === 'auth-failed') {
      this.schedule(this.settings.authRetryMs);
      return;
    }
    this.failures++;
    this.schedule(backoffDelay(this.failures, this.settings.backoff));
  }

  private schedule(delay: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(), delay);
  }
}

/** Opens a session channel on a slot already granted: the slot is given back when the channel closes, or at once if it never opens. */
async function openHoldingSlot(live: Live, script: string, release: () => void): Promise<OpenedChannel> {
  let opened: OpenedChannel;
  try {
    opened = await openChannel(live.client, script, undefined, () => live.slots.callForSlots());
  } catch (error) {
    release();
    throw error;
  }
  opened.channel.once('close', release);
  return opened;
}
