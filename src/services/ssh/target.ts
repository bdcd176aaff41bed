// Where and as whom to connect for a host's `ssh:` value: OpenSSH's own resolution (`ssh -G`) of
// `user@host:port` or an ~/.ssh/config alias, or the `ssh-config` package where no ssh is installed.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { isHostToken, parseSshSpec, type SshSpec } from '../../domain/ssh-spec.js';

export interface SshTarget {
  /** The `ssh:` value as written in the config. */
  spec: string;
  host: string;
  port: number;
  user: string;
  /** Private keys to offer, in order; files that do not exist are skipped at connect time. */
  identityFiles: string[];
  /** ssh-agent socket, when there is one to use. */
  agent?: string;
  /** Jump hosts in order (ProxyJump), each an `ssh:`-style spec resolved the same way. */
  proxyJump: string[];
  hostKeyAlias?: string;
  /** User then global known_hosts files; the first is where a trusted key is written. */
  knownHostsFiles: string[];
  acceptNew: boolean;
  hashKnownHosts: boolean;
  connectTimeoutMs?: number;
}

export interface ResolveOptions {
  /** The ssh binary for `ssh -G`; null resolves with the `ssh-config` package instead. */
  ssh: string | null;
  /** An ssh config file to read instead of OpenSSH's defaults (~/.ssh/config, /etc/ssh/ssh_config). */
  configFile?: string;
  home: string;
  agent?: string | false;
}

export class TargetError extends Error {
  override name = 'TargetError';
}

/** The parts of a host's `ssh:` value (parseSshSpec), or a TargetError saying what is wrong. */
export function parseSpec(spec: string): SshSpec {
  const parsed = parseSshSpec(spec);
  if ('error' in parsed) throw new TargetError(`ssh: ${JSON.stringify(spec)}: ${parsed.error}`);
  return parsed;
}

/** OpenSSH's tokens in paths (~, %d, %u, %h, %r, %p, %%), and `$VAR` in IdentityAgent. */
export function expandPath(path: string, context: { home: string; host: string; user: string; port: number }): string {
  const expanded = path.replace(/%([%dhuprn])/g, (_m, token: string) => {
    switch (token) {
      case '%':
        return '%';
      case 'd':
        return context.home;
      case 'h':
      case 'n':
        return context.host;
      case 'u':
        return userInfo().username;
      case 'r':
        return context.user;
      default:
        return String(context.port);
    }
  });
  return expanded.replace(/^~(?=\/|$)/, context.home);
}

type Resolved = Map<string, string[]>;

function runSshG(ssh: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ssh, args, { timeout: 5000, encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${ssh}: not found` : stderr.trim().split('\n')[0] || error.message;
        reject(new TargetError(`ssh config: ${reason}`));
        return;
      }
      resolve(stdout);
    });
  });
}

async function resolveWithOpenSsh(ssh: string, parsed: SshSpec, configFile: string | undefined): Promise<Resolved> {
  const args = ['-G'];
  if (configFile) args.push('-F', configFile);
  if (parsed.user) args.push('-l', parsed.user);
  if (parsed.port) args.push('-p', String(parsed.port));
  args.push('--', parsed.host);
  const output = await runSshG(ssh, args);
  const resolved: Resolved = new Map();
  for (const line of output.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space).toLowerCase();
    resolved.set(key, [...(resolved.get(key) ?? []), line.slice(space + 1)]);
  }
  return resolved;
}

async function resolveWithParser(parsed: SshSpec, configFile: string, home: string): Promise<Resolved> {
  let text = '';
  try {
    text = await readFile(configFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new TargetError(`ssh config: ${(error as Error).message}`);
  }
  // Match exec runs a shell command: not something a monitor does while reading a config file.
  const computed = SSHConfig.parse(text).compute(parsed.host, { ignoreCase: true, matchExec: false });
  const resolved: Resolved = new Map();
  for (const [key, value] of Object.entries(computed)) resolved.set(key.toLowerCase(), Array.isArray(value) ? value : [value]);
  if (parsed.user) resolved.set('user', [parsed.user]);
  if (parsed.port) resolved.set('port', [String(parsed.port)]);
  if (!resolved.has('userknownhostsfile')) resolved.set('userknownhostsfile', [join(home, '.ssh/known_hosts')]);
  if (!resolved.has('identityfile')) resolved.set('identityfile', ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ed25519']);
  return resolved;
}

const first = (r: Resolved, key: string): string | undefined => r.get(key)?.[0];
const words = (r: Resolved, key: string): string[] => (r.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '' && v !== 'none');

/** Resolves a host's `ssh:` value the way `ssh` itself would, without connecting. */
export async function resolveTarget(spec: string, options: ResolveOptions): Promise<SshTarget> {
  const parsed = parseSpec(spec);
  const resolved = options.ssh
    ? await resolveWithOpenSsh(options.ssh, parsed, options.configFile)
    : await resolveWithParser(parsed, options.configFile ?? join(options.home, '.ssh/config'), options.home);

  const proxyCommand = first(resolved, 'proxycommand');
  if (proxyCommand && proxyCommand !== 'none') throw new TargetError(`ssh config for ${spec}: ProxyCommand is not supported; use ProxyJump`);
  const host = first(resolved, 'hostname') ?? parsed.host;
  const port = Number(first(resolved, 'port') ?? parsed.port ?? 22);
  const user = first(resolved, 'user') ?? parsed.user ?? userInfo().username;
  if (!isHostToken(host)) throw new TargetError(`ssh config for ${spec}: HostName ${JSON.stringify(host)} is not a host name or address`);
  const context = { home: options.home, host, user, port };

  let agent: string | undefined;
  if (options.agent !== undefined) {
    agent = options.agent || undefined;
  } else {
    const configured = first(resolved, 'identityagent');
    if (configured === undefined || configured === 'SSH_AUTH_SOCK') agent = process.env.SSH_AUTH_SOCK;
    else if (configured !== 'none') agent = configured.startsWith('$') ? process.env[configured.slice(1)] : expandPath(configured, context);
  }
  const proxyJump = first(resolved, 'proxyjump');
  const timeout = first(resolved, 'connecttimeout');
  const strict = first(resolved, 'stricthostkeychecking')?.toLowerCase();
  const alias = first(resolved, 'hostkeyalias');
  return {
    spec,
    host,
    port,
    user,
    identityFiles: words(resolved, 'identityfile').map((p) => expandPath(p, context)),
    agent: agent || undefined,
    proxyJump: proxyJump && proxyJump !== 'none' ? proxyJump.split(',').map((s) => s.trim()).filter(Boolean) : [],
    hostKeyAlias: alias && alias !== 'none' ? alias : undefined,
    knownHostsFiles: [...words(resolved, 'userknownhostsfile'), ...words(resolved, 'globalknownhostsfile')].map((p) => expandPath(p, context)),
    acceptNew: strict === 'accept-new',
    hashKnownHosts: first(resolved, 'hashknownhosts')?.toLowerCase() === 'yes',
    connectTimeoutMs: timeout && /^\d+$/.test(timeout) ? Number(timeout) * 1000 : undefined,
  };
}
