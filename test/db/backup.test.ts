// Backups of the machine's PostgreSQL and MariaDB and of a Redis of the test's own: each restores to
// the same tables and row counts (or keys), is verified by a full read, and carries a sha256 sidecar
// that `sha256sum -c` accepts; a truncated backup is seen as not verified and its test restore says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { truncateSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DatabaseSpec } from '../../src/domain/database.js';
import { control, listing, mySpec, ownMysql, ownPostgres, pgSpec, progressLog } from './backup-helpers.js';
import { redisSession, startRedis, tempDir } from './harness.js';

const dirs: { remove(): void }[] = [];
function backupDir(): string {
  const dir = tempDir('opsdeck-backup-');
  dirs.push(dir);
  return dir.path;
}
afterAll(() => dirs.forEach((d) => d.remove()));

const sha256sumAccepts = (dir: string, file: string) => spawnSync('sha256sum', ['-c', `${file}.sha256`], { cwd: dir, encoding: 'utf8' });

describe('PostgreSQL', () => {
  it('backs up with pg_dump -Fc, verifies it by a full read, and restores into a new database with the same tables and row counts', async () => {
    const db = await ownPostgres(500);
    const restored = `${db.name}_r`;
    const dir = backupDir();
    try {
      const backups = control('main', pgSpec(db.name, dir));
      const progress = progressLog();
      const done = await backups.backup(AbortSignal.timeout(60_000), progress.report);
      expect(done.fileName).toMatch(/^opsdeck-main-\d{8}T\d{6}\.\d{3}Z\.pgdump$/);
      expect(done.verifiedBy).toBe('pg_restore -f /dev/null');
      expect(listing(dir)).toEqual([done.fileName, `${done.fileName}.sha256`]);
      expect(statSync(done.path).mode & 0o777).toBe(0o600);
      expect(sha256sumAccepts(dir, done.fileName).stdout).toContain(`${done.fileName}: OK`);
      expect(progress.seen.map((p) => p.step)).toEqual(expect.arrayContaining(['checking space', 'verifying', 'checksum']));

      const inventory = await backups.list();
      expect(inventory.files).toMatchObject([{ fileName: done.fileName, verified: true, bytes: done.bytes }]);
      expect(inventory.space.freeBytes).toBeGreaterThan(0);

      const result = await backups.restore(done.fileName, { into: restored }, AbortSignal.timeout(60_000), () => undefined);
      expect(await db.counts(restored)).toEqual(await db.counts());
      expect(await db.counts(restored)).toEqual({ 'public.orders': 500, 'shop.items': 250 });
      expect(result.contents).toEqual([
        { table: 'public.orders', rows: 500 },
        { table: 'shop.items', rows: 250 },
      ]);
    } finally {
      await db.drop(restored);
      await db.drop();
    }
  });

  it('reports a backup truncated after it finished as not verified, refuses to restore it, and its test restore says why', async () => {
    const db = await ownPostgres(2000);
    const dir = backupDir();
    try {
      const backups = control('main', pgSpec(db.name, dir));
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      truncateSync(done.path, Math.floor(done.bytes / 2));
      const [file] = (await backups.list()).files;
      expect(file).toMatchObject({ verified: false, problem: expect.stringContaining('changed since') });
      await expect(backups.restore(done.fileName, { into: `${db.name}_r` }, AbortSignal.timeout(60_000), () => undefined)).rejects.toThrow(/sha256 .* differs/);
      const test = await backups.testRestore(done.fileName, AbortSignal.timeout(60_000), () => undefined);
      expect(test).toMatchObject({ ok: false, message: expect.stringMatching(/not restorable: .*sha256/) });
      expect(readFileSync(`${done.path}.sha256`, 'utf8')).toContain('"ok":false');
    } finally {
      await db.drop();
    }
  });

  it('test-restores into a scratch database, compares tables and row counts with the source, drops it and records the result', async () => {
    const db = await ownPostgres(300);
    const dir = backupDir();
    try {
      // A name of its own: other files test-restore their own 'main' at the same time.
      const name = `tr_${Date.now().toString(36)}`;
      const backups = control(name, pgSpec(db.name, dir));
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      const test = await backups.testRestore(done.fileName, AbortSignal.timeout(60_000), () => undefined);
      expect(test).toMatchObject({ ok: true, message: 'restored 2 tables, 450 rows, the same as the source', differences: [] });
      const client = await (await import('./harness.js')).pgSession();
      const scratch = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`opsdeck_check_${name}_%`]);
      await client.end();
      expect(scratch.rows).toEqual([]);
      expect((await backups.list()).files[0]?.record?.testRestore).toMatchObject({ ok: true });
    } finally {
      await db.drop();
    }
  });
});

describe('MariaDB', () => {
  it('backs up with mysqldump | gzip, verified by gzip and its trailer, and restores into a new database with the same tables, row counts and routine', async () => {
    const db = await ownMysql(400);
    const restored = `${db.name}_r`;
    const dir = backupDir();
    try {
      const backups = control('shop', mySpec(db.name, dir));
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      expect(done.fileName).toMatch(/^opsdeck-shop-.*\.sql\.gz$/);
      expect(done.verifiedBy).toBe('gzip -dc, trailer');
      expect(execFileSync('gzip', ['-dc', done.path]).toString()).toMatch(/-- Dump completed on .*\n$/);
      expect(sha256sumAccepts(dir, done.fileName).status).toBe(0);
      await backups.restore(done.fileName, { into: restored }, AbortSignal.timeout(60_000), () => undefined);
      expect(await db.counts(restored)).toEqual({ items: 200, orders: 400 });
      const { mySession } = await import('./harness.js');
      const s = await mySession();
      const [rows] = await s.query(`SELECT \`${restored}\`.twice(21) AS v`);
      await s.end();
      expect(rows).toEqual([{ v: 42 }]);
    } finally {
      await db.drop(restored);
      await db.drop();
    }
  });

  it('a truncated gzip dump fails its test restore', async () => {
    const db = await ownMysql(5000);
    const dir = backupDir();
    try {
      const backups = control('shop', mySpec(db.name, dir));
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      truncateSync(done.path, done.bytes - 100);
      expect((await backups.list()).files[0]).toMatchObject({ verified: false });
      expect(await backups.testRestore(done.fileName, AbortSignal.timeout(60_000), () => undefined)).toMatchObject({ ok: false });
    } finally {
      await db.drop();
    }
  });
});

describe('Redis', () => {
  it('backs up after BGSAVE with redis-cli --rdb, verified by redis-check-rdb; a scratch server loaded from it has the same keys', async () => {
    const redis = await startRedis();
    const dir = backupDir();
    try {
      const client = await redisSession(redis.port);
      for (let i = 0; i < 50; i++) await client.set(`bk:key:${i}`, `value ${i}`);
      await client.select(3);
      await client.hset('bk:hash', { a: '1', b: '2' });
      client.disconnect();
      const spec = { redis: `redis://127.0.0.1:${redis.port}`, backup: { dir, keep: 3 } } as DatabaseSpec & { backup: { dir: string; keep: number } };
      const backups = control('cache', spec);
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      expect(done.fileName).toMatch(/\.rdb$/);
      expect(done.verifiedBy).toBe('redis-check-rdb');
      expect(done.notes).toEqual([]);
      const test = await backups.testRestore(done.fileName, AbortSignal.timeout(60_000), () => undefined);
      expect(test).toMatchObject({ ok: true, message: 'restored 51 keys in 2 db, the same as the source' });

      // The keys themselves, from a server of the test's own started on the backup.
      const copy = await startRedis(['--dir', dir, '--dbfilename', done.fileName]);
      try {
        const restored = await redisSession(copy.port);
        expect((await restored.keys('bk:key:*')).length).toBe(50);
        expect(await restored.get('bk:key:7')).toBe('value 7');
        await restored.select(3);
        expect(await restored.hgetall('bk:hash')).toEqual({ a: '1', b: '2' });
        restored.disconnect();
      } finally {
        await copy.stop();
      }
    } finally {
      await redis.stop();
    }
  });
});

describe('what a backup directory holds', () => {
  it('lists only opsdeck\'s own files of that database', async () => {
    const db = await ownPostgres(10);
    const dir = backupDir();
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'manual-copy.pgdump'), 'x');
      writeFileSync(join(dir, 'opsdeck-other-20260101T000000.000Z.pgdump'), 'x');
      const backups = control('main', pgSpec(db.name, dir));
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      expect((await backups.list()).files.map((f) => f.fileName)).toEqual([done.fileName]);
    } finally {
      await db.drop();
    }
  });
});
