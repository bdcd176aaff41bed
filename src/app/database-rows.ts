// The selectable rows of the Databases pane (one per busy backend), filtered: what the pane draws
// and what cancel / terminate act on come from this one derivation.
import type { Level } from '../domain/model.js';
import { levelOf } from '../domain/thresholds.js';
import type { DatabaseView } from './database-view.js';
import type { UiState } from './store.js';
import { textFilter } from './text-filter.js';

/** A selectable row: one backend of one database, what cancel and terminate act on. */
export interface DatabaseRow {
  database: string;
  kind: DatabaseView['kind'];
  pid: number;
  user: string;
  db: string;
  durationSec: number;
  /** durationSec against the database's queryDuration thresholds. */
  durationLevel: Level;
  state: string;
  wait: string;
  query: string;
  blockedBy: number[];
}

function rowsOf(view: DatabaseView): DatabaseRow[] {
  const sample = view.status === 'ok' ? view.sample : undefined;
  const durationLevel = (seconds: number) => levelOf(seconds, view.thresholds.queryDurationSec);
  if (sample?.kind === 'postgres') {
    return sample.queries.map((q) => ({
      database: view.name,
      kind: view.kind,
      pid: q.pid,
      user: q.user,
      db: q.database,
      durationSec: q.durationSec,
      durationLevel: durationLevel(q.durationSec),
      state: q.state,
      wait: q.waitEvent ? `${q.waitEventType}:${q.waitEvent}` : '',
      query: q.query,
      blockedBy: q.blockedBy,
    }));
  }
  if (sample?.kind === 'mysql') {
    return sample.processes.map((p) => ({
      database: view.name,
      kind: view.kind,
      pid: p.id,
      user: p.user,
      db: p.db,
      durationSec: p.timeSec,
      durationLevel: durationLevel(p.timeSec),
      state: p.command === 'Query' ? 'query' : p.command.toLowerCase(),
      wait: p.state,
      query: p.query,
      blockedBy: p.blockedBy,
    }));
  }
  return [];
}

export function nameMatches(view: DatabaseView, match: (text: string) => boolean): boolean {
  return match(`${view.name} ${view.kind} ${view.target}`);
}

/** A database's rows the filter keeps: all of them when its name matches. */
export function visibleRows(view: DatabaseView, filter: string, match: (text: string) => boolean): DatabaseRow[] {
  const rows = rowsOf(view);
  return filter === '' || nameMatches(view, match) ? rows : rows.filter((r) => match(`${r.user} ${r.db} ${r.state} ${r.wait} ${r.query} ${r.pid}`));
}

/** The selectable rows in drawing order, filtered: the app maps the cursor to a pid with it. */
export function databaseRows(databases: readonly DatabaseView[], filter: string): DatabaseRow[] {
  const match = textFilter(filter);
  return databases.flatMap((view) => visibleRows(view, filter, match));
}


/**
 * The row under the cursor. Busy lists are re-sorted every tick (longest first), so the selection is
 * kept as database + pid, not as a position: c or K act on the query that was highlighted.
 */
export function selectedDatabaseRow(rows: readonly DatabaseRow[], ui: Pick<UiState, 'databaseSelection'> & { cursor: { databases: number } }): { index: number; row: DatabaseRow | undefined } {
  const chosen = ui.databaseSelection;
  const found = chosen ? rows.findIndex((r) => r.database === chosen.database && r.pid === chosen.pid) : -1;
  const index = found >= 0 ? found : Math.min(ui.cursor.databases, Math.max(0, rows.length - 1));
  return { index, row: rows[index] };
}
