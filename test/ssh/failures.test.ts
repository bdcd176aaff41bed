// Issue 3, acceptance 3 and 4 (failures): wrong credentials say "auth failed" without a retry storm,
// a closed port is "connection refused", a hung host or a partitioned network is found by keepalive,
// reset connections come back; ssh-agent logins work without identity files. Issue 15, fault 3: a
// port that is not an SSH server says where the handshake stopped (no TCP, no banner, no key
// exchange) within the connect timeout, and since when.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { formatClock } from '../../src/domain/duration.js';
import type { ConnectionState } from '../../src/domain/model.js';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { SshHostAdapter, type SshAdapterOptions } from '../../src/services/ssh/adapter.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { bannerOnlyListener, droppingListener, silentListener, type Listener } from '../harness/listeners.js';
import { FlakyProxy } from '../harness/proxy.js';
import { freePort } from '../harness/ports.js';
import { ensureTestUser, keygen, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let user: string;
const hosts: SshdHost[] = [];
const adapters: SshHostAdapter[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  user = (await ensureTestUser()).name;
  workspace = await Workspace.create();
});
afterEach(async () => {
  for (const adapter of adapters.splice(0)) adapter.close();
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => workspace?.cleanup());

async function watch(alias: string, options: SshAdapterOptions = {}) {
  const adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 }, connectTimeoutMs: 3000, ...options });
  adapters.push(adapter);
  const watched = await adapter.watch(sshHost(alias, alias, { logs: [{ kind: 'file', path: '/var/log/does-not-matter.log', label: 'app' }] }), { timeoutMs: 5000 });
  const states: ConnectionState[] = [];
  watched.onConnection!((state) => states.push(state));
  return { adapter, watched, states, state: () => states.at(-1)! };
}

describe('connection failures', () => {
  test('wrong credentials: "auth failed" with what was offered, no password prompt, no retry storm', async () => {
    const other = await keygen(join(workspace.dir, 'someone-else'));
    const host = await SshdHost.start(workspace, 'locked', { authorizedKeys: `${other}\n` });
    hosts.push(host);
    await workspace.trust(host);
    await workspace.writeSshConfig([{ alias: 'locked', port: host.port, user }]);
    const { state, watched } = await watch('locked');
    await waitFor('auth failed', () => state().status === 'auth-failed');
    expect(state().error).toMatch(new RegExp(`^auth failed: ${user}@127\\.0\\.0\\.1 accepted no key \\(offered .*id_ed25519\\)`));
    expect(state().hint).toMatch(/ssh-agent/);
    await expect(collectWithDeadline(watched.resources)).rejects.toThrow(/auth failed/);
    // Retries after auth failures are minutes apart (fail2ban counts them): one connection so far.
    await new Promise((r) => setTimeout(r, 1500));
    expect(host.output.match(/Connection closed by authenticating user|Disconnected from authenticating user|Connection reset by authenticating user/g)?.length ?? 0).toBe(1);
    expect(host.output).not.toMatch(/Accepted/);
  });

  test('a passphrase-protected key is not offered, and the hint says to load it into ssh-agent', async () => {
    const host = await SshdHost.start(workspace, 'plain');
    hosts.push(host);
    await workspace.trust(host);
    const encrypted = join(workspace.dir, 'encrypted_key');
    await new Promise((resolve) => spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', encrypted], { stdio: 'ignore' }).on('exit', resolve));
    await workspace.writeSshConfig([{ alias: 'plain', port: host.port, user }], { identityFile: false });
    const { state } = await watch('plain', { identityFiles: [encrypted] });
    await waitFor('auth failed', () => state().status === 'auth-failed');
    expect(state().hint).toContain(`${encrypted} is passphrase-protected: load it into ssh-agent`);
  });

  test('ssh-agent: a key held by the agent logs in with no identity file', async () => {
    const host = await SshdHost.start(workspace, 'agented');
    hosts.push(host);
    await workspace.trust(host);
    await workspace.writeSshConfig([{ alias: 'agented', port: host.port, user }], { identityFile: false });
    const socket = join(workspace.dir, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    cleanups.push(() => {
      agent.kill();
    });
    await waitFor('agent socket', async () => (await import('node:fs/promises')).stat(socket).then(() => true, () => false));
    const add = spawn('ssh-add', [workspace.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    expect((await once(add, 'exit'))[0]).toBe(0);
    const { state, watched } = await watch('agented', { agent: socket });
    await waitFor('ok through the agent', () => state().status === 'ok');
    await expect(collectWithDeadline(watched.resources)).resolves.toMatchObject({ uptimeSec: expect.any(Number) });
  });

  test('nothing listening: "connection refused", retried with backoff until it listens', async () => {
    const port = await freePort();
    await workspace.writeSshConfig([{ alias: 'later', port, user }]);
    const { state, states } = await watch('later', { acceptNew: true });
    await waitFor('refused', () => state().status === 'unreachable');
    expect(state().error).toBe(`connection refused by 127.0.0.1:${port}`);
    // The host comes up on that port later: opsdeck gets there by itself.
    const host = await SshdHost.start(workspace, 'later', { port });
    hosts.push(host);
    await waitFor('connected after it started', () => state().status === 'ok');
    expect(states.filter((s) => s.status === 'unreachable').length).toBe(1);
    expect(host.output).toMatch(/Accepted publickey/);
  });

  test('an operator\'s reconnect (R) that fails again keeps "unreachable since" at the first failure', async () => {
    const port = await freePort();
    await workspace.writeSshConfig([{ alias: 'down', port, user }]);
    const { adapter, state, states } = await watch('down', { acceptNew: true });
    await waitFor('refused', () => state().status === 'unreachable');
    const since = state().since;
    await new Promise((resolve) => setTimeout(resolve, 50));
    adapter.reconnect('down');
    await waitFor('refused again after the reconnect', () => states.at(-2)?.status === 'connecting' && state().status === 'unreachable');
    expect(state().since).toBe(since);
  });

  test('a hung host (SIGSTOP) is found by keepalive; probes fail at their deadline instead of hanging', async () => {
    const host = await SshdHost.start(workspace, 'hung');
    hosts.push(host);
    await workspace.trust(host);
    await workspace.writeSshConfig([{ alias: 'hung', port: host.port, user }]);
    const { state, watched } = await watch('hung', { keepaliveIntervalMs: 500, keepaliveCountMax: 2, connectTimeoutMs: 1500 });
    await waitFor('ok', () => state().status === 'ok');
    // One command first: "ok" can come before sshd has forked the session's process, which a stop
    // sent earlier would miss (and which would then go on answering).
    await collectWithDeadline(watched.resources);
    await host.signalAll('SIGSTOP');
    cleanups.push(() => host.signalAll('SIGCONT'));
    // At its deadline, or sooner when keepalive has already given up (stopping the whole tree takes a
    // while on a busy machine): either way it fails instead of hanging.
    await expect(collectWithDeadline({ ...watched.resources, timeoutMs: 1000 })).rejects.toThrow(/timed out after 1000 ms|No response from server/);
    await waitFor('keepalive gave up', () => state().status === 'unreachable');
    expect(state().error).toMatch(/timed out/);
    await host.signalAll('SIGCONT');
    await waitFor('back after SIGCONT', () => state().status === 'ok');
  });

  test('a hung host: its logs\' gap marker and "unreachable since" start when it was last heard from, not when keepalive gave up', async () => {
    const host = await SshdHost.start(workspace, 'frozen');
    hosts.push(host);
    await workspace.trust(host);
    await workspace.writeSshConfig([{ alias: 'frozen', port: host.port, user }]);
    const path = join(host.dir, 'chatty.log');
    await writeFile(path, '', { mode: 0o644 });
    const adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 }, keepaliveIntervalMs: 1000, keepaliveCountMax: 2 });
    adapters.push(adapter);
    const watched = await adapter.watch(sshHost('frozen', 'frozen', { logs: [{ kind: 'file', path, label: 'chatty' }] }), { timeoutMs: 5000 });
    const states: ConnectionState[] = [];
    watched.onConnection!((state) => states.push(state));
    let lastLineAt = 0;
    const marks: string[] = [];
    watched.logStreams[0]!.start({ line: () => (lastLineAt = Date.now()), mark: (text) => marks.push(text), state: () => {} });
    let n = 0;
    const writer = setInterval(() => void appendFile(path, `chatty line ${n++}\n`), 100);
    cleanups.push(() => clearInterval(writer));
    await waitFor('lines flowing', () => lastLineAt > 0 && n > 5);
    await host.signalAll('SIGSTOP');
    cleanups.push(() => host.signalAll('SIGCONT'));
    const stoppedAt = Date.now();
    await waitFor('keepalive gave up', () => states.at(-1)!.status === 'unreachable');
    // Keepalive takes seconds to give up: what was written meanwhile is lost too, and must be owned up to.
    expect(Date.now() - stoppedAt).toBeGreaterThan(1500);
    const down = states.at(-1)!;
    // Heard from as the packet came, a moment before its line reached the follower: within a line's interval.
    expect(down.since).toBeGreaterThanOrEqual(lastLineAt - 100);
    expect(down.since).toBeLessThanOrEqual(stoppedAt);
    await host.signalAll('SIGCONT');
    await waitFor('gap marked', () => marks.length > 0);
    const since = /^— reconnected to frozen; lines written since (\d\d:\d\d:\d\d) may be missing —$/.exec(marks[0]!)?.[1];
    expect(since! >= formatClock(lastLineAt - 100) && since! <= formatClock(stoppedAt), `${since} within ${formatClock(lastLineAt - 100)}-${formatClock(stoppedAt)}`).toBe(true);
  });

  test('a network partition (traffic silently dropped) is found by keepalive; healed, the host comes back by itself', async () => {
    const host = await SshdHost.start(workspace, 'partitioned');
    hosts.push(host);
    await workspace.trust(host);
    const proxy = await FlakyProxy.start(host.port);
    cleanups.push(() => proxy.close());
    await workspace.writeSshConfig([{ alias: 'partitioned', port: proxy.port, user, extra: [`HostKeyAlias [127.0.0.1]:${host.port}`] }]);
    const { state, watched } = await watch('partitioned', { keepaliveIntervalMs: 500, keepaliveCountMax: 2, connectTimeoutMs: 1500, backoff: { initialMs: 200, maxMs: 1000 } });
    await waitFor('ok', () => state().status === 'ok');
    proxy.drop();
    // At its deadline, or sooner when keepalive has already given up (stopping the whole tree takes a
    // while on a busy machine): either way it fails instead of hanging.
    await expect(collectWithDeadline({ ...watched.resources, timeoutMs: 1000 })).rejects.toThrow(/timed out after 1000 ms|No response from server/);
    await waitFor('keepalive gave up', () => state().status === 'unreachable');
    expect(state().error).toMatch(/timed out/);
    proxy.heal();
    await waitFor('back after the partition healed', () => state().status === 'ok', 10_000);
    await expect(collectWithDeadline(watched.resources)).resolves.toMatchObject({ uptimeSec: expect.any(Number) });
  });

  test('connections reset by the network: "connection reset", then reconnected', async () => {
    const host = await SshdHost.start(workspace, 'resetting');
    hosts.push(host);
    await workspace.trust(host);
    const proxy = await FlakyProxy.start(host.port);
    cleanups.push(() => proxy.close());
    await workspace.writeSshConfig([{ alias: 'resetting', port: proxy.port, user, extra: [`HostKeyAlias [127.0.0.1]:${host.port}`] }]);
    const { state, states } = await watch('resetting', { backoff: { initialMs: 200, maxMs: 1000 } });
    await waitFor('ok', () => state().status === 'ok');
    proxy.reset();
    await waitFor('unreachable', () => state().status === 'unreachable');
    expect(state().error).toMatch(/connection (reset|lost)/);
    await waitFor('reconnected', () => state().status === 'ok' && states.filter((s) => s.status === 'ok').length === 2);
  });
});


describe('a port that is not an SSH server: the host says where the handshake stopped', () => {
  const TIMEOUT_MS = 1500;

  async function watchListener(listener: Listener, alias: string) {
    cleanups.push(() => listener.close());
    await workspace.writeSshConfig([{ alias, port: listener.port, user }]);
    const started = Date.now();
    const watched = await watch(alias, { connectTimeoutMs: TIMEOUT_MS });
    // A probe asked while connecting waits for the outcome, then fails with it; it does not hang.
    const probe = collectWithDeadline({ ...watched.watched.resources, timeoutMs: 20_000 });
    return { ...watched, started, probe, where: `127.0.0.1:${listener.port}` };
  }

  /** Unreachable with `error` within the connect timeout (and the `ssh -G` before it), since the failure. */
  async function expectUnreachable(run: Awaited<ReturnType<typeof watchListener>>, error: string): Promise<void> {
    await expect(run.probe).rejects.toThrow(error);
    const failedAt = Date.now();
    expect(failedAt - run.started).toBeLessThan(TIMEOUT_MS + 2500);
    expect(run.state()).toMatchObject({ status: 'unreachable', error });
    expect(run.state().since).toBeGreaterThanOrEqual(run.started + TIMEOUT_MS - 100);
    expect(run.state().since).toBeLessThanOrEqual(failedAt);
  }

  test('accepts TCP and never speaks: "no SSH banner within 1.5 s (is this port an SSH server?)"', async () => {
    const silent = await silentListener();
    const run = await watchListener(silent, 'silent');
    await expectUnreachable(run, 'no SSH banner within 1.5 s (is this port an SSH server?)');
    expect(run.state().hint).toContain(`${run.where} accepts TCP connections but says nothing`);
    expect(silent.accepted()).toBeGreaterThan(0);
    // Meanwhile the connecting state said what it was waiting for.
    expect(run.states).toContainEqual(expect.objectContaining({ status: 'connecting', stage: `TCP connected to ${run.where}, waiting for its SSH banner` }));
    // Retries keep the first failure's time, so "unreachable since" does not move.
    const since = run.state().since;
    await waitFor('a retry', () => silent.accepted() > 1);
    expect(run.state().since).toBe(since);
  });

  test('R while a retry waits for its banner: a fresh attempt that says its stage, and its own outcome a whole timeout later', async () => {
    const silent = await silentListener();
    const run = await watchListener(silent, 'silent-again');
    await expectUnreachable(run, 'no SSH banner within 1.5 s (is this port an SSH server?)');
    const since = run.state().since;
    // A quiet retry under way, some way into its timeout.
    await waitFor('a retry waiting for its banner', () => silent.accepted() > 1 && silent.open() === 1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const pressed = Date.now();
    const before = run.states.length;
    run.adapter.reconnect('silent-again');
    const after = () => run.states.slice(before);
    await waitFor('the new attempt says its stage', () => after().some((s) => s.status === 'connecting' && s.stage === `TCP connected to ${run.where}, waiting for its SSH banner`));
    await waitFor('its outcome', () => run.state().status === 'unreachable');
    expect(Date.now() - pressed).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    // Nothing of the abandoned retry came in between.
    expect(after().slice(0, -1).every((s) => s.status === 'connecting')).toBe(true);
    expect(run.state().since).toBe(since);
  });

  test('sends a banner, then nothing: the key exchange timed out', async () => {
    const run = await watchListener(await bannerOnlyListener(), 'mute-after-banner');
    await expectUnreachable(run, `SSH handshake timed out: ${run.where} sent its banner, but the key exchange did not finish within 1.5 s`);
  });

  test('drops the connection attempts: no TCP connection', async () => {
    const run = await watchListener(await droppingListener(), 'dropping');
    await expectUnreachable(run, `no TCP connection to ${run.where} within 1.5 s`);
    expect(run.states).toContainEqual(expect.objectContaining({ status: 'connecting', stage: `opening a TCP connection to ${run.where}` }));
  });

  test('a port that closes the connection at once (not an SSH server): said in words, with what to check', async () => {
    const sockets = new Set<Socket>();
    const closing = createServer((socket) => {
      sockets.add(socket);
      socket.end();
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      closing.close();
    });
    const port = (closing.address() as AddressInfo).port;
    await workspace.writeSshConfig([{ alias: 'closing', port, user }]);
    const { state } = await watch('closing', { acceptNew: true });
    await waitFor('unreachable', () => state().status === 'unreachable');
    expect(state()).toMatchObject({ error: `127.0.0.1:${port} closed the connection before the SSH handshake`, hint: 'Is this port an SSH server? Check the port in ssh: or ~/.ssh/config.' });
  });

  test('closing the adapter while a handshake waits ends it at once, not at the connect timeout', async () => {
    const silent = await silentListener();
    cleanups.push(() => silent.close());
    await workspace.writeSshConfig([{ alias: 'silent-closed', port: silent.port, user }]);
    const { adapter, state } = await watch('silent-closed', { connectTimeoutMs: 30_000 });
    await waitFor('the handshake waiting for a banner', () => state().stage?.includes('waiting for its SSH banner'));
    adapter.close();
    await waitFor('the connection closed by opsdeck', () => silent.open() === 0, 2000);
  });
});
