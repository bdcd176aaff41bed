// Backups in a snapshot: per database its latest verified backup's age and level, the free space
// beside it, and every file (json); one line per database (markdown, text under its host).
import { formatBytes } from '../../../domain/bytes.js';
import { formatDuration } from '../../../domain/duration.js';
import { markdownTable } from '../../markdown-table.js';
import { iso } from '../../snapshot-format.js';
import type { BackupView, DataState, HostView } from '../../store.js';
import type { SnapshotSections } from '../kind.js';

/** "latest verified 3h02m ago (ok), 7 files, 1 not verified, 41G free": what the morning check asks. */
export function backupSummary(view: BackupView, now = Date.now()): string {
  const inventory = view.inventory;
  if (view.error) return `unreadable (${view.level}): ${view.error}`;
  if (!inventory) return `not read yet (${view.dir})`;
  const unverified = inventory.files.filter((f) => !f.verified).length;
  const latest = view.latestVerifiedAt === undefined ? 'no verified backup' : `latest verified ${formatDuration(Math.max(0, now - view.latestVerifiedAt))} ago`;
  return `${latest} (${view.level}), ${inventory.files.length} file${inventory.files.length === 1 ? '' : 's'}${unverified > 0 ? `, ${unverified} not verified` : ''}, ${formatBytes(inventory.space.freeBytes)} free in ${view.dir}`;
}

const views = (data: DataState) => Object.values(data.backups);

export const backupsSnapshot: SnapshotSections = {
  json: (data) => ({
    backups: Object.fromEntries(
      views(data).map((view) => [
        view.database,
        {
          dir: view.dir,
          level: view.level,
          error: view.error ?? null,
          latestVerifiedAt: iso(view.latestVerifiedAt),
          latestAgeSec: view.latestVerifiedAt === undefined ? null : Math.round((Date.now() - view.latestVerifiedAt) / 1000),
          thresholds: { warnSec: view.thresholds.warn, critSec: view.thresholds.crit },
          freeBytes: view.inventory?.space.freeBytes ?? null,
          files: (view.inventory?.files ?? []).map((f) => ({ file: f.fileName, at: iso(f.at), bytes: f.bytes, verified: f.verified, problem: f.problem ?? null, sha256: f.record?.sha256 ?? null, testRestore: f.record?.testRestore ? { ...f.record.testRestore, at: iso(f.record.testRestore.at) } : null })),
        },
      ]),
    ),
  }),
  markdown: (data) => {
    if (views(data).length === 0) return [];
    return ['', '## Backups', '', ...markdownTable(['database', 'state', 'backups'], views(data).map((view) => [view.database, view.level === 'ok' ? 'ok' : `**${view.level}**`, backupSummary(view)]))];
  },
  hostText: (data: DataState, host: HostView) => views(data).filter((v) => v.host === host.name).map((view) => `  backups ${view.database}: ${backupSummary(view)}`),
};
