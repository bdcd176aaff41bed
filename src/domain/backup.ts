// What a backup is on disk, as pure data: the names opsdeck gives its files (so it recognises its own
// and nothing else), the checksum sidecar that marks a file verified, and the retention rule.
import { formatBytes } from './bytes.js';
import type { DatabaseKind } from './database.js';

/** Each kind's format: pg_dump's custom format, a gzipped mysqldump, an RDB snapshot. */
export const BACKUP_EXTENSIONS: Record<DatabaseKind, string> = { postgres: 'pgdump', mysql: 'sql.gz', redis: 'rdb' };

const SIDECAR = '.sha256';
const TEMP_SUFFIX = '.partial';

/** `20261130T233006.123Z`: sorts as time does, and two backups in one second still differ. */
function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '');
}

function parseStamp(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/.exec(text);
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(at) ? undefined : at;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The final name of a backup of `database` taken at `at`: `opsdeck-main-20261130T233006.123Z.pgdump`. */
export function backupFileName(database: string, kind: DatabaseKind, at: number): string {
  return `opsdeck-${database}-${stamp(at)}.${BACKUP_EXTENSIONS[kind]}`;
}

/** When a file of this database was taken, if the name is one opsdeck gives (a foreign file is undefined). */
export function parseBackupFileName(database: string, kind: DatabaseKind, fileName: string): number | undefined {
  const m = new RegExp(`^opsdeck-${escapeRegex(database)}-(\\d{8}T\\d{6}\\.\\d{3}Z)\\.${escapeRegex(BACKUP_EXTENSIONS[kind])}$`).exec(fileName);
  return m ? parseStamp(m[1] ?? '') : undefined;
}

export const sidecarName = (fileName: string): string => `${fileName}${SIDECAR}`;
/** Hidden, and never a backup's name: a half-written file is never mistaken for one. */
export const tempName = (fileName: string): string => `.${fileName}${TEMP_SUFFIX}`;
export const lockName = (database: string): string => `.opsdeck-${database}.lock`;

/** A temporary file (a backup's or its sidecar's) a backup of this database left: the lock holder may remove it, no other backup of it runs. */
export function isTempOf(database: string, kind: DatabaseKind, fileName: string): boolean {
  if (!fileName.startsWith('.') || !fileName.endsWith(TEMP_SUFFIX)) return false;
  const inner = fileName.slice(1, -TEMP_SUFFIX.length);
  return parseBackupFileName(database, kind, inner.endsWith(SIDECAR) ? inner.slice(0, -SIDECAR.length) : inner) !== undefined;
}

/** A sidecar of this database's backup naming pattern, whatever its backup's fate: the file it belongs to. */
export function sidecarOf(database: string, kind: DatabaseKind, fileName: string): string | undefined {
  if (!fileName.endsWith(SIDECAR)) return undefined;
  const backup = fileName.slice(0, -SIDECAR.length);
  return parseBackupFileName(database, kind, backup) !== undefined ? backup : undefined;
}

/** A backup refused before it started (another one runs, it would not fit): nothing was written. */
export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** What the sidecar says about its backup: written only once the file passed a full read. */
export interface BackupRecord {
  database: string;
  kind: DatabaseKind;
  fileName: string;
  bytes: number;
  sha256: string;
  /** Epoch ms of the full read that passed. */
  verifiedAt: number;
  /** The check that read it: "pg_restore -f /dev/null", "gzip -dc + trailer", "redis-check-rdb". */
  verifiedBy: string;
  /** The last test restore's result, when one ran. */
  testRestore?: { at: number; ok: boolean; message: string };
}

const META = '# opsdeck: ';

/** `sha256sum -c` reads the last line and skips the `#` lines, which carry what opsdeck knows. */
export function formatSidecar(record: BackupRecord): string {
  const { sha256, fileName, ...meta } = record;
  return `# opsdeck backup of ${record.database} (${record.kind}), ${record.bytes} bytes, verified by ${record.verifiedBy} at ${new Date(record.verifiedAt).toISOString()}\n${META}${JSON.stringify(meta)}\n${sha256}  ${fileName}\n`;
}

export function parseSidecar(text: string, fileName: string): BackupRecord | { error: string } {
  const metaLine = text.split('\n').find((line) => line.startsWith(META));
  const sumLine = /^([0-9a-f]{64}) [ *](.+)$/m.exec(text);
  if (!metaLine || !sumLine) return { error: 'checksum file unreadable' };
  if (sumLine[2] !== fileName) return { error: `checksum file names ${sumLine[2]}` };
  try {
    const meta = JSON.parse(metaLine.slice(META.length)) as Partial<BackupRecord>;
    if (typeof meta.bytes !== 'number' || typeof meta.verifiedAt !== 'number' || typeof meta.database !== 'string' || typeof meta.kind !== 'string') return { error: 'checksum file incomplete' };
    return { ...(meta as Omit<BackupRecord, 'sha256' | 'fileName'>), sha256: sumLine[1] ?? '', fileName };
  } catch {
    return { error: 'checksum file unreadable' };
  }
}

/** One of opsdeck's backups in a directory, as the inventory found it. */
export interface BackupFile {
  fileName: string;
  /** When it was taken (from its name). */
  at: number;
  bytes: number;
  /** Its sidecar says it passed a full read and it still has the size it had then. */
  verified: boolean;
  /** Why it is not verified: no sidecar, a size changed since, an unreadable sidecar. */
  problem?: string;
  record?: BackupRecord;
}

/** Judges a file against its sidecar: a size that changed since the full read means it is no longer that file. */
export function judgeBackupFile(fileName: string, at: number, bytes: number, sidecar: string | undefined): BackupFile {
  if (sidecar === undefined) return { fileName, at, bytes, verified: false, problem: 'no checksum file: never verified' };
  const record = parseSidecar(sidecar, fileName);
  if ('error' in record) return { fileName, at, bytes, verified: false, problem: record.error };
  if (record.bytes !== bytes) return { fileName, at, bytes, verified: false, problem: `changed since verified: ${formatBytes(bytes)}, was ${formatBytes(record.bytes)}`, record };
  return { fileName, at, bytes, verified: true, record };
}

/** `keep` newest verified backups and/or those younger than `maxAgeDays`; at least one of them. */
export interface RetentionPolicy {
  keep?: number;
  maxAgeDays?: number;
}

const DAY_MS = 86_400_000;

/**
 * The verified backups past retention. A file is kept when any rule keeps it (the `keep` newest
 * verified, or younger than `maxAgeDays`); the newest verified one is always kept; a file that is not
 * verified is never removed nor counted (it may be a copy someone is looking at, and a broken newest
 * backup must not push a good one out). An empty policy removes nothing.
 */
export function pastRetention(files: readonly BackupFile[], policy: RetentionPolicy, now: number): BackupFile[] {
  if (policy.keep === undefined && policy.maxAgeDays === undefined) return [];
  const verified = files.filter((f) => f.verified).sort((a, b) => b.at - a.at);
  return verified.filter((file, index) => {
    if (index === 0) return false;
    const byCount = policy.keep !== undefined && index < policy.keep;
    const byAge = policy.maxAgeDays !== undefined && now - file.at < policy.maxAgeDays * DAY_MS;
    return !byCount && !byAge;
  });
}

/** A backup that is running: what the status line and the Backups view show. */
export interface BackupProgress {
  bytes: number;
  startedAt: number;
  /** What it is doing now: dumping, verifying, ... */
  step: string;
}

export const DEFAULT_BACKUP_AGE = { warnSec: 26 * 3600, critSec: 50 * 3600 };

export interface BackupSpace {
  freeBytes: number;
  totalBytes: number;
}

/** A database's backups as found in its backup directory. */
export interface BackupInventory {
  dir: string;
  /** Newest first. */
  files: BackupFile[];
  space: BackupSpace;
  /** The directory does not exist yet (the first backup makes it); `space` is its nearest parent's. */
  missing?: boolean;
}

/** What a finished backup reports. */
export interface BackupSummary {
  fileName: string;
  path: string;
  bytes: number;
  sha256: string;
  verifiedBy: string;
  elapsedMs: number;
  /** Backups retention removed after this one was verified. */
  removed: string[];
  /** Files retention meant to remove and could not, with why. */
  notRemoved: string[];
  /** What an earlier run that died left and this one cleared (temporary files, orphan sidecars). */
  cleaned: string[];
  /** A lock left by a run that died, taken over: who had it. */
  staleLock?: string;
  /** Worth reporting (a Redis BGSAVE that failed while --rdb worked). */
  notes: string[];
}

/** Where a restore goes: a new database (the safe default), or over the live one. */
export type RestoreTarget = { into: string } | { replace: true };

export interface RestoreSummary {
  database: string;
  fileName: string;
  elapsedMs: number;
  /** What the restored database holds (tables and row counts, or keys per Redis db). */
  contents: TableCount[];
}

export interface TableCount {
  table: string;
  rows: number;
}

/** A test restore: the backup loaded into a scratch database, compared with the source, dropped. */
export interface TestRestoreSummary {
  fileName: string;
  ok: boolean;
  message: string;
  /** Tables (or Redis dbs) whose count differs: name, in the backup, in the source now. */
  differences: { table: string; backup: number | undefined; source: number | undefined }[];
  elapsedMs: number;
}

/** A configured database's backups, as operations reach them (src/services/backup/ implements it). */
export interface BackupControl {
  readonly database: string;
  readonly kind: DatabaseKind;
  readonly dir: string;
  backup(signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<BackupSummary>;
  list(): Promise<BackupInventory>;
  /** Checks the sha256 first; a new database must not exist yet. */
  restore(fileName: string, target: RestoreTarget, signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<RestoreSummary>;
  /** Records its result in the backup's sidecar. */
  testRestore(fileName: string, signal: AbortSignal, progress: (p: BackupProgress) => void): Promise<TestRestoreSummary>;
}
