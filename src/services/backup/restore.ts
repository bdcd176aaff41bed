// Restoring a backup: its sha256 checked against its sidecar first; into a new database (created
// here, dropped again if the load fails) or over the live one; then what the restored database holds
// (tables and exact row counts). A test restore does that into a scratch database (Redis: a scratch
// server on a unix socket), compares it with the source, drops it and records the result.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { formatSidecar, parseBackupFileName, parseSidecar, sidecarName, tempName, type BackupProgress, type BackupRecord, type RestoreSummary, type RestoreTarget, type TableCount, type TestRestoreSummary } from '../../domain/backup.js';
import { checkDatabaseName, loadCommand, queryCommand, redisCommand, withClientOptions, type BackupConnection } from './clients.js';
import type { BackupPlan } from './backup.js';
import { BackupError, endingProblem, query, redisReply, runClient, startClient } from './process.js';
import { sha256Of } from './verify.js';

const quotePg = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteMy = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** The file a restore names, in the backup directory unless given as a path; its sidecar beside it. */
function backupPath(plan: BackupPlan, file: string): { path: string; fileName: string } {
  const path = file.includes('/') ? file : join(plan.dir, file);
  const fileName = basename(path);
  if (parseBackupFileName(plan.name, plan.connection.kind, fileName) === undefined) throw new BackupError(`${fileName} is not a ${plan.connection.kind} backup of ${plan.name} written by opsdeck (opsdeck-${plan.name}-…)`);
  return { path, fileName };
}

async function readRecord(path: string, fileName: string): Promise<BackupRecord> {
  const text = await readFile(`${path}.sha256`, 'utf8').catch(() => undefined);
  if (text === undefined) throw new BackupError(`${fileName} has no checksum file (${fileName}.sha256): it was never verified, refusing to restore it`);
  const record = parseSidecar(text, fileName);
  if ('error' in record) throw new BackupError(`${fileName}.sha256: ${record.error}`);
  return record;
}

/** The backup's sha256 against its sidecar: a restore never loads a file that is not the one verified. */
async function checkedRecord(path: string, fileName: string, signal: AbortSignal): Promise<BackupRecord> {
  const record = await readRecord(path, fileName);
  const actual = await sha256Of(path, signal).catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
  if (actual !== record.sha256) throw new BackupError(`${fileName}: sha256 ${actual.slice(0, 12)}… differs from ${record.sha256.slice(0, 12)}… recorded when it was verified: the file changed since, refusing to restore it`);
  return record;
}

/** Tables and exact row counts of `database` (PostgreSQL, MySQL). */
async function tableCounts(c: BackupConnection, optionFile: string | undefined, database: string, signal: AbortSignal): Promise<TableCount[]> {
  if (c.kind === 'postgres') {
    const sql = `SELECT format('%I.%I', table_schema, table_name), (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
      FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1`;
    const out = await query(queryCommand(c, optionFile, sql, database), signal, `counting the rows of ${database}`);
    return out.split('\n').filter(Boolean).map((line) => {
      const [table = '', rows = '0'] = line.split('\t');
      return { table, rows: Number(rows) };
    });
  }
  const listed = await query(queryCommand(c, optionFile, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1", database), signal, `listing the tables of ${database}`);
  const tables = listed.split('\n').filter(Boolean);
  if (tables.length === 0) return [];
  // Exact counts (information_schema's table_rows is an estimate for InnoDB), matched back by position.
  const sql = tables.map((t, i) => `SELECT ${i}, COUNT(*) FROM ${quoteMy(t)}`).join(' UNION ALL ');
  const out = await query(queryCommand(c, optionFile, sql, database), signal, `counting the rows of ${database}`);
  const counts = new Map(out.split('\n').filter(Boolean).map((line) => line.split('\t').map(Number) as [number, number]));
  return tables.map((table, i) => ({ table, rows: counts.get(i) ?? 0 }));
}

async function runSql(c: BackupConnection, optionFile: string | undefined, sql: string, database: string | undefined, signal: AbortSignal, what: string): Promise<void> {
  await query(queryCommand(c, optionFile, sql, database), signal, what);
}

/** Loads the backup into `database` (PostgreSQL: pg_restore; MySQL: the gunzipped dump into mysql). */
async function load(c: BackupConnection, optionFile: string | undefined, database: string, path: string, replace: boolean, signal: AbortSignal): Promise<void> {
  const command = loadCommand(c, optionFile, database, path, replace);
  const input = c.kind === 'mysql' ? createReadStream(path).pipe(createGunzip()) : undefined;
  const result = await runClient(command, signal, input);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  const problem = endingProblem(command.file, result);
  if (problem) throw new BackupError(`loading into ${database}: ${problem}`);
}

async function createDatabase(c: BackupConnection, optionFile: string | undefined, name: string, signal: AbortSignal): Promise<void> {
  const problem = checkDatabaseName(name);
  if (problem) throw new BackupError(problem);
  // Plain CREATE: a database that exists already is an error, never restored over.
  if (c.kind === 'postgres') await runSql(c, optionFile, `CREATE DATABASE ${quotePg(name)}`, c.database, signal, `creating database ${name}`);
  else await runSql(c, optionFile, `CREATE DATABASE ${quoteMy(name)}`, undefined, signal, `creating database ${name}`);
}

async function dropDatabase(c: BackupConnection, optionFile: string | undefined, name: string): Promise<void> {
  // Its own deadline: a cleanup must run even when the operation's signal has fired.
  const signal = AbortSignal.timeout(60_000);
  if (c.kind === 'postgres') await runSql(c, optionFile, `DROP DATABASE IF EXISTS ${quotePg(name)} WITH (FORCE)`, c.database, signal, `dropping ${name}`);
  else await runSql(c, optionFile, `DROP DATABASE IF EXISTS ${quoteMy(name)}`, undefined, signal, `dropping ${name}`);
}

/** A new database holding the backup; dropped again when the load fails, so a failed restore leaves nothing. */
async function restoreInto(c: BackupConnection, optionFile: string | undefined, name: string, path: string, signal: AbortSignal): Promise<TableCount[]> {
  await createDatabase(c, optionFile, name, signal);
  try {
    await load(c, optionFile, name, path, false, signal);
    return await tableCounts(c, optionFile, name, signal);
  } catch (error) {
    await dropDatabase(c, optionFile, name).catch(() => undefined);
    throw error;
  }
}

function redisUnsupported(plan: BackupPlan): never {
  throw new BackupError(`${plan.name} is Redis: an RDB is restored by stopping the server, putting the file in its dir as its dbfilename and starting it; opsdeck only test-restores it (into a scratch server)`);
}

export async function restoreBackup(plan: BackupPlan, file: string, target: RestoreTarget, signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<RestoreSummary> {
  const startedAt = Date.now();
  const c = plan.connection;
  if (c.kind === 'redis') redisUnsupported(plan);
  const { path, fileName } = backupPath(plan, file);
  progress({ step: 'checking sha256', bytes: 0, startedAt });
  await checkedRecord(path, fileName, signal);
  return withClientOptions(c, async (optionFile) => {
    progress({ step: 'restoring', bytes: 0, startedAt });
    if ('into' in target) {
      const contents = await restoreInto(c, optionFile, target.into, path, signal);
      return { database: target.into, fileName, elapsedMs: Date.now() - startedAt, contents };
    }
    const live = c.database ?? '';
    await load(c, optionFile, live, path, true, signal);
    return { database: live, fileName, elapsedMs: Date.now() - startedAt, contents: await tableCounts(c, optionFile, live, signal) };
  });
}

/** Keys per Redis db from `INFO keyspace` ("db0:keys=3,expires=0,..."). */
function keyspaceCounts(info: string): TableCount[] {
  return [...info.matchAll(/^(db\d+):keys=(\d+)/gm)].map((m) => ({ table: m[1] ?? '', rows: Number(m[2]) }));
}

/** The RDB loaded by a scratch redis-server on a unix socket in a temporary directory, then shut down. */
async function redisScratchCounts(path: string, signal: AbortSignal): Promise<TableCount[]> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-rdb-'));
  const socket = join(dir, 'redis.sock');
  try {
    await symlink(path, join(dir, 'dump.rdb'));
    const server = startClient({ file: 'redis-server', args: ['--port', '0', '--unixsocket', socket, '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], env: {} }, signal);
    server.child.stdout?.resume();
    const scratch: BackupConnection = { kind: 'redis', target: { kind: 'redis', host: '', port: 0, socket } };
    try {
      for (let waited = 0; ; waited += 100) {
        const ping = await runClient(redisCommand(scratch, ['PING']), signal);
        if (ping.stdout.trim() === 'PONG') break;
        if (waited > 60_000 || server.child.exitCode !== null) throw new BackupError(`a scratch redis-server did not load the RDB: ${(await server.ended.catch(() => undefined))?.stderr ?? 'no answer within 60 s'}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return keyspaceCounts(await redisReply(redisCommand(scratch, ['INFO', 'keyspace']), signal, 'reading the scratch server'));
    } finally {
      server.child.kill('SIGTERM');
      await server.ended.catch(() => undefined);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A scratch database's name: opsdeck's, the source's, and when. */
function scratchName(plan: BackupPlan): string {
  return `opsdeck_check_${plan.name.replace(/[^A-Za-z0-9_]/g, '_')}_${Date.now().toString(36)}`.slice(0, 60);
}

function compare(backup: TableCount[], source: TableCount[]): TestRestoreSummary['differences'] {
  const inBackup = new Map(backup.map((t) => [t.table, t.rows]));
  const inSource = new Map(source.map((t) => [t.table, t.rows]));
  const tables = [...new Set([...inBackup.keys(), ...inSource.keys()])].sort();
  return tables.filter((t) => inBackup.get(t) !== inSource.get(t)).map((table) => ({ table, backup: inBackup.get(table), source: inSource.get(table) }));
}

/** Writes the test restore's result into the backup's sidecar (temporary name, then rename). */
async function recordResult(path: string, record: BackupRecord, result: NonNullable<BackupRecord['testRestore']>): Promise<void> {
  const sidecar = `${path}.sha256`;
  const temp = join(dirname(path), tempName(sidecarName(basename(path))));
  await writeFile(temp, formatSidecar({ ...record, testRestore: result }), { mode: 0o600 });
  await rename(temp, sidecar);
}

export async function testRestoreBackup(plan: BackupPlan, file: string, signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<TestRestoreSummary> {
  const startedAt = Date.now();
  const c = plan.connection;
  const { path, fileName } = backupPath(plan, file);
  const say = (step: string) => progress({ step, bytes: 0, startedAt });
  say('checking sha256');
  let record: BackupRecord;
  try {
    record = await checkedRecord(path, fileName, signal);
  } catch (error) {
    // A backup that fails its checksum is the test's answer, recorded where there is a sidecar to record it in.
    const message = `not restorable: ${(error as Error).message}`;
    const existing = await readRecord(path, fileName).catch(() => undefined);
    if (existing) await recordResult(path, existing, { at: Date.now(), ok: false, message }).catch(() => undefined);
    return { fileName, ok: false, message, differences: [], elapsedMs: Date.now() - startedAt };
  }
  let counted: { backup: TableCount[]; source: TableCount[] };
  try {
    counted = await withClientOptions(c, async (optionFile) => {
      if (c.kind === 'redis') {
        say('loading into a scratch redis-server');
        const restored = await redisScratchCounts(path, signal);
        return { backup: restored, source: keyspaceCounts(await redisReply(redisCommand(c, ['INFO', 'keyspace']), signal, 'reading the source keyspace')) };
      }
      const scratch = scratchName(plan);
      say(`restoring into ${scratch}`);
      try {
        const restored = await restoreInto(c, optionFile, scratch, path, signal);
        say('comparing with the source');
        return { backup: restored, source: await tableCounts(c, optionFile, c.database ?? '', signal) };
      } finally {
        await dropDatabase(c, optionFile, scratch).catch(() => undefined);
      }
    });
  } catch (error) {
    // A restore that fails is the test's answer too, recorded on the backup.
    if (signal.aborted) throw error;
    const message = `test restore failed: ${(error as Error).message}`;
    await recordResult(path, record, { at: Date.now(), ok: false, message });
    return { fileName, ok: false, message, differences: [], elapsedMs: Date.now() - startedAt };
  }
  const { backup, source } = counted;
  const differences = compare(backup, source);
  const rows = backup.reduce((n, t) => n + t.rows, 0);
  const what = c.kind === 'redis' ? `${rows} key${rows === 1 ? '' : 's'} in ${backup.length} db` : `${backup.length} table${backup.length === 1 ? '' : 's'}, ${rows} row${rows === 1 ? '' : 's'}`;
  const message =
    differences.length === 0
      ? `restored ${what}, the same as the source`
      : `restored ${what}; differs from the source now in ${differences.length}: ${differences
          .slice(0, 5)
          .map((d) => `${d.table} ${d.backup ?? 'absent'}/${d.source ?? 'absent'}`)
          .join(', ')} (backup/source; the source may have changed since the backup)`;
  const ok = differences.length === 0;
  await recordResult(path, record, { at: Date.now(), ok, message });
  return { fileName, ok, message, differences, elapsedMs: Date.now() - startedAt };
}
