// PostgreSQL statistics, the pg_activity view: one read-only round trip per tick (four statements in
// one implicit transaction, so every figure comes from the same snapshot of the stats views).
import type pg from 'pg';
import { DatabaseError } from './errors.js';
import { loadPg } from '../libraries.js';
import { explainableText, explainRefusal, type QueryText } from '../../domain/explain.js';
import { sanitizeLine } from '../../domain/sanitize.js';
import type { Connection } from './link.js';
import { increase, intervalHitRatio, num, optionalNum, perSecond } from './rates.js';
import { connectedStream, DatabaseSourceBase, oneLine, type DatabaseSourceOptions } from './source.js';
import { configuredPassword, tlsOptions, type ConnectionTarget } from './target.js';
import type { DatabaseSpec, PgBackend, PgBlocking, PgDetails, PgReplica, PgStatements, PostgresSample } from '../../domain/database.js';
import { STATEMENTS_PROBE, statementsFrom, statementsQuery, statementsRefused, statementsUnavailable, TABLES, tablesFrom, UNUSED_INDEXES, unusedIndexesFrom } from './pg-details.js';

const SUMMARY = `SELECT current_setting('server_version') AS version,
  current_setting('max_connections')::int AS max_connections,
  pg_is_in_recovery() AS in_recovery,
  d.commits, d.rollbacks, d.blks_hit, d.blks_read, d.deadlocks, d.temp_files, d.temp_bytes,
  a.by_state, a.total,
  CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_delay_sec,
  CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 END AS receive_lag_bytes,
  CASE WHEN pg_is_in_recovery() THEN (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming') > 0 END AS receiving
FROM (SELECT sum(xact_commit)::float8 AS commits, sum(xact_rollback)::float8 AS rollbacks, sum(blks_hit)::float8 AS blks_hit,
        sum(blks_read)::float8 AS blks_read, sum(deadlocks)::float8 AS deadlocks, sum(temp_files)::float8 AS temp_files,
        sum(temp_bytes)::float8 AS temp_bytes FROM pg_stat_database) d,
     (SELECT coalesce(json_object_agg(state, n), '{}'::json) AS by_state, coalesce(sum(n), 0)::int AS total
        FROM (SELECT coalesce(state, 'unknown') AS state, count(*) AS n FROM pg_stat_activity
              WHERE backend_type = 'client backend' GROUP BY 1) s) a`;

// pg_blocking_pids takes the lock manager's locks: only called for backends waiting on a lock.
const ACTIVITY = (limit: number) => `WITH a AS (
  SELECT pid, usename, datname, application_name, client_addr, state, wait_event_type, wait_event, query_start, xact_start, query,
         CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) ELSE '{}'::int[] END AS blocked_by
  FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()),
blockers AS (SELECT DISTINCT unnest(blocked_by) AS pid FROM a)
SELECT pid, coalesce(usename, '') AS usename, coalesce(datname, '') AS datname, coalesce(application_name, '') AS app,
  coalesce(host(client_addr), 'local') AS client, coalesce(state, '') AS state, wait_event_type, wait_event,
  extract(epoch FROM now() - CASE WHEN state LIKE 'idle in transaction%' THEN xact_start ELSE query_start END)::float8 AS duration_sec,
  extract(epoch FROM now() - xact_start)::float8 AS xact_sec,
  left(query, 1000) AS query, blocked_by
FROM a WHERE state IS DISTINCT FROM 'idle' OR pid IN (SELECT pid FROM blockers)
ORDER BY duration_sec DESC NULLS LAST LIMIT ${limit}`;

const REPLICATION = `SELECT coalesce(application_name, '') AS name, coalesce(host(client_addr), 'local') AS client, coalesce(state, '') AS state,
  coalesce(sync_state, '') AS sync_state,
  CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 END AS lag_bytes,
  extract(epoch FROM replay_lag)::float8 AS replay_lag_sec
FROM pg_stat_replication`;

// The whole text (not the sample's first 1000 characters, folded to one line), and whether the server cut it.
const QUERY_TEXT = `SELECT query, datname, octet_length(query) AS bytes,
  (SELECT setting::int FROM pg_settings WHERE name = 'track_activity_query_size') AS size
FROM pg_stat_activity WHERE pid = $1`;

// pg_database_size walks each database's directory: read every few ticks only.
const SIZES = `SELECT datname AS name, pg_database_size(oid)::float8 AS size FROM pg_database
WHERE datallowconn AND has_database_privilege(oid, 'CONNECT') ORDER BY 2 DESC`;


class PgConnection implements Connection {
  alive = true;
  constructor(readonly client: pg.Client) {
    client.on('error', () => {
      this.alive = false;
    });
    client.on('end', () => {
      this.alive = false;
    });
  }

  close(): Promise<void> {
    this.alive = false;
    return this.client.end();
  }

  destroy(): void {
    this.alive = false;
    this.client.connection.stream.destroy();
  }
}

type Row = Record<string, unknown>;

function backend(row: Row): PgBackend {
  return {
    pid: num(row.pid),
    user: String(row.usename ?? ''),
    database: String(row.datname ?? ''),
    application: oneLine(row.app, 64),
    client: String(row.client ?? ''),
    state: String(row.state ?? ''),
    waitEventType: (row.wait_event_type as string | null) ?? undefined,
    waitEvent: (row.wait_event as string | null) ?? undefined,
    durationSec: Math.max(0, optionalNum(row.duration_sec) ?? 0),
    xactSec: optionalNum(row.xact_sec),
    query: oneLine(row.query),
    blockedBy: Array.isArray(row.blocked_by) ? row.blocked_by.map(num) : [],
  };
}

interface Previous {
  at: number;
  counters: PostgresSample['counters'];
  /** opsdeck's own transactions sent before that reading. */
  ownTx: number;
}

export class PostgresSource extends DatabaseSourceBase<PgConnection, PostgresSample> {
  private previous: Previous | undefined;
  private ownTx = 0;
  private sizes: PostgresSample['databases'] = [];
  private ticksSinceSizes = Infinity;

  constructor(name: string, spec: DatabaseSpec, target: ConnectionTarget, options: DatabaseSourceOptions) {
    super(name, 'postgres', spec, target, options);
  }

  protected async open(signal: AbortSignal, database = this.conn.database): Promise<PgConnection> {
    const duplex = await this.tunnelStream(signal);
    const config: pg.ClientConfig = {
      host: this.conn.socket ?? this.conn.host,
      port: this.conn.port,
      user: this.conn.user,
      password: configuredPassword(this.conn, this.env),
      database,
      ssl: (await tlsOptions(this.conn.tls, this.conn.host)) ?? false,
      application_name: 'opsdeck',
      statement_timeout: this.statementTimeoutMs,
      lock_timeout: Math.min(1000, this.statementTimeoutMs),
      idle_in_transaction_session_timeout: this.statementTimeoutMs,
      options: '-c default_transaction_read_only=on',
      connectionTimeoutMillis: this.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...(duplex ? { stream: () => connectedStream(duplex) } : {}),
    };
    const client = new (await loadPg()).Client(config);
    const connection = new PgConnection(client);
    try {
      await client.connect();
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  protected connected(): void {
    // Server-side counters survive a reconnect; opsdeck's own transactions are counted per source.
  }

  private async query(connection: PgConnection, text: string, statements: number): Promise<pg.QueryResult[]> {
    this.sent(statements);
    this.ownTx++;
    const result = (await connection.client.query(text)) as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(result) ? result : [result];
  }

  protected async sample(connection: PgConnection): Promise<PostgresSample> {
    const readSizes = this.ticksSinceSizes >= this.slowEvery;
    const statements = [SUMMARY, ACTIVITY(this.topQueries), REPLICATION, ...(readSizes ? [SIZES] : [])];
    const ownBefore = this.ownTx;
    const results = await this.query(connection, statements.join(';\n'), statements.length);
    const at = Date.now();
    const summary = results[0]?.rows[0] as Row | undefined;
    if (!summary) throw new DatabaseError('the statistics query returned nothing');
    const activity = (results[1]?.rows ?? []) as Row[];
    const replicationRows = (results[2]?.rows ?? []) as Row[];
    if (readSizes) {
      this.sizes = ((results[3]?.rows ?? []) as Row[]).map((r) => ({ name: String(r.name), sizeBytes: num(r.size) }));
      this.ticksSinceSizes = 0;
    }
    this.ticksSinceSizes++;

    const counters: PostgresSample['counters'] = {
      commits: num(summary.commits),
      rollbacks: num(summary.rollbacks),
      blksHit: num(summary.blks_hit),
      blksRead: num(summary.blks_read),
      deadlocks: num(summary.deadlocks),
      tempFiles: num(summary.temp_files),
      tempBytes: num(summary.temp_bytes),
    };
    const prev = this.previous;
    const intervalSec = prev ? (at - prev.at) / 1000 : undefined;
    // Our previous ticks' transactions landed in the counters since the last reading; this one has not.
    const own = prev ? ownBefore - prev.ownTx : 0;
    this.previous = { at, counters, ownTx: ownBefore };

    const all = activity.map(backend);
    const byPid = new Map(all.map((b) => [b.pid, b]));
    const blocking: PgBlocking[] = [];
    for (const blocked of all) {
      for (const pid of blocked.blockedBy) {
        const blocker = byPid.get(pid);
        if (blocker) blocking.push({ blocker, blocked });
      }
    }
    const idleTx = all.filter((b) => b.state.startsWith('idle in transaction'));
    const inRecovery = summary.in_recovery === true;
    let replication: PostgresSample['replication'];
    let replicationLagSec: number | undefined;
    if (inRecovery) {
      const receiveLagBytes = optionalNum(summary.receive_lag_bytes);
      // An idle primary sends nothing to replay: no replay pending means no lag, whatever the clock says.
      const replayDelaySec = receiveLagBytes === 0 ? 0 : optionalNum(summary.replay_delay_sec);
      replication = { role: 'standby', replayDelaySec, receiveLagBytes, receiving: summary.receiving === true };
      replicationLagSec = replayDelaySec;
    } else {
      const replicas: PgReplica[] = replicationRows.map((r) => ({
        name: String(r.name),
        client: String(r.client),
        state: String(r.state),
        syncState: String(r.sync_state),
        lagBytes: optionalNum(r.lag_bytes),
        replayLagSec: optionalNum(r.replay_lag_sec),
      }));
      replication = { role: 'primary', replicas };
      if (replicas.length > 0) replicationLagSec = Math.max(...replicas.map((r) => r.replayLagSec ?? 0));
    }
    const transactions = counters.commits + counters.rollbacks;
    const hits = intervalHitRatio(counters.blksHit, counters.blksRead, prev ? { hits: prev.counters.blksHit, misses: prev.counters.blksRead } : undefined);
    return {
      kind: 'postgres',
      at,
      intervalSec,
      version: String(summary.version),
      connections: { total: num(summary.total), max: num(summary.max_connections), byState: Object.fromEntries(Object.entries((summary.by_state as Record<string, unknown>) ?? {}).map(([k, v]) => [k, num(v)])) },
      counters,
      tps: perSecond(transactions, prev ? prev.counters.commits + prev.counters.rollbacks : undefined, intervalSec, own),
      cacheHitPercent: hits.percent,
      hitReads: hits.reads,
      deadlocksSinceLast: increase(counters.deadlocks, prev?.counters.deadlocks),
      tempFilesSinceLast: increase(counters.tempFiles, prev?.counters.tempFiles),
      tempBytesSinceLast: increase(counters.tempBytes, prev?.counters.tempBytes),
      queries: all,
      blocking,
      idleInTransaction: { count: idleTx.length, longestSec: Math.max(0, ...idleTx.map((b) => b.durationSec)) },
      databases: this.sizes,
      replication,
      replicationLagSec,
    };
  }

  private async signalBackend(fn: 'pg_cancel_backend' | 'pg_terminate_backend', pid: number, signal: AbortSignal): Promise<boolean> {
    return this.link
      .use(
        signal,
        async (connection) => {
          this.sent();
          this.ownTx++;
          // A function call, not a write: allowed under default_transaction_read_only.
          const result = await connection.client.query<{ done: boolean | null }>(`SELECT ${fn}($1::int) AS done`, [pid]);
          return result.rows[0]?.done === true;
        },
        true,
      )
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }

  cancelBackend(pid: number, signal: AbortSignal): Promise<boolean> {
    return this.signalBackend('pg_cancel_backend', pid, signal);
  }

  queryText(pid: number, signal: AbortSignal): Promise<QueryText | undefined> {
    return this.link
      .use(
        signal,
        async (connection) => {
          this.sent();
          this.ownTx++;
          const result = await connection.client.query<{ query: string | null; datname: string | null; bytes: number | null; size: number }>(QUERY_TEXT, [pid]);
          const row = result.rows[0];
          if (!row) return undefined;
          const text = row.query ?? '';
          // The server stores at most track_activity_query_size - 1 bytes of a query.
          const cut = row.bytes !== null && row.bytes >= row.size - 1;
          return { pid, text, database: row.datname ?? '', ...(cut ? { cutAtBytes: row.bytes ?? 0 } : {}) };
        },
        true,
      )
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }

  async planQuery(query: QueryText, signal: AbortSignal): Promise<string[]> {
    const refusal = explainRefusal('postgres', query);
    if (refusal) throw new DatabaseError(refusal);
    try {
      return await this.sideConnection(query.database || undefined, signal, async (connection) => {
        this.sent();
        this.ownTx++;
        // ANALYZE stated false, and the options list first: a text that begins "(ANALYZE) ..." or
        // "ANALYZE ..." cannot turn this into a run. The extended protocol takes one statement only.
        // (pg's `queryMode` is missing from @types/pg.)
        const statement: pg.QueryConfig & { queryMode: 'extended' } = { text: `EXPLAIN (ANALYZE FALSE, FORMAT TEXT) ${explainableText(query)}`, queryMode: 'extended' };
        const result = await connection.client.query<{ 'QUERY PLAN': string }>(statement);
        return result.rows.map((r) => sanitizeLine(r['QUERY PLAN'], 2000));
      });
    } catch (error) {
      throw this.planFailed(error);
    }
  }

  terminateBackend(pid: number, signal: AbortSignal): Promise<boolean> {
    return this.signalBackend('pg_terminate_backend', pid, signal);
  }

  /** The details view: statements (where pg_stat_statements is there), table sizes, unused indexes; all SELECTs. */
  details(signal: AbortSignal): Promise<PgDetails> {
    return this.link
      .use(
        signal,
        async (connection) => {
          const read = async (text: string): Promise<Record<string, unknown>[]> => {
            this.sent();
            this.ownTx++;
            return (await connection.client.query<Record<string, unknown>>(text)).rows;
          };
          const probe = (await read(STATEMENTS_PROBE))[0] ?? {};
          const database = String(probe.database ?? '');
          const schema = typeof probe.schema === 'string' ? probe.schema : null;
          let statements: PgStatements = statementsUnavailable({ schema, preloaded: probe.preloaded === true, database }) ?? { status: 'ok', byTotal: [], byMean: [] };
          if (statements.status === 'ok' && schema !== null) {
            try {
              const version = Number(probe.version);
              statements = { status: 'ok', byTotal: statementsFrom(await read(statementsQuery(schema, version, 'total'))), byMean: statementsFrom(await read(statementsQuery(schema, version, 'mean'))) };
            } catch (error) {
              const refused = statementsRefused(error);
              if (!refused) throw error;
              statements = refused;
            }
          }
          const statsSince = optionalNum(probe.stats_reset);
          return { at: Date.now(), database, statements, tables: tablesFrom(await read(TABLES)), unusedIndexes: unusedIndexesFrom(await read(UNUSED_INDEXES)), ...(statsSince !== undefined ? { statsSince } : {}) };
        },
        true,
      )
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }
}
