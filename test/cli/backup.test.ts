// `opsdeck backup|restore|test-restore` as a systemd timer or an operator runs them: the built CLI on
// the machine's PostgreSQL, exit codes, --format json, the audit trail, read-only, and what a kill -9
// of opsdeck itself half-way leaves (nothing under a final name; the next run clears the rest).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockName, sidecarName } from '../../src/domain/backup.js';
import { CLI, runCliAsync } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { listing, ownPostgres, writingTemp } from '../db/backup-helpers.js';
import { childOf } from '../harness/processes.js';
import { PG } from '../db/harness.js';

const root = mkdtempSync(join(tmpdir(), 'opsdeck-cli-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Setup {
  dir: string;
  config: string;
  audit: string;
  env: NodeJS.ProcessEnv;
}

let count = 0;
function setup(database: string, keep = 5): Setup {
  const base = join(root, String(count++));
  const dir = join(base, 'backups');
  const config = join(base, 'config.yaml');
  const audit = join(base, 'audit.jsonl');
  spawnSync('mkdir', ['-p', base]);
  writeFileSync(config, `hosts:\n  local: {local: true}\ndatabases:\n  main: {postgres: "postgres://${PG.user}@127.0.0.1:${PG.port}/${database}", backup: {dir: ${dir}, keep: ${keep}}}\n`);
  return { dir, config, audit, env: { OPSDECK_AUDIT_LOG: audit } };
}

const backupJson = async (s: Setup, extra: string[] = []) => {
  const run = await runCliAsync(['backup', 'main', '--config', s.config, '--format', 'json', ...extra], s.env, 120_000);
  return { ...run, json: run.stdout ? (JSON.parse(run.stdout) as { outcome: string; message: string; auditId: string; result?: Record<string, unknown> }) : undefined };
};
const auditRecords = (s: Setup) => readFileSync(s.audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const intact = (dir: string, file: string) => spawnSync('sha256sum', ['-c', sidecarName(file)], { cwd: dir, encoding: 'utf8' }).stdout.trim() === `${file}: OK`;

describe('opsdeck backup', () => {
  it('backs up, prints the result as json, exits 0, and audits before and after under one id', async () => {
    const db = await ownPostgres(100);
    const s = setup(db.name);
    try {
      const { code, json } = await backupJson(s);
      expect(code).toBe(0);
      expect(json).toMatchObject({ outcome: 'ok', message: expect.stringMatching(/^backup of main verified: opsdeck-main-.*\.pgdump/) });
      const file = json!.result!.fileName as string;
      expect(readFileSync(join(s.dir, sidecarName(file)), 'utf8')).toContain(json!.result!.sha256 as string);
      expect(auditRecords(s)).toMatchObject([
        { id: json!.auditId, action: 'db.backup', target: 'backup:main', outcome: 'started' },
        { id: json!.auditId, action: 'db.backup', outcome: 'ok', result: { fileName: file } },
      ]);
    } finally {
      await db.drop();
    }
  });

  it('under --read-only refuses, writes nothing, exits 1 and audits the refusal', async () => {
    const db = await ownPostgres(10);
    const s = setup(db.name);
    try {
      const { code, json } = await backupJson(s, ['--read-only']);
      expect(code).toBe(1);
      expect(json).toMatchObject({ outcome: 'refused', message: 'read-only: "back up main" refused' });
      expect(existsSync(s.dir)).toBe(false);
      expect(auditRecords(s)).toMatchObject([{ action: 'db.backup', outcome: 'refused', error: 'read-only: "back up main" refused' }]);
    } finally {
      await db.drop();
    }
  });

  it('an unknown database is a usage error (exit 2) naming those with backups', async () => {
    const s = setup('x');
    const { code, stderr } = await runCliAsync(['backup', 'nope', '--config', s.config], s.env);
    expect(code).toBe(2);
    expect(stderr).toContain('no database "nope" with backup: in');
    expect(stderr).toContain('those with backup: main');
  });

  it('a second backup from another process while one runs is refused (exit 1), naming the running one\'s pid', async () => {
    const db = await ownPostgres(200_000);
    const s = setup(db.name);
    try {
      const first = spawn(process.execPath, [CLI, 'backup', 'main', '--config', s.config], { env: { ...process.env, ...s.env }, stdio: 'ignore' });
      const firstEnded = new Promise<number | null>((resolve) => first.on('exit', resolve));
      const dump = await waitFor('the first backup\'s pg_dump', () => childOf(first.pid!, 'pg_dump'), 30_000, 5);
      process.kill(dump, 'SIGSTOP');
      try {
        const { code, json } = await backupJson(s);
        expect(code).toBe(1);
        expect(json).toMatchObject({ outcome: 'refused', message: expect.stringContaining(`a backup of main is already running (pid ${first.pid} on `) });
      } finally {
        process.kill(dump, 'SIGCONT');
      }
      expect(await firstEnded).toBe(0);
    } finally {
      await db.drop();
    }
  });

  it('kill -9 of opsdeck half-way leaves no file under a final name and the earlier backup intact; the next backup clears the stale lock and temporary file', async () => {
    const db = await ownPostgres(300_000);
    const s = setup(db.name);
    try {
      const earlier = (await backupJson(s)).json!.result!.fileName as string;
      const victim = spawn(process.execPath, [CLI, 'backup', 'main', '--config', s.config], { env: { ...process.env, ...s.env }, stdio: 'ignore' });
      const ended = new Promise((resolve) => victim.on('exit', resolve));
      const temp = await waitFor('the dump under its temporary name', () => writingTemp(s.dir), 30_000, 5);
      victim.kill('SIGKILL');
      await ended;
      const left = listing(s.dir);
      expect(left.filter((n) => !n.startsWith('.'))).toEqual([earlier, sidecarName(earlier)]);
      expect(left).toContain(lockName('main'));
      expect(intact(s.dir, earlier)).toBe(true);

      const { code, json } = await backupJson(s);
      expect(code).toBe(0);
      expect(json!.result!.staleLock).toContain(`pid ${victim.pid} on `);
      expect(json!.result!.cleaned).toEqual(left.includes(temp.name) ? [temp.name] : []);
      expect(json!.message).toContain('took over the stale lock');
      const made = json!.result!.fileName as string;
      expect(listing(s.dir)).toEqual([earlier, made, sidecarName(earlier), sidecarName(made)].sort());
    } finally {
      await db.drop();
    }
  });
});

describe('opsdeck snapshot', () => {
  it('reports a backup truncated after it finished as not verified, and the database without a verified backup as crit', async () => {
    const db = await ownPostgres(2000);
    const s = setup(db.name);
    try {
      const file = (await backupJson(s)).json!.result!.fileName as string;
      const healthy = JSON.parse((await runCliAsync(['snapshot', '--config', s.config, '--format', 'json'], s.env)).stdout) as { backups: Record<string, { level: string; files: { verified: boolean }[] }> };
      expect(healthy.backups.main).toMatchObject({ level: 'ok', files: [{ verified: true }] });

      truncateSync(join(s.dir, file), 100);
      const run = await runCliAsync(['snapshot', '--config', s.config, '--format', 'json'], s.env);
      const report = JSON.parse(run.stdout) as { backups: Record<string, unknown>; hosts: Record<string, { level: string }> };
      expect(report.backups.main).toMatchObject({ level: 'crit', latestVerifiedAt: null, files: [{ file, bytes: 100, verified: false, problem: expect.stringMatching(/^changed since verified: 100B, was [\d.]+[KM]$/) }] });
      expect(report.hosts.local?.level).toBe('crit');
      const markdown = (await runCliAsync(['snapshot', '--config', s.config, '--format', 'markdown'], s.env)).stdout;
      expect(markdown).toMatch(/\| main \| \*\*crit\*\* \| no verified backup \(crit\), 1 file, 1 not verified, .* free in /);
    } finally {
      await db.drop();
    }
  });
  it('reports a backup directory that cannot be read as crit, with its path and errno text', async () => {
    const s = setup('test');
    writeFileSync(join(s.dir, '..', 'afile'), '');
    writeFileSync(s.config, readFileSync(s.config, 'utf8').replace(`dir: ${s.dir}`, `dir: ${join(s.dir, '..', 'afile', 'sub')}`));
    const reason = `ENOTDIR: not a directory, scandir '${join(s.dir, '..', 'afile', 'sub')}'`;
    const report = JSON.parse((await runCliAsync(['snapshot', '--config', s.config, '--format', 'json'], s.env)).stdout) as { backups: Record<string, unknown>; hosts: Record<string, { level: string }>; summary: { worst: string; findings: unknown[] } };
    expect(report.backups.main).toMatchObject({ level: 'crit', error: reason, latestVerifiedAt: null });
    expect(report.hosts.local?.level).toBe('crit');
    // What --fail-on and a cron job read says so too.
    expect(report.summary.worst).toBe('crit');
    expect(report.summary.findings).toContainEqual({ level: 'crit', subject: 'backup main', reason: `unreadable (crit): ${reason}` });
    expect((await runCliAsync(['snapshot', '--config', s.config, '--format', 'json', '--fail-on', 'crit'], s.env)).code).toBe(1);
    expect((await runCliAsync(['snapshot', '--config', s.config, '--format', 'text'], s.env)).stdout).toContain(`backups main: unreadable (crit): ${reason}`);
  });
});

describe('opsdeck restore', () => {
  it('--into a new database restores the same rows; --replace needs the name confirmed, then puts the live database back as it was', async () => {
    const db = await ownPostgres(120);
    const s = setup(db.name);
    const copy = `${db.name}_copy`;
    try {
      const file = (await backupJson(s)).json!.result!.fileName as string;
      const into = await runCliAsync(['restore', 'main', file, '--into', copy, '--config', s.config], s.env, 120_000);
      expect(into.code).toBe(0);
      expect(into.stdout).toContain(`restored ${file} into ${copy}`);
      expect(await db.counts(copy)).toEqual(await db.counts());

      const { default: pg } = await import('pg');
      const live = new pg.Client({ ...PG, database: db.name });
      await live.connect();
      await live.query('DELETE FROM orders WHERE id > 20');
      await live.end();
      expect((await db.counts())['public.orders']).toBe(20);

      const unconfirmed = await runCliAsync(['restore', 'main', file, '--replace', '--config', s.config], s.env, 60_000);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain('--yes --confirm main');
      const wrong = await runCliAsync(['restore', 'main', file, '--replace', '--yes', '--confirm', 'other', '--config', s.config], s.env, 60_000);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('not confirmed: main was not replaced');
      expect((await db.counts())['public.orders']).toBe(20);

      const replaced = await runCliAsync(['restore', 'main', file, '--replace', '--yes', '--confirm', 'main', '--config', s.config], s.env, 120_000);
      expect(replaced.code).toBe(0);
      expect((await db.counts())['public.orders']).toBe(120);
      expect(auditRecords(s).filter((r) => r.action === 'db.restore').map((r) => r.outcome)).toEqual(['started', 'ok', 'started', 'ok']);
    } finally {
      await db.drop(copy);
      await db.drop();
    }
  });

  it('test-restore compares with the source and exits 0 when they match', async () => {
    const db = await ownPostgres(50);
    const s = setup(db.name);
    try {
      const file = (await backupJson(s)).json!.result!.fileName as string;
      const run = await runCliAsync(['test-restore', 'main', file, '--config', s.config, '--format', 'json'], s.env, 120_000);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'ok', result: { ok: true, message: 'restored 2 tables, 75 rows, the same as the source' } });
    } finally {
      await db.drop();
    }
  });
});
