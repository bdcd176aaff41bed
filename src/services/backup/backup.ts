// One backup, the way that loses nothing: a lock per database; refused before it starts when the
// database would not fit; streamed to a temporary name; every exit status checked; verified by a full
// read; checksummed; fsync'd; only then renamed to its final name (its sidecar already there); then,
// and only then, retention. A failure, a cancel or a kill anywhere leaves nothing under a final name,
// and what a killed run left (temporary file, lock) is cleared by the next.
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BackupRefused, backupFileName, formatSidecar, isTempOf, sidecarName, sidecarOf, tempName, type BackupProgress, type BackupSummary, type RetentionPolicy } from '../../domain/backup.js';
import { formatBytes } from '../../domain/bytes.js';
import { checkDatabaseName, dumpCommand, queryCommand, redisCommand, withClientOptions, type BackupConnection } from './clients.js';
import { backupSpace } from './inventory.js';
import { acquireBackupLock } from './lock.js';
import { BackupError, endingProblem, lastLines, query, redisReply, startClient } from './process.js';
import { applyRetention } from './retention.js';
import { MYSQL_TRAILER, sha256Of, tailKeeper, verifyBackupFile } from './verify.js';

export interface BackupPlan {
  /** The database's name in the config: the files' prefix and the lock's. */
  name: string;
  dir: string;
  connection: BackupConnection;
  retention: RetentionPolicy;
}


const PROGRESS_EVERY_MS = 500;
/** A size query or a Redis command that has not answered by then will not: the backup fails rather than hang a timer. */
const QUERY_TIMEOUT_MS = 60_000;
/** A dump whose output has not grown for this long is stuck (a hung server, a lock it waits on): stopped, nothing kept. */
const STALL_MS = 10 * 60_000;
/** The server's own BGSAVE of a large dataset takes a while; past this it is reported and the --rdb snapshot goes on. */
const BGSAVE_WAIT_MS = 30 * 60_000;

/** Counts the bytes that pass and reports them at most every half second. */
function counter(report: (bytes: number) => void): Transform & { bytes: number } {
  let last = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      stream.bytes += chunk.length;
      const now = Date.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        report(stream.bytes);
      }
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  stream.bytes = 0;
  return stream;
}

function writeProblem(error: unknown, path: string, bytes: number): BackupError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new BackupError(`the backup filesystem is full: writing ${path} failed after ${formatBytes(bytes)} (ENOSPC); nothing was kept under a final name`);
  if (code === 'EDQUOT') return new BackupError(`disk quota exceeded writing ${path} after ${formatBytes(bytes)}; nothing was kept under a final name`);
  return new BackupError(`writing ${path} failed: ${(error as Error).message}`);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What a run that died left in `dir` for this database: its temporary files, and sidecars whose backup is gone. Only the lock holder calls it. */
async function clearLeftovers(plan: BackupPlan): Promise<string[]> {
  const names = await readdir(plan.dir);
  const present = new Set(names);
  const cleared: string[] = [];
  for (const name of names) {
    const owner = sidecarOf(plan.name, plan.connection.kind, name);
    if (isTempOf(plan.name, plan.connection.kind, name) || (owner !== undefined && !present.has(owner))) {
      await unlink(join(plan.dir, name)).catch(() => undefined);
      cleared.push(name);
    }
  }
  return cleared;
}

/** The database's size as its server reports it: what a backup is checked against before it starts. */
async function databaseSize(c: BackupConnection, optionFile: string | undefined, signal: AbortSignal): Promise<{ bytes: number; source: string }> {
  if (c.kind === 'redis') {
    const info = await redisReply(redisCommand(c, ['INFO', 'memory']), signal, 'reading the Redis memory size');
    const used = /^used_memory:(\d+)/m.exec(info);
    if (!used) throw new BackupError(`reading the Redis memory size: unexpected reply: ${lastLines(info, 1)}`);
    return { bytes: Number(used[1]), source: 'used_memory' };
  }
  const sql =
    c.kind === 'postgres'
      ? 'SELECT pg_database_size(current_database())'
      : 'SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables WHERE table_schema = DATABASE()';
  const out = (await query(queryCommand(c, optionFile, sql), signal, `reading the size of ${c.database}`)).trim();
  if (!/^\d+$/.test(out)) throw new BackupError(`reading the size of ${c.database}: unexpected answer "${lastLines(out, 1)}"`);
  return { bytes: Number(out), source: c.kind === 'postgres' ? 'pg_database_size' : 'information_schema data + index length' };
}

/** PostgreSQL and MySQL: the dump's stdout (gzipped for MySQL) streamed into `path`. */
async function streamDump(plan: BackupPlan, optionFile: string | undefined, path: string, signal: AbortSignal, report: (bytes: number) => void): Promise<void> {
  const command = dumpCommand(plan.connection, optionFile, path);
  const running = startClient(command, signal);
  const stdout = running.child.stdout;
  if (!stdout) throw new BackupError(`${command.file}: no output stream`);
  const trailer = tailKeeper();
  const count = counter(report);
  const sink = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  const piped = plan.connection.kind === 'mysql' ? pipeline(stdout, trailer, createGzip(), count, sink, { signal }) : pipeline(stdout, count, sink, { signal });
  const streamed = piped.catch((error: unknown) => {
    running.child.kill('SIGKILL');
    throw error;
  });
  const [written, ended] = await Promise.allSettled([streamed, running.ended]);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  if (written.status === 'rejected') throw writeProblem(written.reason, path, count.bytes);
  if (ended.status === 'rejected') throw ended.reason;
  const problem = endingProblem(command.file, ended.value);
  if (problem) throw new BackupError(problem);
  if (plan.connection.kind === 'mysql' && !trailer.tail().includes(MYSQL_TRAILER)) throw new BackupError(`mysqldump exited 0 but its output lacks "${MYSQL_TRAILER}": the dump is incomplete`);
}

/** The server's own BGSAVE, awaited until LASTSAVE (or the save count) moves; a failure is a note, not the end. */
async function redisBgsave(plan: BackupPlan, signal: AbortSignal): Promise<string | undefined> {
  const c = plan.connection;
  const ask = (command: string[], what: string) => redisReply(redisCommand(c, command), AbortSignal.any([signal, AbortSignal.timeout(QUERY_TIMEOUT_MS)]), what);
  const persistence = () => ask(['INFO', 'persistence'], 'reading Redis persistence');
  const field = (info: string, name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
  const lastSave = async () => (await ask(['LASTSAVE'], 'LASTSAVE')).trim();
  const before = await lastSave();
  const savesBefore = field(await persistence(), 'rdb_saves');
  const reply = (await ask(['BGSAVE'], 'BGSAVE')).trim();
  if (!/^Background saving (started|scheduled)/.test(reply) && !/already in progress/.test(reply)) return `BGSAVE refused (${lastLines(reply, 1)}); the backup is redis-cli --rdb's own fresh snapshot`;
  for (const until = Date.now() + BGSAVE_WAIT_MS; Date.now() < until; ) {
    const info = await persistence();
    if (field(info, 'rdb_bgsave_in_progress') === '0') {
      if (field(info, 'rdb_last_bgsave_status') !== 'ok') return 'the server\'s BGSAVE failed (rdb_last_bgsave_status: err, see its log); the backup is redis-cli --rdb\'s own fresh snapshot';
      if ((await lastSave()) !== before || field(info, 'rdb_saves') !== savesBefore) return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  }
  return `the server's BGSAVE had not finished after ${BGSAVE_WAIT_MS / 60_000} min; the backup is redis-cli --rdb's own fresh snapshot`;
}

/** Redis: redis-cli --rdb writes the snapshot itself (its `-` output would carry the transfer's end marker), watched for progress. */
async function redisDump(plan: BackupPlan, path: string, signal: AbortSignal, report: (bytes: number) => void): Promise<void> {
  // Created here, 0600 and exclusive: redis-cli opens it without changing either.
  await writeFile(path, '', { flag: 'wx', mode: 0o600 });
  const command = dumpCommand(plan.connection, undefined, path);
  const running = startClient(command, signal);
  running.child.stdout?.resume();
  const watch = setInterval(() => {
    stat(path).then(
      (info) => report(info.size),
      () => undefined,
    );
  }, PROGRESS_EVERY_MS);
  let ending;
  try {
    ending = await running.ended;
  } finally {
    clearInterval(watch);
  }
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  if (/No space left/i.test(ending.stderr)) throw new BackupError(`the backup filesystem is full: redis-cli could not write ${path} (${lastLines(ending.stderr, 1)}); nothing was kept under a final name`);
  const problem = endingProblem(command.file, ending);
  if (problem) throw new BackupError(problem);
  if (!/Transfer finished with success/.test(ending.stderr)) throw new BackupError(`redis-cli --rdb did not report a finished transfer: ${lastLines(ending.stderr)}`);
}

function checkPlan(plan: BackupPlan): void {
  const c = plan.connection;
  if (c.kind === 'redis') return;
  if (c.database === undefined) throw new BackupError(`${plan.name}: which database to back up is not configured (databases.${plan.name}.database, or the URL's path)`);
  const problem = checkDatabaseName(c.database);
  if (problem) throw new BackupError(`${plan.name}: ${problem}`);
}

/** Runs `dump` with a signal that also fires when the dump's output stops growing for STALL_MS. */
async function watchedDump(signal: AbortSignal, say: (step: string, bytes: number) => void, dump: (signal: AbortSignal, report: (bytes: number) => void) => Promise<void>): Promise<void> {
  const stalled = new AbortController();
  let bytes = -1;
  let grewAt = Date.now();
  const watch = setInterval(() => {
    if (Date.now() - grewAt > STALL_MS) stalled.abort(new BackupError(`the dump wrote nothing for ${STALL_MS / 60_000} min (${formatBytes(Math.max(0, bytes))} so far): stopped, nothing kept`));
  }, 5000);
  try {
    await dump(AbortSignal.any([signal, stalled.signal]), (now) => {
      if (now !== bytes) grewAt = Date.now();
      bytes = now;
      say('dumping', now);
    });
  } catch (error) {
    throw stalled.signal.aborted && !signal.aborted ? stalled.signal.reason : error;
  } finally {
    clearInterval(watch);
  }
}

/** Runs one backup of `plan`; throws BackupBusyError or BackupError (nothing kept) when it does not succeed. */
export async function runBackup(plan: BackupPlan, signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<BackupSummary> {
  checkPlan(plan);
  const startedAt = Date.now();
  const say = (step: string, bytes = 0) => progress({ step, bytes, startedAt });
  await mkdir(plan.dir, { recursive: true, mode: 0o700 });
  const lock = await acquireBackupLock(plan.dir, plan.name);
  try {
    const cleaned = await clearLeftovers(plan);
    const fileName = backupFileName(plan.name, plan.connection.kind, startedAt);
    const path = join(plan.dir, fileName);
    const temp = join(plan.dir, tempName(fileName));
    const sidecar = join(plan.dir, sidecarName(fileName));
    const sidecarTemp = join(plan.dir, tempName(sidecarName(fileName)));
    let renamed = false;
    try {
      return await withClientOptions(plan.connection, async (optionFile) => {
        say('checking space');
        const size = await databaseSize(plan.connection, optionFile, AbortSignal.any([signal, AbortSignal.timeout(QUERY_TIMEOUT_MS)]));
        const { freeBytes } = await backupSpace(plan.dir);
        if (size.bytes > freeBytes) {
          throw new BackupRefused(`refused before starting: ${plan.name} is ${formatBytes(size.bytes)} (${size.source}) and ${plan.dir} has ${formatBytes(freeBytes)} free`);
        }
        const notes: string[] = [];
        if (plan.connection.kind === 'redis') {
          say('waiting for BGSAVE');
          const note = await redisBgsave(plan, signal);
          if (note) notes.push(note);
          await watchedDump(signal, say, (watched, report) => redisDump(plan, temp, watched, report));
        } else {
          await watchedDump(signal, say, (watched, report) => streamDump(plan, optionFile, temp, watched, report));
        }
        await fsyncPath(temp);
        const { size: bytes } = await stat(temp);
        if (bytes === 0) throw new BackupError(`the dump is empty (0 bytes)`);
        say('verifying', bytes);
        const verified = await verifyBackupFile(plan.connection.kind, temp, signal);
        if (!verified.ok) throw new BackupError(`verification failed (${verified.by}): ${verified.problem}`);
        say('checksum', bytes);
        const sha256 = await sha256Of(temp, signal);
        // The sidecar goes first: a backup is never under its final name without it.
        const sidecarText = formatSidecar({ database: plan.name, kind: plan.connection.kind, fileName, bytes, sha256, verifiedAt: Date.now(), verifiedBy: verified.by });
        await writeFile(sidecarTemp, sidecarText, { flag: 'wx', mode: 0o600 }).catch((error: unknown) => {
          throw writeProblem(error, sidecarTemp, 0);
        });
        await fsyncPath(sidecarTemp);
        await rename(sidecarTemp, sidecar);
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
        await rename(temp, path);
        renamed = true;
        await fsyncPath(plan.dir);
        say('retention', bytes);
        // The backup is safe under its name by now: retention failing is reported, not the backup.
        const retention = await applyRetention(plan.dir, plan.name, plan.connection.kind, plan.retention).catch((error: Error) => ({ removed: [], failed: [`retention did not run: ${error.message}`] }));
        return { fileName, path, bytes, sha256, verifiedBy: verified.by, elapsedMs: Date.now() - startedAt, removed: retention.removed, notRemoved: retention.failed, cleaned, ...(lock.replaced ? { staleLock: lock.replaced } : {}), notes };
      });
    } catch (error) {
      if (!renamed) {
        for (const leftover of [temp, sidecarTemp, sidecar]) await unlink(leftover).catch(() => undefined);
      }
      throw error;
    }
  } finally {
    await lock.release();
  }
}
