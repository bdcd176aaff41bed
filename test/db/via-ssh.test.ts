// `via: HOST` over a real OpenSSH server (the SSH tests' harness, a non-root login): the tunnel factory
// the app builds from the host's SSH connection is, at its core, one ssh2 forwardOut per database.
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseKind, type DatabaseSource, type TunnelFactory } from '../../src/services/db/index.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { tick } from './harness.js';

describe('databases via an SSH host', () => {
  let workspace: Workspace;
  let host: SshdHost;
  let client: Client;
  const sources: DatabaseSource[] = [];
  const forwarded: string[] = [];

  const tunnel: TunnelFactory = ({ host: to, port }) =>
    new Promise((resolve, reject) => {
      forwarded.push(`${to}:${port}`);
      client.forwardOut('127.0.0.1', 0, to, port, (error, channel) => (error ? reject(error) : resolve(channel)));
    });

  beforeAll(async () => {
    const user = await ensureTestUser();
    workspace = await Workspace.create();
    host = await SshdHost.start(workspace, 'bastion');
    client = new Client();
    const expected = Buffer.from(host.hostPub.split(' ')[1]!, 'base64');
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({
        host: '127.0.0.1',
        port: host.port,
        username: user.name,
        privateKey: readFileSync(workspace.clientKey),
        hostVerifier: (key: Buffer) => key.equals(expected),
      });
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of sources) await s.close();
    client?.end();
    await host?.stop();
    await workspace?.cleanup();
  });

  it.each<[DatabaseKind, string]>([
    ['postgres', 'postgres://postgres@127.0.0.1:5432/test'],
    ['mysql', 'mysql://root@127.0.0.1:3306/test'],
    ['redis', 'redis://127.0.0.1:6379'],
  ])('reads %s through a forwarded channel, host and port as the SSH host sees them', async (kind, url) => {
    const source = createDatabaseSource(`${kind}-via`, { [kind]: url, via: 'bastion' }, { tunnel });
    sources.push(source);
    const first = await tick(source);
    const second = await tick(source);
    expect(first.kind).toBe(kind);
    expect(second.intervalSec).toBeGreaterThan(0);
    expect(source.host).toBe('bastion');
    expect(forwarded.filter((f) => f === url.replace(/^.*@|^redis:\/\//, '').replace(/\/.*$/, ''))).toHaveLength(1);
  });
});
