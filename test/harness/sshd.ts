// Real OpenSSH servers for integration tests: each `sshd -D -e` on its own loopback port with
// generated host keys, one generated client key, and a workspace holding the client's ssh config
// and known_hosts, so no test touches the real ~/.ssh.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';
export const TEST_USER = 'opsdeck-ssh';

/** A non-root login for tests (we run as root): created once, with an unlocked password field so sshd lets it in without PAM. */
export async function ensureTestUser(name = TEST_USER): Promise<{ uid: number; gid: number; name: string }> {
  if (process.getuid?.() !== 0) throw new Error('the SSH integration tests run as root: they create a test user and start sshd');
  try {
    await run('id', ['-u', name]);
  } catch {
    try {
      await run('useradd', ['-m', '-s', '/bin/sh', name]);
    } catch (error) {
      // Another test file may have created it meanwhile.
      if (!/already exists/.test((error as { stderr?: string }).stderr ?? '')) throw error;
    }
  }
  await run('usermod', ['-p', '*', name]);
  const uid = Number((await run('id', ['-u', name])).stdout.trim());
  const gid = Number((await run('id', ['-g', name])).stdout.trim());
  return { uid, gid, name };
}

export async function keygen(path: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519'): Promise<string> {
  // ssh-keygen asks before overwriting, and would wait for an answer forever.
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'opsdeck-test', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** `SHA256:...` of a public key file, as OpenSSH prints it. */
export async function fingerprintOf(pubPath: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]);
  return stdout.split(/\s+/)[1]!;
}

/** Every process below `pid`, read from /proc. */
export async function descendants(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone meanwhile.
  }
}

/**
 * Stops pid and every descendant, reading the tree again until nothing new shows up. A session still
 * forking after login is caught too: one read of /proc can miss a child forked during it, and that
 * child would keep the connection open (a "killed" host still answering until keepalive gives up).
 */
async function freezeTree(pid: number): Promise<number[]> {
  const frozen = new Set<number>();
  let fresh = [pid];
  while (fresh.length > 0) {
    for (const target of fresh) {
      send(target, 'SIGSTOP');
      frozen.add(target);
    }
    fresh = (await descendants(pid)).filter((target) => !frozen.has(target));
  }
  return [...frozen];
}

/** Processes whose command line contains `needle` (to check that nothing is left running on a host). */
export async function processesMatching(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * Whether process `pid` has `path` open at its end: a follower started with `-n 0` reads only what is
 * written after that, so a line appended before it got there is, rightly, never shown.
 */
export async function readsFromEnd(pid: number, path: string): Promise<boolean> {
  try {
    const { size } = await stat(path);
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) !== path) continue;
      const position = Number(/^pos:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1]);
      if (position === size) return true;
    }
  } catch {
    // Gone meanwhile.
  }
  return false;
}

async function waitForBanner(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const done = (value: boolean): void => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('data', (data) => done(data.toString().startsWith('SSH-')));
      socket.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`sshd on port ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class Workspace {
  readonly knownHosts: string;
  readonly sshConfig: string;
  readonly clientKey: string;
  private constructor(
    readonly dir: string,
    readonly clientPub: string,
  ) {
    this.knownHosts = join(dir, 'known_hosts');
    this.sshConfig = join(dir, 'ssh_config');
    this.clientKey = join(dir, 'id_ed25519');
  }

  /** A temp folder readable by the test user (sshd reads authorized_keys as the login user). */
  static async create(): Promise<Workspace> {
    const dir = await mkdtemp(join(tmpdir(), 'opsdeck-ssh-'));
    await chmod(dir, 0o755);
    const clientPub = await keygen(join(dir, 'id_ed25519'));
    await writeFile(join(dir, 'known_hosts'), '');
    const workspace = new Workspace(dir, clientPub);
    await workspace.writeSshConfig([]);
    return workspace;
  }

  /** The client's ssh config: one alias per host, then defaults that keep the real ~/.ssh out. */
  async writeSshConfig(hosts: { alias: string; port: number; user: string; extra?: string[] }[], options: { identityFile?: boolean } = {}): Promise<void> {
    const lines: string[] = [];
    for (const host of hosts) lines.push(`Host ${host.alias}`, '  HostName 127.0.0.1', `  Port ${host.port}`, `  User ${host.user}`, ...(host.extra ?? []).map((l) => `  ${l}`));
    lines.push('Host *', `  UserKnownHostsFile ${this.knownHosts}`, '  GlobalKnownHostsFile /dev/null', '  IdentityAgent none', '  HashKnownHosts no');
    if (options.identityFile ?? true) lines.push(`  IdentityFile ${this.clientKey}`);
    else lines.push(`  IdentityFile ${join(this.dir, 'no-such-key')}`);
    await writeFile(this.sshConfig, `${lines.join('\n')}\n`);
  }

  /** Files the host's current key under [127.0.0.1]:port, as a previous `ssh` would have. */
  async trust(host: SshdHost, pub = host.hostPub): Promise<void> {
    await appendFile(this.knownHosts, `[127.0.0.1]:${host.port} ${pub}\n`);
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

type KeyType = 'ed25519' | 'rsa' | 'ecdsa';

export interface SshdOptions {
  /** Lines added to sshd_config (after the harness's own: sshd keeps the first value of a keyword). */
  extra?: string[];
  /** Host key types the server has; the first is `hostPub`. Default: ed25519 only. */
  keyTypes?: KeyType[];
  /** authorized_keys content instead of the workspace's client key. */
  authorizedKeys?: string;
  /** A given port (a host that comes up where opsdeck already looks) instead of a free one. */
  port?: number;
  /** sshd's LogLevel (default INFO); DEBUG logs each forwarded (direct-tcpip) channel and its target. */
  logLevel?: 'INFO' | 'VERBOSE' | 'DEBUG';
}

export class SshdHost {
  /** `type base64` of each host key, by type; `hostPub` is the first. */
  hostPubs: Partial<Record<KeyType, string>> = {};
  hostPub = '';
  private process: ChildProcess | undefined;
  private log = '';
  private keyGeneration = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: SshdOptions,
  ) {}

  static async start(workspace: Workspace, name: string, options: SshdOptions = {}): Promise<SshdHost> {
    const dir = join(workspace.dir, name);
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    await writeFile(join(dir, 'authorized_keys'), options.authorizedKeys ?? `${workspace.clientPub}\n`, { mode: 0o644 });
    for (let attempt = 0; ; attempt++) {
      const host = new SshdHost(dir, options.port ?? (await freePort()), options);
      await host.newHostKey();
      try {
        await host.launch();
        return host;
      } catch (error) {
        // A free port can be taken between the check and sshd's bind: try another.
        if (attempt >= 3 || options.port) throw error;
      }
    }
  }

  /** The public key file of the current first host key, for ssh-keygen -l. */
  get hostKeyPub(): string {
    return `${this.keyPath(this.keyTypes[0]!)}.pub`;
  }

  private get keyTypes(): KeyType[] {
    return this.options.keyTypes ?? ['ed25519'];
  }

  private keyPath(type: KeyType): string {
    return join(this.dir, `ssh_host_${type}_key_${this.keyGeneration}`);
  }

  /** Stops (SIGSTOP) or resumes (SIGCONT) the server and its sessions: a hung host, a silent network. */
  async signalAll(signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const pid = this.process?.pid;
    if (!pid) return;
    if (signal === 'SIGSTOP') {
      await freezeTree(pid);
      return;
    }
    for (const target of [pid, ...(await descendants(pid))]) send(target, signal);
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get output(): string {
    return this.log;
  }

  /** Replaces the host key (a reinstalled host, or someone in the middle) and restarts. */
  async rotateHostKey(): Promise<void> {
    await this.kill();
    await this.newHostKey();
    await this.launch();
  }

  /** The host goes away at once: the listener and every session process with it. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child?.pid || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const pid of await freezeTree(child.pid)) send(pid, 'SIGKILL');
    await exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
  }

  private async newHostKey(): Promise<void> {
    this.keyGeneration++;
    this.hostPubs = {};
    for (const type of this.keyTypes) this.hostPubs[type] = (await keygen(this.keyPath(type), type)).split(' ').slice(0, 2).join(' ');
    this.hostPub = this.hostPubs[this.keyTypes[0]!]!;
  }

  private async launch(): Promise<void> {
    const config = [
      `Port ${this.port}`,
      'ListenAddress 127.0.0.1',
      ...this.keyTypes.map((type) => `HostKey ${this.keyPath(type)}`),
      'PidFile none',
      `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      `LogLevel ${this.options.logLevel ?? 'INFO'}`,
      ...(this.options.extra ?? []),
    ];
    const file = join(this.dir, 'sshd_config');
    await writeFile(file, `${config.join('\n')}\n`);
    const child = spawn(SSHD, ['-D', '-e', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    this.log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-64 * 1024);
    });
    const early = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${this.log}`))));
    early.catch(() => {});
    await Promise.race([waitForBanner(this.port, 5000), early]);
  }
}
