// How a backup fails without losing anything: a dump killed half-way, a run that died leaving its
// lock and temporary file, a filesystem that fills up during the dump or is too small from the start,
// a second backup of the same database; and a password never shown in any process's argv.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupFileName, lockName, sidecarName, tempName } from '../../src/domain/backup.js';
import { waitFor } from '../helpers/wait.js';
import { childOf, running } from '../harness/processes.js';
import { allCommandLines, control, listing, mySpec, ownMysql, ownPostgres, pgSpec, unique, writingTemp } from './backup-helpers.js';
import { mySession, pgSession, startRedis, tempDir } from './harness.js';

const dirs: { remove(): void }[] = [];
function backupDir(): string {
  const dir = tempDir('opsdeck-backup-');
  dirs.push(dir);
  return dir.path;
}
afterAll(() => dirs.forEach((d) => d.remove()));

const intact = (dir: string, file: string) => spawnSync('sha256sum', ['-c', sidecarName(file)], { cwd: dir, encoding: 'utf8' }).stdout.trim() === `${file}: OK`;

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

/** A tmpfs of `size` mounted for the test (the test runs as root, as CI does). */
function tmpfs(size: string): { path: string; remove(): void } {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs and must run as root (CI does)');
  const path = mkdtempSync(join(tmpdir(), 'opsdeck-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', path]);
  return {
    path,
    remove() {
      spawnSync('umount', [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

describe('a backup that does not finish leaves nothing under a final name', () => {
  it('kill -9 of pg_dump half-way: the error says so, the temporary file is gone, the earlier backup is intact', async () => {
    const db = await ownPostgres(300_000);
    const dir = backupDir();
    try {
      const backups = control('main', pgSpec(db.name, dir));
      const first = await backups.backup(AbortSignal.timeout(120_000), () => undefined);
      const running = backups.backup(AbortSignal.timeout(120_000), () => undefined);
      running.catch(() => undefined);
      const pid = await waitFor('pg_dump running', () => childOf(process.pid, 'pg_dump'), 30_000, 5);
      await waitFor('the dump under its temporary name', () => writingTemp(dir), 30_000, 5);
      process.kill(pid, 'SIGKILL');
      await expect(running).rejects.toThrow(/pg_dump was killed by SIGKILL/);
      expect(listing(dir)).toEqual([first.fileName, sidecarName(first.fileName)]);
      expect(intact(dir, first.fileName)).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('cancelled (the operation\'s signal): pg_dump is stopped and nothing is kept', async () => {
    const db = await ownPostgres(300_000);
    const dir = backupDir();
    try {
      const backups = control('main', pgSpec(db.name, dir));
      const controller = new AbortController();
      const backup = backups.backup(controller.signal, () => undefined);
      backup.catch(() => undefined);
      const pid = await waitFor('pg_dump running', () => childOf(process.pid, 'pg_dump'), 30_000, 5);
      await waitFor('the dump under its temporary name', () => writingTemp(dir), 30_000, 5);
      controller.abort();
      await expect(backup).rejects.toThrow();
      expect(listing(dir)).toEqual([]);
      await waitFor('pg_dump gone', () => !running(pid));
    } finally {
      await db.drop();
    }
  });

  it('the lock and temporary file of a run that died are recognised as stale and cleared by the next backup', async () => {
    const db = await ownPostgres(10);
    const dir = backupDir();
    try {
      const dead = deadPid();
      const leftover = backupFileName('main', 'postgres', Date.now() - 60_000);
      writeFileSync(join(dir, lockName('main')), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), startedAt: Date.now() - 60_000 }));
      writeFileSync(join(dir, tempName(leftover)), 'half a dump');
      writeFileSync(join(dir, sidecarName(leftover)), 'a sidecar whose backup never got its name');
      const done = await control('main', pgSpec(db.name, dir)).backup(AbortSignal.timeout(60_000), () => undefined);
      expect(done.staleLock).toContain(`pid ${dead}`);
      expect(done.cleaned.sort()).toEqual([tempName(leftover), sidecarName(leftover)].sort());
      expect(listing(dir)).toEqual([done.fileName, sidecarName(done.fileName)]);
    } finally {
      await db.drop();
    }
  });

  it('a second backup of the same database while one runs is refused, naming the one running', async () => {
    const db = await ownPostgres(200_000);
    const dir = backupDir();
    try {
      const backups = control('main', pgSpec(db.name, dir));
      const first = backups.backup(AbortSignal.timeout(120_000), () => undefined);
      const pid = await waitFor('pg_dump running', () => childOf(process.pid, 'pg_dump'), 30_000, 5);
      process.kill(pid, 'SIGSTOP');
      try {
        await expect(backups.backup(AbortSignal.timeout(60_000), () => undefined)).rejects.toThrow(new RegExp(`a backup of main is already running \\(pid ${process.pid} on `));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const done = await first;
      expect(listing(dir)).toEqual([done.fileName, sidecarName(done.fileName)]);
    } finally {
      await db.drop();
    }
  });
});

describe('space', () => {
  it('a filesystem that fills up during the dump: a clear error, the earlier backup intact, nothing else left', async () => {
    const db = await ownPostgres(150_000);
    const fs = tmpfs('48m');
    try {
      const backups = control('main', pgSpec(db.name, fs.path));
      const first = await backups.backup(AbortSignal.timeout(120_000), () => undefined);
      const running = backups.backup(AbortSignal.timeout(120_000), () => undefined);
      running.catch(() => undefined);
      const pid = await waitFor('pg_dump running', () => childOf(process.pid, 'pg_dump'), 30_000, 5);
      process.kill(pid, 'SIGSTOP');
      // Another writer takes every free byte while the dump is paused.
      spawnSync('sh', ['-c', `cat /dev/zero > ${join(fs.path, 'filler')}`]);
      process.kill(pid, 'SIGCONT');
      await expect(running).rejects.toThrow(/^the backup filesystem is full: writing .*\.partial failed after .* \(ENOSPC\); nothing was kept under a final name$/);
      expect(listing(fs.path)).toEqual(['filler', first.fileName, sidecarName(first.fileName)].sort());
      expect(intact(fs.path, first.fileName)).toBe(true);
    } finally {
      fs.remove();
      await db.drop();
    }
  });

  it('a database larger than the free space is refused before anything is written', async () => {
    const db = await ownPostgres(10);
    const fs = tmpfs('1m');
    try {
      await expect(control('main', pgSpec(db.name, fs.path)).backup(AbortSignal.timeout(60_000), () => undefined)).rejects.toThrow(
        /^refused before starting: main is [\d.]+M \(pg_database_size\) and .* has \d+K free$/,
      );
      expect(listing(fs.path)).toEqual([]);
    } finally {
      fs.remove();
      await db.drop();
    }
  });
});


describe('secrets', () => {
  it('while a MariaDB backup with a password runs, no process shows the password in its argv; the option file is 0600 and removed after', async () => {
    const db = await ownMysql(200_000);
    const user = unique('bk_user').slice(0, 32);
    const password = `p"w\\ #x'y ${unique('s')}`;
    const admin = await mySession();
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await admin.query(`GRANT ALL ON \`${db.name}\`.* TO ?@?`, [user, '%']);
    await admin.query('GRANT SELECT ON mysql.proc TO ?@?', [user, '%']);
    const dir = backupDir();
    try {
      const env = { ...process.env, OPSDECK_TEST_MY_PW: password };
      const backups = control('shop', mySpec(db.name, dir, { user, passwordEnv: 'OPSDECK_TEST_MY_PW' }), env);
      const running = backups.backup(AbortSignal.timeout(120_000), () => undefined);
      let settled = false;
      running.then(
        () => (settled = true),
        () => (settled = true),
      );
      const leaks: string[] = [];
      let sawDump = false;
      while (!settled) {
        for (const [pid, argv] of allCommandLines()) {
          if (argv.includes(password) || argv.includes(password.slice(0, 8))) leaks.push(`${pid}: ${argv}`);
          if (argv.startsWith('mysqldump ')) {
            sawDump = true;
            const optionFile = /--defaults-extra-file=(\S+)/.exec(argv)?.[1];
            if (optionFile && existsFile(optionFile)) expect(statSync(optionFile).mode & 0o777).toBe(0o600);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const done = await running;
      expect(leaks).toEqual([]);
      expect(sawDump).toBe(true);
      expect(readFileSync(`${done.path}.sha256`, 'utf8')).not.toContain(password);
      expect(listing(tmpdir()).filter((n) => n.startsWith('opsdeck-my-'))).toEqual([]);
    } finally {
      await admin.query('DROP USER ?@?', [user, '%']);
      await admin.end();
      await db.drop();
    }
  });

  it('Redis gets its password through REDISCLI_AUTH, never argv, and a wrong one fails the backup', async () => {
    const password = `rd pw ${unique('s')}`;
    const redis = await startRedis(['--requirepass', password]);
    const dir = backupDir();
    try {
      const spec = { redis: `redis://127.0.0.1:${redis.port}`, passwordEnv: 'OPSDECK_TEST_RD_PW', backup: { dir, keep: 2 } };
      const running = control('cache', spec, { ...process.env, OPSDECK_TEST_RD_PW: password }).backup(AbortSignal.timeout(60_000), () => undefined);
      let settled = false;
      running.then(
        () => (settled = true),
        () => (settled = true),
      );
      const leaks: string[] = [];
      while (!settled) {
        for (const [pid, argv] of allCommandLines()) if (argv.includes(password)) leaks.push(`${pid}: ${argv}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect((await running).verifiedBy).toBe('redis-check-rdb');
      expect(leaks).toEqual([]);
      await expect(control('cache', spec, { ...process.env, OPSDECK_TEST_RD_PW: 'wrong' }).backup(AbortSignal.timeout(60_000), () => undefined)).rejects.toThrow('reading the Redis memory size: AUTH failed: WRONGPASS invalid username-password pair or user is disabled.');
      expect(listing(dir).filter((n) => n.startsWith('.'))).toEqual([]);
    } finally {
      await redis.stop();
    }
  });

  it('PostgreSQL gets its password through the environment, never argv', async () => {
    const db = await ownPostgres(100_000);
    const role = unique('bk_role');
    const password = `pg'pw ${unique('s')}`;
    const admin = await pgSession();
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
    await admin.query(`GRANT pg_read_all_data TO ${role}`);
    const dir = backupDir();
    try {
      const env = { ...process.env, OPSDECK_TEST_PG_PW: password };
      const backups = control('main', pgSpec(db.name, dir, { user: role, passwordEnv: 'OPSDECK_TEST_PG_PW' }), env);
      const running = backups.backup(AbortSignal.timeout(120_000), () => undefined);
      let settled = false;
      running.then(
        () => (settled = true),
        () => (settled = true),
      );
      const leaks: string[] = [];
      let sawDump = false;
      while (!settled) {
        for (const [pid, argv] of allCommandLines()) {
          if (argv.includes(password)) leaks.push(`${pid}: ${argv}`);
          if (/pg_dump -Fc/.test(argv)) sawDump = true;
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await running;
      expect(leaks).toEqual([]);
      expect(sawDump).toBe(true);
    } finally {
      await db.drop();
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });
});

function existsFile(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
