// The PostgreSQL details view's reads (read-only, on the entry's database): pg_stat_statements' top
// statements by total and by mean time where the extension is there, table sizes with dead tuples,
// and indexes no scan has used. The parsers take the rows as pg returns them (bigints as strings).
import type { PgStatement, PgStatements, PgTableSize, PgUnusedIndex } from '../../domain/database.js';
import { num, optionalNum } from './rates.js';
import { oneLine } from './source.js';

type Row = Record<string, unknown>;

/** How many rows each list keeps. */
export const DETAILS_LIMIT = 10;

/** Whether the extension is created here (its schema), and whether the server preloads its library. */
export const STATEMENTS_PROBE = `SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements') AS schema,
  'pg_stat_statements' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ',')) AS preloaded,
  current_setting('server_version_num')::int AS version,
  current_database() AS database,
  (SELECT extract(epoch FROM stats_reset) * 1000 FROM pg_stat_database WHERE datname = current_database()) AS stats_reset`;

/** The top statements of this database by `order` (PostgreSQL 13 renamed total_time to total_exec_time). */
export function statementsQuery(schema: string, version: number, order: 'total' | 'mean'): string {
  const total = version >= 130000 ? 'total_exec_time' : 'total_time';
  const mean = version >= 130000 ? 'mean_exec_time' : 'mean_time';
  // The schema comes from pg_namespace, quoted as an identifier.
  const view = `"${schema.replace(/"/g, '""')}".pg_stat_statements`;
  return `SELECT left(query, 2000) AS query, calls::float8 AS calls, ${total}::float8 AS total_ms, ${mean}::float8 AS mean_ms, rows::float8 AS rows
FROM ${view} WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY ${order === 'total' ? total : mean} DESC LIMIT ${DETAILS_LIMIT}`;
}

export const TABLES = `SELECT schemaname AS schema, relname AS name, pg_total_relation_size(relid)::float8 AS total_bytes,
  n_live_tup::float8 AS live, n_dead_tup::float8 AS dead,
  extract(epoch FROM greatest(last_vacuum, last_autovacuum)) * 1000 AS vacuumed_at
FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC, relname LIMIT ${DETAILS_LIMIT}`;

export const UNUSED_INDEXES = `SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS name, pg_relation_size(s.indexrelid)::float8 AS bytes
FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname LIMIT ${DETAILS_LIMIT}`;

export function statementsFrom(rows: readonly Row[]): PgStatement[] {
  return rows.map((r) => ({ query: oneLine(r.query, 2000), calls: num(r.calls), totalMs: num(r.total_ms), meanMs: num(r.mean_ms), rows: num(r.rows) }));
}

export function tablesFrom(rows: readonly Row[]): PgTableSize[] {
  return rows.map((r) => {
    const vacuumedAt = optionalNum(r.vacuumed_at);
    return { schema: oneLine(r.schema, 200), name: oneLine(r.name, 200), totalBytes: num(r.total_bytes), liveTuples: num(r.live), deadTuples: num(r.dead), ...(vacuumedAt !== undefined ? { vacuumedAt } : {}) };
  });
}

export function unusedIndexesFrom(rows: readonly Row[]): PgUnusedIndex[] {
  return rows.map((r) => ({ schema: oneLine(r.schema, 200), table: oneLine(r.table, 200), name: oneLine(r.name, 200), sizeBytes: num(r.bytes) }));
}

const ENABLE = "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, then run CREATE EXTENSION pg_stat_statements; in this database";

/** Why pg_stat_statements cannot be read here, from the probe; undefined when it can. */
export function statementsUnavailable(probe: { schema: string | null; preloaded: boolean; database: string }): Extract<PgStatements, { status: 'unavailable' }> | undefined {
  if (!probe.preloaded) {
    return { status: 'unavailable', reason: 'pg_stat_statements is not loaded (shared_preload_libraries does not list it)', hint: ENABLE };
  }
  if (probe.schema === null) {
    return { status: 'unavailable', reason: `pg_stat_statements is loaded but not created in ${probe.database}`, hint: `run CREATE EXTENSION pg_stat_statements; in ${probe.database} (as a superuser or the database owner)` };
  }
  return undefined;
}

/** The server's refusal when the extension is created but its library is not loaded (SQLSTATE 55000). */
export function statementsRefused(error: unknown): Extract<PgStatements, { status: 'unavailable' }> | undefined {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code === '55000' && typeof e.message === 'string' && e.message.includes('pg_stat_statements')) return { status: 'unavailable', reason: oneLine(e.message, 300), hint: ENABLE };
  if (e?.code === '42501') return { status: 'unavailable', reason: 'reading pg_stat_statements was refused', hint: 'grant pg_read_all_stats to the monitoring user' };
  return undefined;
}
