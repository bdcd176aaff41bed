// The query details view (Enter on a Databases row): the backend's whole text, read when the view
// opens, and its plan by EXPLAIN when the operator asks (e). Both are reads through the runtime's
// QueryReader (src/services/db: the text on the database's own connection, the plan on one of its
// own); nothing here is an operation: nothing changes outside opsdeck.
import type { PgDetails } from '../domain/database.js';
import type { QueryText } from '../domain/explain.js';
import { databaseRows, selectedDatabaseRow, type DatabaseRow } from './database-rows.js';
import { databaseViews } from './rows.js';
import type { OpsStore, Pending, QueryDetailsState } from './store.js';

/** What the view reads, by database name (the runtime fills it). */
export interface QueryReader {
  /** undefined: no such backend any more. */
  text(database: string, pid: number): Promise<QueryText | undefined>;
  plan(database: string, query: QueryText): Promise<string[]>;
  /** The database details view's statistics (src/app/database-details.ts). */
  details(database: string): Promise<PgDetails>;
}

function failed(error: unknown): Pending<never> {
  const hint = (error as { hint?: unknown })?.hint;
  return { status: 'error', error: error instanceof Error ? error.message : String(error), ...(typeof hint === 'string' ? { hint } : {}) };
}

/** Changes the view, if it still shows the same backend (the operator may have closed it or opened another). */
function update(store: OpsStore, database: string, pid: number, patch: Partial<QueryDetailsState>): void {
  store.setState((s) => {
    const q = s.ui.query;
    return q && q.database === database && q.pid === pid ? { ...s, ui: { ...s.ui, query: { ...q, ...patch } } } : s;
  });
}

/** Opens the view on the selected row and reads its text. */
export function openQueryDetails(store: OpsStore, reader: QueryReader): string | undefined {
  const { data, ui } = store.getState();
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(ui.frozen ?? data), ui.filters.databases), ui);
  if (!row) return 'no query selected';
  store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'query', query: { database: row.database, pid: row.pid, row, text: { status: 'loading' }, plan: null, scroll: 0 } } }));
  reader.text(row.database, row.pid).then(
    (value) => update(store, row.database, row.pid, { text: { status: 'ok', value } }),
    (error: unknown) => update(store, row.database, row.pid, { text: failed(error) }),
  );
  return undefined;
}

/** e in the view: the plan of the text read on opening (once; again after a failure). */
export function planQueryDetails(store: OpsStore, reader: QueryReader): void {
  const q = store.getState().ui.query;
  if (!q || q.plan?.status === 'loading' || q.plan?.status === 'ok') return;
  if (q.text.status !== 'ok') return;
  const query = q.text.value;
  if (!query) {
    update(store, q.database, q.pid, { plan: { status: 'error', error: 'the backend has finished: there is no query to plan any more' } });
    return;
  }
  update(store, q.database, q.pid, { plan: { status: 'loading' } });
  reader.plan(q.database, query).then(
    (lines) => update(store, q.database, q.pid, { plan: { status: 'ok', value: lines } }),
    (error: unknown) => update(store, q.database, q.pid, { plan: failed(error) }),
  );
}

/** The backend as it is now, if the latest sample still lists it; else the row as it was on opening. */
export function liveQueryRow(rows: readonly DatabaseRow[], q: Pick<QueryDetailsState, 'database' | 'pid' | 'row'>): { row: DatabaseRow; live: boolean } {
  const now = rows.find((r) => r.database === q.database && r.pid === q.pid);
  return now ? { row: now, live: true } : { row: q.row, live: false };
}
