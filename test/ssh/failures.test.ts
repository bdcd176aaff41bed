// Issue 3, acceptance 3 and 4 (failures): wrong credentials say "auth failed" without a retry storm,
// a listener that never speaks SSH times out instead of hanging, a closed port is "connection
// refused", a hung host or a partitioned network is found by keepalive, reset connections come back;
// ssh-agent logins work without identity files.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectionState } from '../../src/domain/model.js';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { SshHostAdapter, type SshAdapterOptions } from '../../src/services/ssh/adapter.js';
import { sshHost, waitFor } from '../harness/hosts.js';
import { FlakyProxy } from '../harness/proxy.js';
import { ensureTestUser, freePort, keygen, SshdHost, Workspace } from '../harness/sshd.js';

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

  test('a TCP listener that never speaks SSH times out, and nothing waiting on it hangs', async () => {
    const silent: Server = createServer((socket: Socket) => socket.on('error', () => {}));
    const held: Socket[] = [];
    silent.on('connection', (socket) => held.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    cleanups.push(() => {
      for (const socket of held) socket.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    await workspace.writeSshConfig([{ alias: 'silent', port, user }]);
    const { state, watched } = await watch('silent', { connectTimeoutMs: 1500 });
    // A probe asked while connecting waits for the outcome, then fails; it does not hang.
    const probe = collectWithDeadline({ ...watched.resources, timeoutMs: 20_000 });
    await expect(probe).rejects.toThrow(/timed out: no SSH handshake with 127\.0\.0\.1:\d+ within 2 s/);
    expect(state()).toMatchObject({ status: 'unreachable' });
    expect(held.length).toBeGreaterThan(0);
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

  test('a hung host (SIGSTOP) is found by keepalive; probes fail at their deadline instead of hanging', async () => {
    const host = await SshdHost.start(workspace, 'hung');
    hosts.push(host);
    await workspace.trust(host);
    await workspace.writeSshConfig([{ alias: 'hung', port: host.port, user }]);
    const { state, watched } = await watch('hung', { keepaliveIntervalMs: 500, keepaliveCountMax: 2, connectTimeoutMs: 1500 });
    await waitFor('ok', () => state().status === 'ok');
    await host.signalAll('SIGSTOP');
    cleanups.push(() => host.signalAll('SIGCONT'));
    await expect(collectWithDeadline({ ...watched.resources, timeoutMs: 1000 })).rejects.toThrow(/timed out after 1000 ms/);
    await waitFor('keepalive gave up', () => state().status === 'unreachable');
    expect(state().error).toMatch(/timed out/);
    await host.signalAll('SIGCONT');
    await waitFor('back after SIGCONT', () => state().status === 'ok');
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
    await expect(collectWithDeadline({ ...watched.resources, timeoutMs: 1000 })).rejects.toThrow(/timed out after 1000 ms/);
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

