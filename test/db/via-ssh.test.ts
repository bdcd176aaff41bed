// `via: HOST` over a real OpenSSH server (the SSH tests' harness, a non-root login): the tunnel factory
// the app builds from the host's SSH connection is, at its core, one ssh2 forwardOut per database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseKind, type DatabaseSource, type TunnelFactory } from '../../src/services/db/index.js';
import { startBastion, type Bastion } from '../harness/bastion.js';
import { tick } from './harness.js';

describe('databases via an SSH host', () => {
  let bastion: Bastion;
  const tunnel: TunnelFactory = (target, signal) => bastion.tunnel(target, signal);
  const sources: DatabaseSource[] = [];

  beforeAll(async () => {
    bastion = await startBastion();
  }, 60_000);

  afterAll(async () => {
    for (const s of sources) await s.close();
    await bastion?.stop();
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
    expect(bastion.forwarded.filter((f) => f === url.replace(/^.*@|^redis:\/\//, '').replace(/\/.*$/, ''))).toHaveLength(1);
  });
});
