// What a database poll produces (one sample per tick, per kind), its thresholds, and its config entry.
import type { Level, ThresholdPair } from './model.js';

export type DatabaseKind = 'postgres' | 'mysql' | 'redis';

/** TLS settings of a database entry; `true` means TLS with the system's CAs and full verification. */
export interface DatabaseTls {
  /** PEM file of the CA that signed the server's certificate. */
  ca?: string;
  /** Client certificate and key (PEM files) for servers that ask for one. */
  cert?: string;
  key?: string;
  /** Name expected in the server's certificate, when it differs from the host connected to. */
  servername?: string;
  /** false accepts any certificate (encryption without authentication); default true. */
  verify?: boolean;
}

/** Database thresholds as the config gives them (`databases.NAME.thresholds`, `thresholds.database`). */
export interface DatabaseThresholdsSpec {
  /** Percent of max_connections. */
  connections?: ThresholdPair;
  /** Connections as a count. */
  connectionCount?: ThresholdPair;
  /** The longest running query, as a duration. */
  queryDuration?: { warn: string | number; crit: string | number };
  replicationLag?: { warn: string | number; crit: string | number };
  /** Lower is worse: warn when the hit ratio falls below `warn`, crit below `crit`. */
  cacheHit?: ThresholdPair;
  /** Reads an interval needs before its hit ratio is judged. */
  minReads?: number;
  /** The server's databases together, as bytes or a size such as 80G. */
  size?: { warn: string | number; crit: string | number };
  memory?: ThresholdPair;
  backupAge?: { warn: string | number; crit: string | number };
}

/** `databases.NAME.backup`: where backups go and how many stay (at least one of keep, maxAge). */
export interface BackupSpec {
  dir: string;
  /** The newest verified backups kept. */
  keep?: number;
  /** Days a verified backup is kept. */
  maxAge?: number;
  /** Hosts whose maintenance flag is set while a restore replaces the database. */
  apps?: string[];
}

/** One `databases:` entry of the config (src/app/config/schema.ts), as the app resolved it. */
export interface DatabaseSpec {
  postgres?: string;
  mysql?: string;
  redis?: string;
  passwordEnv?: string;
  via?: string;
  user?: string;
  port?: number;
  database?: string | number;
  tls?: boolean | DatabaseTls;
  thresholds?: DatabaseThresholdsSpec;
  backup?: BackupSpec;
}

// ---- PostgreSQL ----

export interface PgBackend {
  pid: number;
  user: string;
  database: string;
  application: string;
  client: string;
  /** active, idle in transaction, idle in transaction (aborted), fastpath function call, disabled. */
  state: string;
  waitEventType?: string;
  waitEvent?: string;
  /** What the Duration column shows: the running query's age, or the open transaction's when idle in one. */
  durationSec: number;
  /** Age of the open transaction, if any. */
  xactSec?: number;
  query: string;
  /** Backends this one waits for (pg_blocking_pids), empty when it waits for nothing. */
  blockedBy: number[];
}

export interface PgBlocking {
  blocker: PgBackend;
  blocked: PgBackend;
}

export interface PgReplica {
  name: string;
  client: string;
  state: string;
  syncState: string;
  /** WAL bytes the replica has not replayed yet. */
  lagBytes?: number;
  replayLagSec?: number;
}

export interface PostgresSample {
  kind: 'postgres';
  at: number;
  /** Seconds since the previous sample; rates are absent on the first one. */
  intervalSec?: number;
  version: string;
  connections: { total: number; max: number; byState: Record<string, number> };
  /** Cumulative server counters (pg_stat_database, all databases), kept for the next tick's rates. */
  counters: { commits: number; rollbacks: number; blksHit: number; blksRead: number; deadlocks: number; tempFiles: number; tempBytes: number };
  /** Commits + rollbacks per second, opsdeck's own transaction excluded. */
  tps?: number;
  /** Buffer hits over all block reads in the last interval (absent on the first sample and when it read nothing). */
  cacheHitPercent?: number;
  /** Block reads (hits and misses) in that interval: too few and the ratio is not judged. */
  hitReads?: number;
  deadlocksSinceLast?: number;
  tempFilesSinceLast?: number;
  tempBytesSinceLast?: number;
  /** Non-idle client backends, longest-running first (opsdeck's own excluded). */
  queries: PgBackend[];
  blocking: PgBlocking[];
  idleInTransaction: { count: number; longestSec: number };
  databases: { name: string; sizeBytes: number }[];
  replication:
    | { role: 'primary'; replicas: PgReplica[] }
    | { role: 'standby'; replayDelaySec?: number; receiveLagBytes?: number; receiving: boolean };
  /** The figure the lag threshold reads: worst replica replay lag (primary) or replay delay (standby). */
  replicationLagSec?: number;
}

// ---- MySQL / MariaDB ----

export interface MysqlProcess {
  id: number;
  user: string;
  host: string;
  db: string;
  command: string;
  timeSec: number;
  state: string;
  query: string;
  /** Threads holding the lock this one waits for. */
  blockedBy: number[];
}

export interface MysqlLockWait {
  blockedId: number;
  blockingId: number;
  waitSec: number;
  blockedQuery: string;
  blockingQuery: string;
  lock: string;
}

export interface MysqlReplica {
  source: string;
  ioRunning: string;
  sqlRunning: string;
  /** null while the SQL thread is stopped or the I/O thread is disconnected. */
  secondsBehind: number | null;
  lastError: string;
}

export interface MysqlSample {
  kind: 'mysql';
  at: number;
  intervalSec?: number;
  flavor: 'mariadb' | 'mysql';
  version: string;
  readOnly: boolean;
  threads: { connected: number; running: number; max: number; maxUsed: number };
  counters: { questions: number; slowQueries: number; bpReadRequests: number; bpReads: number };
  /** Statements per second from `Questions`, opsdeck's own excluded. */
  qps?: number;
  slowSinceLast?: number;
  /** Buffer pool read requests served from memory in the last interval. */
  bufferPoolHitPercent?: number;
  /** Buffer pool read requests in that interval. */
  hitReads?: number;
  /** Data and indexes of every user schema (information_schema.TABLES), re-read every few ticks. */
  sizeBytes?: number;
  /** Busy threads (not Sleep, not opsdeck's), longest first. */
  processes: MysqlProcess[];
  lockWaits: MysqlLockWait[];
  /** undefined when the server is no replica. */
  replica?: MysqlReplica;
  /** Why the replica status could not be read (privilege), shown instead of it. */
  replicaNote?: string;
  replicationLagSec?: number;
}

// ---- Redis ----

export interface RedisReplica {
  address: string;
  state: string;
  offset: number;
  lagBytes: number;
  lagSec: number;
}

export interface RedisSample {
  kind: 'redis';
  at: number;
  intervalSec?: number;
  version: string;
  mode: string;
  uptimeSec: number;
  pingMs: number;
  memory: { used: number; max: number; usedPercent?: number; rss: number; peak: number; fragmentation: number; policy: string };
  clients: { connected: number; blocked: number };
  counters: { commands: number; hits: number; misses: number; evicted: number; expired: number };
  /** Commands per second from total_commands_processed, opsdeck's own excluded. */
  opsPerSec?: number;
  /** Redis's own estimate (instantaneous_ops_per_sec). */
  instantaneousOps: number;
  /** Keyspace hits over lookups in the last interval. */
  hitPercent?: number;
  /** Keyspace lookups (hits and misses) in that interval. */
  hitReads?: number;
  evictedPerSec?: number;
  expiredPerSec?: number;
  keyspace: { db: number; keys: number; expires: number; avgTtlMs: number }[];
  replication:
    | { role: 'master'; offset: number; replicas: RedisReplica[] }
    | { role: 'replica'; offset: number; master: string; linkStatus: string; lastIoSecAgo: number; syncing: boolean };
  persistence: { lastSaveOk: boolean; lastSaveAt: number; changesSinceSave: number; saving: boolean; aofEnabled: boolean; aofLastWriteOk: boolean };
  replicationLagSec?: number;
}

export type DatabaseSample = PostgresSample | MysqlSample | RedisSample;

// ---- Levels ----

export type DatabaseMetric = 'connections' | 'connectionCount' | 'queryDuration' | 'replicationLag' | 'cacheHit' | 'size' | 'memory';

export interface DatabaseThresholds {
  /** Percent of max_connections in use. */
  connections: ThresholdPair;
  /** Connections (Redis: clients) as a count; judged only when configured. */
  connectionCount?: ThresholdPair;
  /** Seconds the longest running query has run. */
  queryDurationSec: ThresholdPair;
  /** Seconds behind. */
  replicationLagSec: ThresholdPair;
  /** Percent; lower is worse (warn >= crit). Redis: judged only when its entry sets it. */
  cacheHit?: ThresholdPair;
  /** Reads (or keyspace lookups) an interval needs before its hit ratio is judged. */
  minReads: number;
  /** Bytes of the server's databases together; judged only when configured. */
  sizeBytes?: ThresholdPair;
  /** Redis used_memory as a percent of maxmemory. */
  memory: ThresholdPair;
  /** Seconds since the latest verified backup (databases with `backup:`). */
  backupAgeSec: ThresholdPair;
}

export interface DatabaseCheck {
  metric: DatabaseMetric;
  value: number;
  level: Level;
  /** The value and pair turned "higher is worse", ready for ThresholdTracker.observe. */
  observe: { value: number; pair: ThresholdPair };
  /** For events: "connections 92% (crit 90%)". */
  text: string;
  /** What is measured and its reading ("longest query", "0ms"), and the bounds as shown, where it has them: an event that a level eased or ended says these, not the crossing. */
  label: string;
  shown: string;
  bounds?: { warn: string; crit: string };
  /** Lower is worse (a cache hit ratio): a level that eases has gone up. */
  lowerIsWorse?: true;
}

// ---- Discovery ----

export interface DiscoveredDatabase {
  /** A name for the config: postgres, mysql, redis. */
  name: string;
  kind: DatabaseKind;
  /** A spec createDatabaseSource accepts as is. */
  spec: DatabaseSpec;
  target: string;
  /** ok: it answered and opsdeck can read its statistics; needs-config: it answered but refused us. */
  status: 'ok' | 'needs-config';
  version?: string;
  /** For needs-config: what it said and what to put in the config. */
  note?: string;
}

// ---- PostgreSQL details (the details view, read when it opens) ----

/** One pg_stat_statements entry: a normalised statement and its execution totals. */
export interface PgStatement {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

export interface PgTableSize {
  schema: string;
  name: string;
  /** Table, indexes and TOAST. */
  totalBytes: number;
  liveTuples: number;
  deadTuples: number;
  /** The latest vacuum, manual or automatic (epoch ms), if any. */
  vacuumedAt?: number;
}

/** An index no scan has used since the statistics were reset (unique and primary keys left out: they enforce). */
export interface PgUnusedIndex {
  schema: string;
  table: string;
  name: string;
  sizeBytes: number;
}

export type PgStatements =
  | { status: 'ok'; byTotal: PgStatement[]; byMean: PgStatement[] }
  /** Why not (the extension is not loaded or not created), and how to enable it. */
  | { status: 'unavailable'; reason: string; hint: string };

export interface PgDetails {
  at: number;
  /** The database the tables and indexes are in (the entry's). */
  database: string;
  statements: PgStatements;
  tables: PgTableSize[];
  unusedIndexes: PgUnusedIndex[];
  /** When the database's statistics were last reset (epoch ms): "unused" means since then. */
  statsSince?: number;
}
