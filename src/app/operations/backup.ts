// Back up (b), test-restore (t) and restore (R, the database's name typed) a database with `backup:`
// in the config, from the Databases pane (its Backups view, B) or `opsdeck backup|restore`. What they
// do is src/services/backup's; here is what the operator sees, confirms and the audit records.
import { BackupRefused, type BackupProgress, type BackupSummary } from '../../domain/backup.js';
import { formatBytes, formatRate } from '../../domain/bytes.js';
import type { DatabaseKind } from '../../domain/database.js';
import { formatDuration } from '../../domain/duration.js';
import { selectedBackupRow } from '../backup-rows.js';
import { databaseRows, selectedDatabaseRow } from '../database-rows.js';
import { databaseViews } from '../rows.js';
import type { BackupView, DataState, UiState } from '../store.js';
import type { OperationPorts } from './ports.js';
import type { OperationKind, OperationOutcome } from './types.js';

export interface BackupParams {
  /** The database's name in the config. */
  database: string;
  kind: DatabaseKind;
  /** Its host (read-only hosts refuse). */
  host: string;
  dir: string;
  /** Hosts whose maintenance flag a restore over the live database sets for its duration. */
  apps: string[];
}

export interface BackupFileParams extends BackupParams {
  fileName: string;
}

export interface RestoreParams extends BackupFileParams {
  /** A new database to restore into; absent: over the live database. */
  into?: string;
}

const DUMP_COMMAND: Record<DatabaseKind, string> = {
  postgres: 'pg_dump -Fc',
  mysql: 'mysqldump --single-transaction --routines --triggers --events | gzip',
  redis: 'BGSAVE, then redis-cli --rdb',
};

/** Backups, restores and test restores of one database take turns: the executor's target, where their progress is kept. */
export const backupTarget = (database: string): string => `backup:${database}`;

const paramsOf = (view: BackupView): BackupParams => ({ database: view.database, kind: view.kind, host: view.host, dir: view.dir, apps: view.apps });
/** A maintenance flag set for a restore is cleared even when the restore was stopped: on a deadline of its own. */
const FLAG_TIMEOUT_MS = 15_000;

/** "dumping 12.3M, 4.1M/s, 3.2s": what the status line shows while it runs. */
export function progressText(p: BackupProgress, now = Date.now()): string {
  const elapsedMs = Math.max(0, now - p.startedAt);
  const figures = p.bytes > 0 ? `${formatBytes(p.bytes)}, ${formatRate(elapsedMs > 0 ? (p.bytes * 1000) / elapsedMs : 0)}, ` : '';
  return `${p.step} ${figures}${formatDuration(elapsedMs)}`;
}

/** The database b acts on: the Backups view's row, else the selected query's database, else the only one with backups. */
function selectedDatabase(data: DataState, ui: UiState): { params: BackupParams } | { error: string } {
  const all = Object.values(data.backups);
  if (all.length === 0) return { error: 'no backup configured: add databases.NAME.backup: {dir, keep}' };
  if (ui.databaseView === 'backups') {
    const row = selectedBackupRow(data, ui);
    return row ? { params: paramsOf(row.view) } : { error: 'no database selected' };
  }
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
  const view = (row && data.backups[row.database]) ?? (all.length === 1 ? all[0] : undefined);
  return view ? { params: paramsOf(view) } : { error: 'several databases have backups: press B and select the one to back up' };
}

function selectedFile(data: DataState, ui: UiState): { params: BackupFileParams } | { error: string } {
  if (ui.databaseView !== 'backups') return { error: 'press B for the Backups view, then select a backup file' };
  const row = selectedBackupRow(data, ui);
  if (!row?.file) return { error: 'select a backup file (the rows under a database)' };
  return { params: { ...paramsOf(row.view), fileName: row.file.fileName } };
}

function backupMessage(p: BackupParams, s: BackupSummary): string {
  const extra = [
    s.removed.length > 0 ? `retention removed ${s.removed.length}` : '',
    s.notRemoved.length > 0 ? `retention could not remove ${s.notRemoved.join(', ')}` : '',
    s.staleLock ? `took over the stale lock of ${s.staleLock}` : '',
    s.cleaned.length > 0 ? `cleared ${s.cleaned.length} file(s) a failed run left` : '',
    ...s.notes,
  ].filter(Boolean);
  return `backup of ${p.database} verified: ${s.fileName}, ${formatBytes(s.bytes)} in ${formatDuration(s.elapsedMs)} (${s.verifiedBy}), sha256 ${s.sha256.slice(0, 12)}…${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`;
}

/** A refusal (another backup runs, it would not fit) is not a failure: nothing was tried. */
async function refusedOr(work: () => Promise<OperationOutcome>): Promise<OperationOutcome> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BackupRefused) return { outcome: 'refused', message: error.message };
    throw error;
  }
}

export const backupDatabase: OperationKind<BackupParams> = {
  key: { context: 'databases', binding: 'backup', help: 'back up the selected database: dumped, verified by a full read, checksummed, then retention' },
  changesOutside: true,
  fromSelection: selectedDatabase,
  describe: (p) => ({
    title: `back up ${p.database}`,
    lines: [`${DUMP_COMMAND[p.kind]} into ${p.dir}`, 'under a temporary name until a full read verifies it; then its sha256 sidecar, the rename, and retention'],
    host: p.host,
    target: backupTarget(p.database),
    command: DUMP_COMMAND[p.kind],
    detail: { kind: p.kind, dir: p.dir },
  }),
  confirmation: () => ({ kind: 'yes' }),
  run: (p: BackupParams, ports: OperationPorts, signal: AbortSignal, progress: (text: string) => void) =>
    refusedOr(async () => {
      const control = ports.backup(p.database);
      if (!control) return { outcome: 'failed', message: `${p.database}: no backup configured` };
      const summary = await control.backup(signal, (step) => progress(progressText(step)));
      return { outcome: 'ok', message: backupMessage(p, summary), result: { ...summary } };
    }),
};

export const testRestoreBackup: OperationKind<BackupFileParams> = {
  key: { context: 'databases', binding: 'test-restore', help: 'Backups view: test-restore the selected file into a scratch database, compare tables and rows, drop it' },
  changesOutside: true,
  fromSelection: selectedFile,
  describe: (p) => ({
    title: `test-restore ${p.fileName}`,
    lines: [p.kind === 'redis' ? 'loads it into a scratch redis-server (unix socket), compares keys per db with the source' : 'restores it into a scratch database, compares tables and row counts with the source, drops it', 'the result is recorded beside the backup'],
    host: p.host,
    target: backupTarget(p.database),
    detail: { kind: p.kind, dir: p.dir, file: p.fileName },
  }),
  confirmation: () => ({ kind: 'yes' }),
  async run(p, ports, signal, progress) {
    const control = ports.backup(p.database);
    if (!control) return { outcome: 'failed', message: `${p.database}: no backup configured` };
    const summary = await control.testRestore(p.fileName, signal, (step) => progress(progressText(step)));
    return { outcome: summary.ok ? 'ok' : 'failed', message: `test restore of ${p.fileName}: ${summary.message}`, result: { ...summary } };
  },
};

export const restoreBackup: OperationKind<RestoreParams> = {
  key: { context: 'databases', binding: 'restore', help: 'Backups view: restore the selected file over the live database, after typing its name' },
  changesOutside: true,
  fromSelection: selectedFile,
  describe: (p) => ({
    title: p.into ? `restore ${p.fileName} into ${p.into}` : `restore ${p.fileName} over ${p.database}`,
    lines: p.into
      ? [`creates the new database ${p.into} and loads the backup into it (its sha256 checked first)`]
      : [
          `REPLACES the live database ${p.database} with this backup (its sha256 checked first)`,
          p.kind === 'postgres' ? 'pg_restore --clean --if-exists --single-transaction: all or nothing' : 'the dump drops and recreates each table it holds',
          ...(p.apps.length > 0 ? [`maintenance flag set on ${p.apps.join(', ')} while it runs`] : []),
        ],
    host: p.host,
    target: backupTarget(p.database),
    detail: { kind: p.kind, dir: p.dir, file: p.fileName, ...(p.into ? { into: p.into } : { replace: true }) },
  }),
  confirmation: (p) => (p.into ? { kind: 'yes' } : { kind: 'typed', word: p.database }),
  async run(p, ports, signal, progress) {
    const control = ports.backup(p.database);
    if (!control) return { outcome: 'failed', message: `${p.database}: no backup configured` };
    const apps = p.into ? [] : p.apps;
    const flags = apps.map((host) => ({ host, flag: ports.maintenance(host) }));
    const unreachable = flags.filter((f) => !f.flag).map((f) => f.host);
    if (unreachable.length > 0) return { outcome: 'refused', message: `cannot set the maintenance flag of ${unreachable.join(', ')} from here: ${p.database} was not replaced` };
    // Flags already set (someone's own maintenance) are left as they are, before and after.
    const setHere: typeof flags = [];
    try {
      for (const f of flags) {
        if ((await f.flag!.read(signal)) !== undefined) continue;
        await f.flag!.set({ at: Date.now(), why: `opsdeck restores ${p.database} from ${p.fileName}` }, signal);
        setHere.push(f);
      }
      const summary = await control.restore(p.fileName, p.into ? { into: p.into } : { replace: true }, signal, (step) => progress(progressText(step)));
      const rows = summary.contents.reduce((n, t) => n + t.rows, 0);
      const maintained = setHere.length > 0 ? `; maintenance flag on ${setHere.map((f) => f.host).join(', ')} set for its duration` : '';
      return { outcome: 'ok', message: `restored ${p.fileName} into ${summary.database} in ${formatDuration(summary.elapsedMs)}: ${summary.contents.length} table${summary.contents.length === 1 ? '' : 's'}, ${rows} row${rows === 1 ? '' : 's'} (sha256 checked)${maintained}`, result: { ...summary } };
    } finally {
      for (const f of setHere) await f.flag!.clear(AbortSignal.timeout(FLAG_TIMEOUT_MS)).catch(() => undefined);
    }
  },
};
