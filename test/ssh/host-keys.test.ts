// Issue 3, acceptance 3 (host keys): an unknown or changed key refuses the host with its fingerprint
// and no command runs; trusting is explicit (or accept-new, for new keys only); hashed entries,
// [host]:port entries, hosts with several key types, and jump hosts.
import { execFileSync } from 'node:child_process';
import { chmod, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectionState } from '../../src/domain/model.js';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { SshHostAdapter, type SshAdapterOptions } from '../../src/services/ssh/adapter.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, fingerprintOf, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let user: string;
const hosts: SshdHost[] = [];
const adapters: SshHostAdapter[] = [];

beforeAll(async () => {
  user = (await ensureTestUser()).name;
  workspace = await Workspace.create();
});
afterEach(async () => {
  for (const adapter of adapters.splice(0)) adapter.close();
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await writeFile(workspace.knownHosts, '');
});
afterAll(async () => workspace?.cleanup());

async function startHost(name: string, keyTypes?: ('ed25519' | 'rsa' | 'ecdsa')[]): Promise<SshdHost> {
  const host = await SshdHost.start(workspace, name, { keyTypes });
  hosts.push(host);
  return host;
}

/** Watches `alias` and returns the states it went through until it left "connecting". */
async function watch(alias: string, options: SshAdapterOptions = {}) {
  const adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 }, connectTimeoutMs: 3000, ...options });
  adapters.push(adapter);
  const watched = await adapter.watch(sshHost(alias, alias), { timeoutMs: 5000 });
  const states: ConnectionState[] = [];
  watched.onConnection!((state) => states.push(state));
  await waitFor(`${alias} settled`, () => states.at(-1)!.status !== 'connecting');
  return { adapter, watched, states, state: () => states.at(-1)! };
}

const accepted = (host: SshdHost): boolean => /Accepted publickey/.test(host.output);

describe('host keys', () => {
  test('an unknown key without opt-in is refused with its fingerprint, and nothing runs on the host', async () => {
    const gamma = await startHost('gamma');
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    const { state, watched } = await watch('gamma');
    expect(state()).toMatchObject({ status: 'hostkey-refused', fingerprint: { offered: await fingerprintOf(gamma.hostKeyPub) } });
    expect(state().fingerprint!.known).toBeUndefined();
    expect(state().error).toMatch(/^host key refused: \[127\.0\.0\.1\]:\d+ is not in known_hosts/);
    expect(state().hint).toMatch(/trust/);
    const resources = watched.resources;
    await expect(collectWithDeadline(resources)).rejects.toThrow(/host key refused/);
    // The client never logged in: no session, so no command.
    expect(accepted(gamma)).toBe(false);
    expect(await readFile(workspace.knownHosts, 'utf8')).toBe('');
  });

  test('trustHostKey files the offered key atomically in known_hosts and connects', async () => {
    const gamma = await startHost('gamma');
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    const other = 'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsdeckOtherHostKeyForTheAtomicTest0000000\n';
    await writeFile(workspace.knownHosts, other);
    await chmod(workspace.knownHosts, 0o600);
    const { adapter, state, watched } = await watch('gamma');
    expect(state().status).toBe('hostkey-refused');
    // A reader that opened the file before (ssh, another opsdeck) must see the old file whole, never
    // one being rewritten: the new file is written beside it and renamed over it.
    const reader = await open(workspace.knownHosts, 'r');
    const before = await stat(workspace.knownHosts);
    try {
      await adapter.trustHostKey('gamma');
      expect(await reader.readFile('utf8')).toBe(other);
    } finally {
      await reader.close();
    }
    const after = await stat(workspace.knownHosts);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o600);
    expect((await readdir(workspace.dir)).filter((f) => f.startsWith('known_hosts'))).toEqual(['known_hosts']);
    await waitFor('gamma ok', () => state().status === 'ok');
    expect(await readFile(workspace.knownHosts, 'utf8')).toBe(`${other}[127.0.0.1]:${gamma.port} ${gamma.hostPub}\n`);
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${gamma.port}`, '-f', workspace.knownHosts]).toString()).toContain(gamma.hostPub.split(' ')[1]);
    await expect(collectWithDeadline(watched.resources)).resolves.toMatchObject({ memory: expect.any(Object) });
  });

  test('accept-new connects to a new host and files its key; a changed key is refused even so', async () => {
    const gamma = await startHost('gamma');
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    const { state } = await watch('gamma', { acceptNew: true });
    expect(state().status).toBe('ok');
    expect(await readFile(workspace.knownHosts, 'utf8')).toContain(gamma.hostPub);
    const oldFingerprint = await fingerprintOf(gamma.hostKeyPub);

    await gamma.rotateHostKey();
    await waitFor('gamma refused after the key changed', () => state().status === 'hostkey-refused');
    expect(state().fingerprint).toEqual({ offered: await fingerprintOf(gamma.hostKeyPub), known: oldFingerprint });
    expect(state().error).toMatch(/now offers ssh-ed25519 SHA256:.+, known_hosts has SHA256:/);
    expect(state().hint).toMatch(/CHANGED/);
    expect(accepted(gamma)).toBe(false);
  });

  test('StrictHostKeyChecking accept-new in the ssh config is the same opt-in', async () => {
    const gamma = await startHost('gamma');
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user, extra: ['StrictHostKeyChecking accept-new'] }]);
    const { state } = await watch('gamma');
    expect(state().status).toBe('ok');
  });

  test('a changed key is refused, then trusted explicitly: the old key is replaced', async () => {
    const gamma = await startHost('gamma');
    await workspace.trust(gamma);
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    const { adapter, state } = await watch('gamma');
    expect(state().status).toBe('ok');
    const old = gamma.hostPub;
    await gamma.rotateHostKey();
    await waitFor('gamma refused', () => state().status === 'hostkey-refused');
    await adapter.trustHostKey('gamma');
    await waitFor('gamma ok again', () => state().status === 'ok');
    const text = await readFile(workspace.knownHosts, 'utf8');
    expect(text).toContain(gamma.hostPub);
    expect(text).not.toContain(old);
  });

  test('hashed known_hosts entries are honoured', async () => {
    const gamma = await startHost('gamma');
    await workspace.trust(gamma);
    execFileSync('ssh-keygen', ['-H', '-f', workspace.knownHosts], { stdio: 'ignore' });
    expect(await readFile(workspace.knownHosts, 'utf8')).toMatch(/^\|1\|/);
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    expect((await watch('gamma')).state().status).toBe('ok');
  });

  test('a host with several key types is asked for the one on file', async () => {
    const gamma = await startHost('gamma', ['ed25519', 'rsa']);
    await workspace.trust(gamma, gamma.hostPubs.rsa);
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    expect((await watch('gamma')).state().status).toBe('ok');
  });

  test('a configured extra known_hosts file counts too', async () => {
    const gamma = await startHost('gamma');
    const extra = `${workspace.dir}/team_known_hosts`;
    await writeFile(extra, `[127.0.0.1]:${gamma.port} ${gamma.hostPub}\n`);
    await workspace.writeSshConfig([{ alias: 'gamma', port: gamma.port, user }]);
    expect((await watch('gamma', { knownHosts: [extra] })).state().status).toBe('ok');
  });

  test('ProxyJump: the target is reached through the jump host, each key checked on its own', async () => {
    const jump = await startHost('jump');
    const inner = await startHost('inner');
    await workspace.trust(jump);
    await workspace.writeSshConfig([
      { alias: 'jump', port: jump.port, user },
      { alias: 'inner', port: inner.port, user, extra: ['ProxyJump jump'] },
    ]);
    const { state, adapter } = await watch('inner');
    // The jump host is known, the target is not: refused on the target's key, with the target's name.
    expect(state()).toMatchObject({ status: 'hostkey-refused', fingerprint: { offered: await fingerprintOf(inner.hostKeyPub) } });
    expect(state().error).toContain(`[127.0.0.1]:${inner.port}`);
    await adapter.trustHostKey('inner');
    await waitFor('inner ok', () => state().status === 'ok');
    // The target saw its client come from the jump host's forwarding, not straight from us.
    expect(jump.output).toMatch(/Accepted publickey/);
    expect(inner.output).toMatch(/Accepted publickey/);
  });
});
