// backups: each database with `backup:` in the config, its backup directory read every tick (names
// and sizes, the sidecars, the filesystem's free space), and the latest verified backup's age judged
// against its thresholds (default warn 26 h, crit 50 h; crit when there is none).
import type { BackupInventory } from '../../../domain/backup.js';
import { formatDuration } from '../../../domain/duration.js';
import { resolveThresholds } from '../../../domain/database-levels.js';
import type { OpsEvent } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { resolveTarget } from '../../../services/db/target.js';
import { listBackups } from '../../../services/backup/index.js';
import { safeText, withEvents } from '../../apply.js';
import type { BackupView, DataState } from '../../store.js';
import type { OpsConfig } from '../../config/resolve.js';
import type { KindSource, ReduceContext, SourceKindModule, SourceSetup } from '../kind.js';
import { backupsSnapshot } from './snapshot.js';

export function backupsSourceId(view: { database: string; host: string }): SourceId<'backups'> {
  return { host: view.host, kind: 'backups', name: view.database };
}

/** The Backups view entry of a configured database, before anything is read; undefined without `backup:`. */
export function configuredBackupView(config: OpsConfig, database: string): BackupView | undefined {
  const spec = config.databases?.[database];
  if (!spec?.backup) return undefined;
  const viaLocal = spec.via !== undefined && config.hosts.some((h) => h.name === spec.via && h.local);
  const kind = resolveTarget(spec).kind;
  return { database, kind, host: viaLocal ? 'local' : (spec.via ?? 'local'), dir: spec.backup.dir, apps: spec.backup.apps ?? [], thresholds: resolveThresholds(spec.thresholds, kind, config.databaseThresholds).backupAgeSec, level: 'ok' };
}

function backupSources({ config, timeoutMs }: SourceSetup): KindSource<'backups', BackupInventory>[] {
  return Object.keys(config.databases ?? {}).flatMap((database) => {
    const view = configuredBackupView(config, database);
    if (!view) return [];
    const { dir, kind } = view;
    return [
      {
        id: backupsSourceId(view),
        label: `backups of ${database}`,
        seed: (data: DataState) => ({ ...data, backups: { ...data.backups, [database]: view } }),
        collect: { poll: { timeoutMs, collect: () => listBackups(dir, database, kind) } },
      },
    ];
  });
}

/** The newest verified backup's age against the thresholds, with hold ticks; no verified backup at all is crit. */
function reduceBackups(data: DataState, id: SourceId<'backups'>, inventory: BackupInventory, { at, tracker }: ReduceContext): DataState {
  const view = data.backups[id.name];
  if (!view) return data;
  const latest = inventory.files.find((f) => f.verified);
  const ageSec = latest ? Math.max(0, (at - latest.at) / 1000) : Number.POSITIVE_INFINITY;
  const key = `${sourceKey(id)}:age`;
  const change = tracker.observe(key, ageSec, view.thresholds);
  const level = tracker.level(key);
  const events: OpsEvent[] = [];
  if (change) {
    const bound = change.to === 'crit' ? view.thresholds.crit : view.thresholds.warn;
    const message = !latest
      ? `${id.name}: no verified backup in ${view.dir}`
      : change.to === 'ok'
        ? `${id.name}: latest verified backup ${formatDuration(ageSec * 1000)} old (back to normal)`
        : `${id.name}: latest verified backup ${formatDuration(ageSec * 1000)} old (${change.to} ${formatDuration(bound * 1000)})`;
    events.push({ at, host: id.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message });
  }
  const next: BackupView = { ...view, inventory, level, error: undefined, ...(latest ? { latestVerifiedAt: latest.at } : { latestVerifiedAt: undefined }) };
  return withEvents({ ...data, backups: { ...data.backups, [id.name]: next } }, events);
}

/**
 * A directory that cannot be read (a file in its path, no permission) is as bad as no backup at all:
 * nothing there can be verified. Only a missing one is a result (a first backup creates it).
 */
function failBackups(data: DataState, id: SourceId<'backups'>, error: string): DataState {
  const view = data.backups[id.name];
  if (!view) return data;
  return { ...data, backups: { ...data.backups, [id.name]: { ...view, level: 'crit', error: safeText(error) } } };
}

export const backupsKind: SourceKindModule<'backups', BackupInventory> = {
  sources: backupSources,
  reduce: reduceBackups,
  fail: failBackups,
  snapshot: backupsSnapshot,
};
