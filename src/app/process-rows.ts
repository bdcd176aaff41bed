// The selectable rows of the Resources pane's top-process list: the processes by CPU of the one host it
// shows (a group view has no process list). The pane draws them and T / K act on the selected one.
import type { ProcessStat } from '../domain/model.js';
import { selectedHost } from './scope.js';
import type { DataState, UiState } from './store.js';

export function processRows(data: Pick<DataState, 'hostOrder' | 'hosts'>, ui: Pick<UiState, 'host' | 'group'>): { host: string; rows: readonly ProcessStat[] } | undefined {
  if (ui.group) return undefined;
  const host = selectedHost(data, ui);
  const rows = data.hosts[host]?.processes?.byCpu;
  return rows ? { host, rows } : undefined;
}

/**
 * The row under the cursor. The list is re-sorted on every sample (busiest first), so the selection is
 * kept as host + pid, as htop keeps it: T or K act on the process that was highlighted.
 */
export function selectedProcessRow(host: string, rows: readonly ProcessStat[], ui: Pick<UiState, 'processSelection'> & { cursor: { resources: number } }): { index: number; row: ProcessStat | undefined } {
  const chosen = ui.processSelection;
  const found = chosen && chosen.host === host ? rows.findIndex((r) => r.pid === chosen.pid) : -1;
  const index = found >= 0 ? found : Math.min(ui.cursor.resources, Math.max(0, rows.length - 1));
  return { index, row: rows[index] };
}
