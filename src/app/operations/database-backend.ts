// Cancel (c) and terminate (K) the database backend selected in the Databases pane: what it is, then
// a yes (cancel) or its pid typed (terminate, which ends the whole session).
import { formatDuration } from '../../domain/duration.js';
import { redactLiterals } from '../../domain/redact.js';
import { databaseRows, selectedDatabaseRow, type DatabaseRow } from '../database-rows.js';
import { databaseViews } from '../rows.js';
import type { DataState, UiState } from '../store.js';
import type { DatabaseSample } from '../../domain/database.js';
import type { OperationKind, OperationOutcome } from './types.js';
import type { OperationPorts } from './ports.js';

/** The row as the operation acts on it (its on-screen level is no parameter). */
export interface BackendParams extends Omit<DatabaseRow, 'durationLevel'> {
  /** The host the database is reached from ('local' or its via: host). */
  host: string;
  /** Where the database is, without secrets. */
  server: string;
}

/** A backend still running after this long is reported failed rather than waited on. */
const ADMIN_TIMEOUT_MS = 10_000;
const MAX_BACKEND_ID = 2 ** 31 - 1;
/** How long a signalled backend may take to show the change before the operation says it did not. */
const VERIFY_MS = 5000;
const VERIFY_EVERY_MS = 250;

/** Whether the backend still does what the operation was to stop, as a fresh sample shows it. */
function stillRunning(sample: DatabaseSample, pid: number, which: 'cancel' | 'terminate'): boolean {
  if (sample.kind === 'postgres') {
    const backend = sample.queries.find((q) => q.pid === pid);
    return which === 'terminate' ? backend !== undefined : backend?.state === 'active';
  }
  if (sample.kind === 'mysql') {
    const thread = sample.processes.find((t) => t.id === pid);
    return which === 'terminate' ? thread !== undefined : thread?.command === 'Query';
  }
  // A Redis sample lists no clients: CLIENT KILL's own count is the evidence.
  return false;
}

function selectedBackend(data: DataState, ui: UiState): { params: BackendParams } | { error: string } {
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
  if (!row) return { error: 'no query selected: move onto one in the Databases pane' };
  if (!Number.isInteger(row.pid) || row.pid <= 0 || row.pid > MAX_BACKEND_ID) return { error: `${row.pid} is not a backend id` };
  const entry = data.databases[row.database];
  const { database, kind, pid, user, db, durationSec, state, wait, query, blockedBy } = row;
  return { params: { database, kind, pid, user, db, durationSec, state, wait, query, blockedBy, host: entry?.host ?? 'local', server: entry?.target ?? '' } };
}

/** The statement the server is sent (as src/services/db/{postgres,mysql,redis}.ts send it). */
function statement(kind: BackendParams['kind'], which: 'cancel' | 'terminate', pid: number): string | undefined {
  if (kind === 'postgres') return `SELECT pg_${which === 'cancel' ? 'cancel' : 'terminate'}_backend(${pid})`;
  if (kind === 'mysql') return `KILL ${which === 'cancel' ? 'QUERY' : 'CONNECTION'} ${pid}`;
  return which === 'terminate' ? `CLIENT KILL ID ${pid}` : undefined;
}

function backendOperation(which: 'cancel' | 'terminate'): OperationKind<BackendParams> {
  const noun = (p: BackendParams) => (p.kind === 'redis' ? 'client' : which === 'cancel' ? 'query' : 'session');
  return {
    key:
      which === 'cancel'
        ? { context: 'databases', binding: 'cancel-query', help: 'cancel the selected query (pg_cancel_backend / KILL QUERY), after a yes' }
        : { context: 'databases', binding: 'terminate-query', help: 'terminate its session (pg_terminate_backend / KILL / CLIENT KILL), after typing its pid' },
    changesOutside: true,
    fromSelection: selectedBackend,
    describe: (p) => ({
      title: `${which} ${noun(p)} ${p.pid} on ${p.database}`,
      lines: [`${p.db ? `${p.user}@${p.db}` : p.user} · ${p.state || 'active'} · running ${formatDuration(p.durationSec * 1000)}${p.wait ? ` · waiting ${p.wait}` : ''}`, p.query || '(no query text)'],
      host: p.host,
      target: `db:${p.database} pid ${p.pid}`,
      command: statement(p.kind, which, p.pid),
      detail: { kind: p.kind, server: p.server, pid: p.pid, user: p.user, database: p.db, state: p.state, durationSec: Math.round(p.durationSec), query: redactLiterals(p.query, p.kind) },
    }),
    confirmation: (p) => (which === 'terminate' ? { kind: 'typed', word: String(p.pid) } : { kind: 'yes' }),
    run: async (p: BackendParams, ports: OperationPorts, signal: AbortSignal): Promise<OperationOutcome> => {
      const admin = ports.database(p.database);
      if (!admin) return { outcome: 'failed', message: `no database "${p.database}"` };
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(ADMIN_TIMEOUT_MS)]);
      const found = await (which === 'cancel' ? admin.cancelBackend(p.pid, bounded) : admin.terminateBackend(p.pid, bounded));
      if (!found) return { outcome: 'not-found', message: `no backend ${p.pid} on ${p.database} (it may have finished)` };
      const done = `${which === 'cancel' ? 'cancelled the query of' : 'terminated'} pid ${p.pid} on ${p.database}`;
      // The server's yes means the signal was sent; the backend's state in a fresh sample says it worked.
      for (const until = Date.now() + VERIFY_MS; ; ) {
        if (!stillRunning(await admin.collect(bounded), p.pid, which)) return { outcome: 'ok', message: done };
        if (Date.now() >= until) return { outcome: 'failed', message: `${statement(p.kind, which, p.pid)} was accepted, but pid ${p.pid} on ${p.database} is still ${which === 'cancel' ? 'running its query' : 'there'} after ${VERIFY_MS / 1000} s` };
        await new Promise((resolve) => setTimeout(resolve, VERIFY_EVERY_MS));
      }
    },
  };
}

export const cancelQuery = backendOperation('cancel');
export const terminateQuery = backendOperation('terminate');
