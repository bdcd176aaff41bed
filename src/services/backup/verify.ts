// Whether a backup file is whole, by reading all of it with the program that would restore it:
// `pg_restore -f /dev/null` (`--list` passes a dump cut short), gzip's full decompression ending in
// mysqldump's trailer, `redis-check-rdb`. And its sha256, read from the disk.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DatabaseKind } from '../../domain/database.js';
import { endingProblem, lastLines, runClient, startClient } from './process.js';

/** mysqldump's last line when it got to the end; its exit status alone does not prove it. */
export const MYSQL_TRAILER = '-- Dump completed';

export interface Verification {
  ok: boolean;
  /** The check that read it. */
  by: string;
  problem?: string;
}

/** Keeps the last bytes that pass (where mysqldump's trailer is). */
export function tailKeeper(size = 512): Transform & { tail(): string } {
  let kept = Buffer.alloc(0);
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      kept = Buffer.concat([kept, chunk]).subarray(-size);
      done(null, chunk);
    },
  }) as Transform & { tail(): string };
  stream.tail = () => kept.toString('utf8');
  return stream;
}

export async function sha256Of(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function verifyGzippedDump(path: string, signal: AbortSignal): Promise<Verification> {
  const by = 'gzip -dc, trailer';
  const running = startClient({ file: 'gzip', args: ['-dc', '--', path], env: {} }, signal);
  const tail = tailKeeper();
  const drain = new Writable({ write: (_chunk, _encoding, done) => done() });
  const [read, ended] = await Promise.allSettled([pipeline(running.child.stdout!, tail, drain), running.ended]);
  if (ended.status === 'rejected') throw ended.reason;
  if (read.status === 'rejected') throw read.reason;
  const problem = endingProblem('gzip', ended.value);
  if (problem) return { ok: false, by, problem };
  if (!tail.tail().includes(MYSQL_TRAILER)) return { ok: false, by, problem: `no "${MYSQL_TRAILER}" at its end: the dump is incomplete` };
  return { ok: true, by };
}

/** Reads the whole file; a file that does not pass is `ok: false` with why (a program that cannot run throws). */
export async function verifyBackupFile(kind: DatabaseKind, path: string, signal: AbortSignal): Promise<Verification> {
  if (kind === 'mysql') return verifyGzippedDump(path, signal);
  const [file, args, by] = kind === 'postgres' ? ['pg_restore', ['-f', '/dev/null', '--', path], 'pg_restore -f /dev/null'] : ['redis-check-rdb', [path], 'redis-check-rdb'];
  const result = await runClient({ file, args, env: {} }, signal);
  const problem = endingProblem(file, result.signal || result.code !== 0 ? { ...result, stderr: result.stderr || lastLines(result.stdout) } : result);
  return problem ? { ok: false, by, problem } : { ok: true, by };
}
