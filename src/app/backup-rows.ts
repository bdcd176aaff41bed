// The rows of the Backups view (the Databases pane's second view): per database with `backup:` a
// row of its own, then one per backup file, newest first; what is drawn and what b, t and X act on.
import type { BackupFile } from '../domain/backup.js';
import type { BackupView, DataState, UiState } from './store.js';
import { textFilter } from './text-filter.js';

export interface BackupRow {
  view: BackupView;
  /** A file's row; absent on the database's own row. */
  file?: BackupFile;
}

export function backupRows(backups: DataState['backups'], filter: string): BackupRow[] {
  const match = textFilter(filter);
  return Object.values(backups).flatMap((view) => {
    const files = view.inventory?.files ?? [];
    const named = match(`${view.database} ${view.kind} ${view.dir}`);
    const shown = filter === '' || named ? files : files.filter((f) => match(f.fileName));
    if (!named && shown.length === 0) return [];
    return [{ view }, ...shown.map((file) => ({ view, file }))];
  });
}

/** The row under the cursor of the Backups view. */
export function selectedBackupRow(data: Pick<DataState, 'backups'>, ui: Pick<UiState, 'filters' | 'cursor'>): BackupRow | undefined {
  const rows = backupRows(data.backups, ui.filters.databases);
  return rows[Math.min(ui.cursor.databases, Math.max(0, rows.length - 1))];
}
