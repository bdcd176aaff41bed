// A database reached with `via: HOST` is backed up through that host's SSH connection (the SSH tests'
// harness, a non-root login): the client programs connect to a 0700 unix socket whose connections
// become forwarded channels, so the backup verifies and restores like a direct one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TunnelFactory } from '../../src/services/db/index.js';
import { startBastion, type Bastion } from '../harness/bastion.js';
import { control, listing, mySpec, ownMysql, ownPostgres, pgSpec } from './backup-helpers.js';
import { tempDir } from './harness.js';
import { backupControl } from '../../src/services/backup/index.js';

describe('backups via an SSH host', () => {
  let bastion: Bastion;
  const tunnel: TunnelFactory = (target, signal) => bastion.tunnel(target, signal);
  const dir = tempDir('opsdeck-backup-via-');

  beforeAll(async () => {
    bastion = await startBastion();
  }, 60_000);

  afterAll(async () => {
    await bastion?.stop();
    dir.remove();
  });

  it('PostgreSQL: backed up and restored into a new database through forwarded channels', async () => {
    const db = await ownPostgres(1000);
    const restored = `${db.name}_r`;
    try {
      const backups = backupControl('main', pgSpec(db.name, `${dir.path}/pg`, { via: 'bastion' }), { tunnel });
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      expect(done.verifiedBy).toBe('pg_restore -f /dev/null');
      await backups.restore(done.fileName, { into: restored }, AbortSignal.timeout(60_000), () => undefined);
      expect(await db.counts(restored)).toEqual({ 'public.orders': 1000, 'shop.items': 500 });
      expect(bastion.forwarded.filter((f) => f === '127.0.0.1:5432').length).toBeGreaterThanOrEqual(3);
      expect(listing(`${dir.path}/pg`)).toEqual([done.fileName, `${done.fileName}.sha256`]);
    } finally {
      await db.drop(restored);
      await db.drop();
    }
  });

  it('MariaDB and Redis through the same connection', async () => {
    const db = await ownMysql(300);
    try {
      const shop = backupControl('shop', mySpec(db.name, `${dir.path}/my`, { via: 'bastion' }), { tunnel });
      expect((await shop.testRestore((await shop.backup(AbortSignal.timeout(60_000), () => undefined)).fileName, AbortSignal.timeout(60_000), () => undefined)).ok).toBe(true);
      const cache = backupControl('cache', { redis: 'redis://127.0.0.1:6379', via: 'bastion', backup: { dir: `${dir.path}/rd`, keep: 2 } }, { tunnel });
      expect((await cache.backup(AbortSignal.timeout(60_000), () => undefined)).verifiedBy).toBe('redis-check-rdb');
      expect(bastion.forwarded).toEqual(expect.arrayContaining(['127.0.0.1:3306', '127.0.0.1:6379']));
    } finally {
      await db.drop();
    }
  });

  it('without the SSH connection (opsdeck backup) a via: database is refused with what to do', async () => {
    const backups = control('main', pgSpec('test', `${dir.path}/none`, { via: 'bastion' }));
    await expect(backups.backup(AbortSignal.timeout(10_000), () => undefined)).rejects.toThrow('main is reached through bastion, and this command opens no SSH connection: back it up from the cockpit (b), or run `opsdeck backup main` on bastion');
  });
});
