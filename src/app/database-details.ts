// The database details view (i in Databases): a PostgreSQL database's top statements by total and
// mean time (pg_stat_statements, where it is there), its largest tables with dead tuples, and the
// indexes no scan has used. Read when the view opens and again on r, through the runtime's
// QueryReader; nothing here is an operation: every read is a SELECT.
import type { PgDetails } from '../domain/database.js';
import { databaseRows, selectedDatabaseRow } from './database-rows.js';
import type { QueryReader } from './query-details.js';
import { databaseViews } from './rows.js';
import type { DataState, OpsStore, Pending, UiState } from './store.js';

function failed(error: unknown): Pending<never> {
  const hint = (error as { hint?: unknown })?.hint;
  return { status: 'error', error: error instanceof Error ? error.message : String(error), ...(typeof hint === 'string' ? { hint } : {}) };
}

/** The PostgreSQL databases in the pane's order: those the view can show. */
function postgresNames(data: DataState): string[] {
  return databaseViews(data)
    .filter((v) => v.kind === 'postgres')
    .map((v) => v.name);
}

/** The database whose details i opens: the selected query's, else the first PostgreSQL one. */
function chosenDatabase(data: DataState, ui: UiState): { name: string } | { error: string } {
  const names = postgresNames(data);
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
  if (row && row.kind !== 'postgres') return { error: `the details view reads PostgreSQL's statistics; ${row.database} is ${row.kind === 'mysql' ? 'MySQL/MariaDB' : 'Redis'}` };
  const name = row?.database ?? names[0];
  return name ? { name } : { error: 'no PostgreSQL database is watched: the details view reads PostgreSQL\'s statistics' };
}

/** Reads `database`'s details into the view (if it still shows that database when they arrive). */
function read(store: OpsStore, reader: QueryReader, database: string): void {
  store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'database', databaseDetails: { database, details: { status: 'loading' }, scroll: 0 } } }));
  const settle = (details: Pending<PgDetails>) =>
    store.setState((s) => (s.ui.databaseDetails?.database === database ? { ...s, ui: { ...s.ui, databaseDetails: { ...s.ui.databaseDetails, details } } } : s));
  reader.details(database).then(
    (value) => settle({ status: 'ok', value }),
    (error: unknown) => settle(failed(error)),
  );
}

/** i in Databases: opens the view; a message when there is nothing it can show. */
export function openDatabaseDetails(store: OpsStore, reader: QueryReader): string | undefined {
  const { data, ui } = store.getState();
  const chosen = chosenDatabase(ui.frozen ?? data, ui);
  if ('error' in chosen) return chosen.error;
  read(store, reader, chosen.name);
  return undefined;
}

/** r in the view: read again; n: the next PostgreSQL database's. */
export function rereadDatabaseDetails(store: OpsStore, reader: QueryReader, which: 'same' | 'next'): void {
  const { data, ui } = store.getState();
  const current = ui.databaseDetails;
  if (!current) return;
  const names = postgresNames(ui.frozen ?? data);
  const database = which === 'same' ? current.database : (names[(names.indexOf(current.database) + 1) % names.length] ?? current.database);
  read(store, reader, database);
}
