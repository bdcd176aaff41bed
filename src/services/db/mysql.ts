// MySQL and MariaDB statistics, the innotop view: status counters, busy threads, InnoDB lock waits
// and replica state, read on one read-only session with a server-side statement time limit.
import type mysql from 'mysql2/promise';
import type { Connection } from './link.js';
import { DatabaseError } from './errors.js';
import { loadMysql } from '../libraries.js';
import { explainableText, explainRefusal, planTable, type QueryText } from '../../domain/explain.js';
import { sanitizeLine } from '../../domain/sanitize.js';
import { increase, intervalHitRatio, num, perSecond } from './rates.js';
import { DatabaseSourceBase, oneLine, type DatabaseSourceOptions } from './source.js';
import { configuredPassword, osUser, readMyCnf, tlsOptions, type ConnectionTarget } from './target.js';
import type { DatabaseSpec, MysqlLockWait, MysqlProcess, MysqlReplica, MysqlSample } from '../../domain/database.js';

const STATUS = `SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_connected', 'Threads_running', 'Questions', 'Slow_queries',
  'Innodb_buffer_pool_read_requests', 'Innodb_buffer_pool_reads', 'Max_used_connections')`;
const VARIABLES = 'SELECT @@max_connections AS max_connections, @@read_only AS read_only, @@version AS version';
// The size threshold's figure: every user schema's data and indexes. Reading TABLES opens each
// table's metadata, so it is re-read with the variables (every few ticks), not every tick.
const SIZE = `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS size FROM information_schema.TABLES
  WHERE TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`;

const PROCESSLIST = (flavor: Flavor, limit: number) => {
  const time = flavor === 'mariadb' ? 'TIME_MS / 1000' : 'TIME';
  return `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command, ${time} AS time_sec, STATE AS state,
  LEFT(INFO, 1000) AS info FROM information_schema.PROCESSLIST
  WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID') AND ID <> CONNECTION_ID()
  ORDER BY ${time} DESC LIMIT ${limit}`;
};

// MariaDB and MySQL 5.7 keep lock waits in information_schema; MySQL 8 moved them to performance_schema.
// The information_schema views are a cache the server refreshes only after 100 ms without a reader:
// polls at the cockpit's refresh (500 ms at least) see each tick's waits; a faster poller would not.
const LOCK_WAITS_IS = `SELECT r.trx_mysql_thread_id AS blocked_id, b.trx_mysql_thread_id AS blocking_id,
  TIMESTAMPDIFF(SECOND, r.trx_wait_started, NOW()) AS wait_sec, LEFT(r.trx_query, 1000) AS blocked_query,
  LEFT(b.trx_query, 1000) AS blocking_query, CONCAT_WS(' ', l.lock_mode, l.lock_type, l.lock_table, l.lock_index) AS lock_desc
FROM information_schema.INNODB_LOCK_WAITS w
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
LEFT JOIN information_schema.INNODB_LOCKS l ON l.lock_id = w.requested_lock_id`;
const LOCK_WAITS_PS = `SELECT r.trx_mysql_thread_id AS blocked_id, b.trx_mysql_thread_id AS blocking_id,
  TIMESTAMPDIFF(SECOND, r.trx_wait_started, NOW()) AS wait_sec, LEFT(r.trx_query, 1000) AS blocked_query,
  LEFT(b.trx_query, 1000) AS blocking_query, CONCAT_WS(' ', l.LOCK_MODE, l.LOCK_TYPE, CONCAT(l.OBJECT_SCHEMA, '.', l.OBJECT_NAME), l.INDEX_NAME) AS lock_desc
FROM performance_schema.data_lock_waits w
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID
LEFT JOIN performance_schema.data_locks l ON l.ENGINE_LOCK_ID = w.REQUESTING_ENGINE_LOCK_ID`;

type Flavor = 'mariadb' | 'mysql';
type Row = Record<string, unknown>;


class MysqlConnection implements Connection {
  alive = true;
  constructor(readonly session: mysql.Connection) {
    // The promise wrapper re-emits the core connection's events (untyped).
    const events = session as unknown as NodeJS.EventEmitter;
    events.on('error', (error: { fatal?: boolean }) => {
      if (error.fatal !== false) this.alive = false;
    });
    events.on('end', () => {
      this.alive = false;
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    await this.session.end();
  }

  destroy(): void {
    this.alive = false;
    this.session.destroy();
  }
}

function errorCode(error: unknown): string {
  return String((error as { code?: unknown })?.code ?? '');
}

const DENIED = new Set(['ER_SPECIFIC_ACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);

function replicaFrom(row: Row): MysqlReplica {
  const pick = (...keys: string[]) => keys.map((k) => row[k]).find((v) => v !== undefined && v !== null);
  const behind = pick('Seconds_Behind_Source', 'Seconds_Behind_Master');
  return {
    source: `${String(pick('Source_Host', 'Master_Host') ?? '')}:${String(pick('Source_Port', 'Master_Port') ?? '')}`,
    ioRunning: String(pick('Replica_IO_Running', 'Slave_IO_Running') ?? ''),
    sqlRunning: String(pick('Replica_SQL_Running', 'Slave_SQL_Running') ?? ''),
    secondsBehind: behind === undefined || behind === null ? null : num(behind),
    lastError: oneLine(pick('Last_IO_Error', 'Last_SQL_Error', 'Last_Error') ?? '', 300),
  };
}

interface Previous {
  at: number;
  counters: MysqlSample['counters'];
  /** opsdeck's statements sent up to and including that reading's SHOW STATUS. */
  own: number;
}

export class MysqlSource extends DatabaseSourceBase<MysqlConnection, MysqlSample> {
  private previous: Previous | undefined;
  private ownStatements = 0;
  private flavor: Flavor = 'mariadb';
  private variables: { max: number; readOnly: boolean; version: string } | undefined;
  private ticksSinceVariables = 0;
  private sizeBytes: number | undefined;
  private lockWaitSql: string | undefined = LOCK_WAITS_IS;
  private lockWaitNote: string | undefined;
  private replicaSql: 'SHOW REPLICA STATUS' | 'SHOW SLAVE STATUS' = 'SHOW REPLICA STATUS';
  private replicaNote: string | undefined;

  constructor(name: string, spec: DatabaseSpec, target: ConnectionTarget, options: DatabaseSourceOptions) {
    super(name, 'mysql', spec, target, options);
  }

  private async run(connection: MysqlConnection, sql: string, values?: unknown[]): Promise<Row[]> {
    this.sent();
    this.ownStatements++;
    // No client-side timeout: mysql2 leaves a timed-out query queued on the connection; the link drops it instead.
    const [rows] = await connection.session.query({ sql, values });
    return Array.isArray(rows) ? (rows as Row[]) : [];
  }

  protected async open(signal: AbortSignal, database = this.conn.database): Promise<MysqlConnection> {
    const duplex = await this.tunnelStream(signal);
    // ~/.my.cnf fills what the entry leaves out, like the mysql client does.
    const cnf = this.conn.passwordEnv || this.conn.urlPassword ? undefined : await readMyCnf(this.home);
    const password = configuredPassword(this.conn, this.env) ?? cnf?.password;
    const session = await (await loadMysql()).createConnection({
      ...(this.conn.socket ? { socketPath: this.conn.socket } : { host: this.conn.host, port: this.conn.port }),
      user: this.conn.user ?? cnf?.user ?? osUser(),
      password,
      database,
      ssl: (await tlsOptions(this.conn.tls, this.conn.host)) as mysql.SslOptions | undefined,
      connectTimeout: this.connectTimeoutMs,
      enableKeepAlive: true,
      connectAttributes: { program_name: 'opsdeck' },
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      ...(duplex ? { stream: duplex } : {}),
    });
    const connection = new MysqlConnection(session);
    try {
      const version = String((await this.run(connection, 'SELECT @@version AS version'))[0]?.version ?? '');
      this.flavor = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
      const limit =
        this.flavor === 'mariadb'
          ? `SET SESSION max_statement_time = ${(this.statementTimeoutMs / 1000).toFixed(3)}`
          : `SET SESSION max_execution_time = ${this.statementTimeoutMs}`;
      await this.run(connection, limit);
      await this.run(connection, 'SET SESSION TRANSACTION READ ONLY');
      await this.run(connection, `SET SESSION lock_wait_timeout = ${Math.max(1, Math.ceil(this.statementTimeoutMs / 1000))}`);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  protected connected(): void {
    // Status counters are server-wide and survive a reconnect; opsdeck's statements are counted per
    // source. Server variables are read again on the new poll connection.
    this.variables = undefined;
  }

  private async lockWaits(connection: MysqlConnection): Promise<MysqlLockWait[]> {
    if (!this.lockWaitSql) return [];
    let rows: Row[];
    try {
      rows = await this.run(connection, this.lockWaitSql);
    } catch (error) {
      const code = errorCode(error);
      if (this.lockWaitSql === LOCK_WAITS_IS && (code === 'ER_UNKNOWN_TABLE' || code === 'ER_NO_SUCH_TABLE' || code === 'ER_UNKNOWN_TABLE_ENGINE')) {
        this.lockWaitSql = LOCK_WAITS_PS;
        return this.lockWaits(connection);
      }
      if (DENIED.has(code)) {
        this.lockWaitSql = undefined;
        this.lockWaitNote = 'lock waits need the PROCESS privilege';
        return [];
      }
      throw error;
    }
    return rows.map((r) => ({
      blockedId: num(r.blocked_id),
      blockingId: num(r.blocking_id),
      waitSec: Math.max(0, num(r.wait_sec)),
      blockedQuery: oneLine(r.blocked_query),
      blockingQuery: oneLine(r.blocking_query),
      lock: oneLine(r.lock_desc, 200),
    }));
  }

  private async replica(connection: MysqlConnection): Promise<MysqlReplica | undefined> {
    if (this.replicaNote) return undefined;
    try {
      const rows = await this.run(connection, this.replicaSql);
      return rows[0] ? replicaFrom(rows[0]) : undefined;
    } catch (error) {
      const code = errorCode(error);
      if (this.replicaSql === 'SHOW REPLICA STATUS' && code === 'ER_PARSE_ERROR') {
        this.replicaSql = 'SHOW SLAVE STATUS';
        return this.replica(connection);
      }
      if (DENIED.has(code)) {
        this.replicaNote = 'replica status needs the REPLICATION CLIENT (MariaDB: SLAVE MONITOR) privilege';
        return undefined;
      }
      throw error;
    }
  }

  protected async sample(connection: MysqlConnection): Promise<MysqlSample> {
    const statusRows = await this.run(connection, STATUS);
    const ownNow = this.ownStatements;
    const at = Date.now();
    const status = new Map(statusRows.map((r) => [String(r.Variable_name), r.Value]));
    if (!this.variables || this.ticksSinceVariables >= this.slowEvery) {
      const v = (await this.run(connection, VARIABLES))[0] ?? {};
      this.variables = { max: num(v.max_connections), readOnly: num(v.read_only) === 1, version: String(v.version ?? '') };
      this.sizeBytes = num((await this.run(connection, SIZE))[0]?.size);
      this.ticksSinceVariables = 0;
    }
    this.ticksSinceVariables++;
    const processRows = await this.run(connection, PROCESSLIST(this.flavor, this.topQueries));
    const lockWaits = await this.lockWaits(connection);
    const replica = await this.replica(connection);

    const counters: MysqlSample['counters'] = {
      questions: num(status.get('Questions')),
      slowQueries: num(status.get('Slow_queries')),
      bpReadRequests: num(status.get('Innodb_buffer_pool_read_requests')),
      bpReads: num(status.get('Innodb_buffer_pool_reads')),
    };
    const prev = this.previous;
    const intervalSec = prev ? (at - prev.at) / 1000 : undefined;
    this.previous = { at, counters, own: ownNow };

    const blockedBy = new Map<number, number[]>();
    for (const w of lockWaits) blockedBy.set(w.blockedId, [...(blockedBy.get(w.blockedId) ?? []), w.blockingId]);
    const processes: MysqlProcess[] = processRows.map((r) => ({
      id: num(r.id),
      user: String(r.user ?? ''),
      host: String(r.host ?? ''),
      db: String(r.db ?? ''),
      command: String(r.command ?? ''),
      timeSec: Math.max(0, num(r.time_sec)),
      state: oneLine(r.state, 64),
      query: oneLine(r.info),
      blockedBy: blockedBy.get(num(r.id)) ?? [],
    }));
    // Read requests that missed the pool went to disk: hits are requests less disk reads.
    const bpHits = counters.bpReadRequests - counters.bpReads;
    const prevHits = prev ? prev.counters.bpReadRequests - prev.counters.bpReads : undefined;
    const replicationLagSec = replica ? (replica.secondsBehind ?? undefined) : undefined;
    const hits = intervalHitRatio(bpHits, counters.bpReads, prev && prevHits !== undefined ? { hits: prevHits, misses: prev.counters.bpReads } : undefined);
    return {
      kind: 'mysql',
      at,
      intervalSec,
      flavor: this.flavor,
      version: this.variables.version,
      readOnly: this.variables.readOnly,
      threads: {
        connected: num(status.get('Threads_connected')),
        running: num(status.get('Threads_running')),
        max: this.variables.max,
        maxUsed: num(status.get('Max_used_connections')),
      },
      counters,
      qps: perSecond(counters.questions, prev?.counters.questions, intervalSec, prev ? ownNow - prev.own : 0),
      slowSinceLast: increase(counters.slowQueries, prev?.counters.slowQueries),
      bufferPoolHitPercent: hits.percent,
      hitReads: hits.reads,
      sizeBytes: this.sizeBytes,
      processes,
      lockWaits,
      replica,
      replicaNote: this.replicaNote ?? this.lockWaitNote,
      replicationLagSec,
    };
  }

  private async kill(which: 'QUERY' | 'CONNECTION', id: number, signal: AbortSignal): Promise<boolean> {
    return this.link
      .use(
        signal,
        async (connection) => {
          try {
            await this.run(connection, `KILL ${which} ?`, [id]);
            return true;
          } catch (error) {
            if (errorCode(error) === 'ER_NO_SUCH_THREAD') return false;
            throw error;
          }
        },
        true,
      )
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }

  cancelBackend(id: number, signal: AbortSignal): Promise<boolean> {
    return this.kill('QUERY', id, signal);
  }

  queryText(id: number, signal: AbortSignal): Promise<QueryText | undefined> {
    return this.link
      .use(
        signal,
        async (connection) => {
          const row = (await this.run(connection, 'SELECT INFO AS info, DB AS db FROM information_schema.PROCESSLIST WHERE ID = ?', [id]))[0];
          if (!row) return undefined;
          return { pid: id, text: typeof row.info === 'string' ? row.info : '', database: typeof row.db === 'string' ? row.db : '' };
        },
        true,
      )
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }

  async planQuery(query: QueryText, signal: AbortSignal): Promise<string[]> {
    const refusal = explainRefusal('mysql', query);
    if (refusal) throw new DatabaseError(refusal);
    try {
      return await this.sideConnection(query.database || undefined, signal, async (connection) => {
        // FORMAT=TRADITIONAL first: a text beginning "ANALYZE ..." cannot turn this into a run
        // (MySQL's EXPLAIN ANALYZE executes). mysql2 sends one statement (no multipleStatements).
        this.sent();
        this.ownStatements++;
        const [rows, fields] = await connection.session.query({ sql: `EXPLAIN FORMAT=TRADITIONAL ${explainableText(query)}`, rowsAsArray: true });
        const columns = (fields ?? []).map((f) => f.name);
        const cells = (rows as unknown[][]).map((r) => r.map((v) => (v === null ? 'NULL' : sanitizeLine(String(v), 500))));
        return planTable(columns, cells);
      });
    } catch (error) {
      if (errorCode(error) === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION') {
        throw new DatabaseError('the server will not plan a write (INSERT, UPDATE, DELETE, REPLACE) in a read-only session, and opsdeck\'s sessions stay read-only', 'run EXPLAIN on it by hand', 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION');
      }
      throw this.planFailed(error);
    }
  }

  terminateBackend(id: number, signal: AbortSignal): Promise<boolean> {
    return this.kill('CONNECTION', id, signal);
  }
}
