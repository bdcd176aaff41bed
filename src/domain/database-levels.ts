// Database thresholds: connections (percent and count), the longest query, replication lag, cache
// hit ratio (once the interval saw enough reads), size and Redis memory %, judged on one sample. Those judgements have no hold ticks: the database reducer (src/app/sources/database)
// passes them through the hold-tick tracker and stores the levels every view shows.
import { formatBytes, parseBytes } from './bytes.js';
import { formatDuration, parseDuration } from './duration.js';
import type { Level, ThresholdPair } from './model.js';
import { levelOf } from './thresholds.js';
import type { DatabaseCheck, DatabaseKind, DatabaseMetric, DatabaseSample, DatabaseThresholds, DatabaseThresholdsSpec } from './database.js';

export const DEFAULT_DATABASE_THRESHOLDS: DatabaseThresholds = {
  connections: { warn: 80, crit: 90 },
  queryDurationSec: { warn: 5, crit: 60 },
  replicationLagSec: { warn: 10, crit: 60 },
  cacheHit: { warn: 95, crit: 90 },
  // A ratio over a handful of reads is noise: a quiet server's first reads miss the cache.
  minReads: 1000,
  memory: { warn: 80, crit: 90 },
  backupAgeSec: { warn: 26 * 3600, crit: 50 * 3600 },
};

function seconds(value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`expected a duration such as 10s, 1m or 26h, got "${value}"`);
  return ms / 1000;
}

function bytes(value: string | number): number {
  const parsed = parseBytes(value);
  if (parsed === undefined) throw new Error(`expected a size such as 500M or 80G, got "${value}"`);
  return parsed;
}

const secondsPair = (p: { warn: string | number; crit: string | number }): ThresholdPair => ({ warn: seconds(p.warn), crit: seconds(p.crit) });

/**
 * The thresholds a database of `kind` is judged by: its entry's spec over `defaults` (the config's
 * `thresholds.database` resolved over the built-in ones). A Redis hit ratio is judged only when its
 * own entry sets `cacheHit`: a cache that mostly misses can be what the application wants.
 */
export function resolveThresholds(spec: DatabaseThresholdsSpec | undefined, kind: DatabaseKind, defaults: DatabaseThresholds = DEFAULT_DATABASE_THRESHOLDS): DatabaseThresholds {
  const connectionCount = spec?.connectionCount ?? defaults.connectionCount;
  const sizeBytes = spec?.size ? { warn: bytes(spec.size.warn), crit: bytes(spec.size.crit) } : defaults.sizeBytes;
  const cacheHit = kind === 'redis' ? spec?.cacheHit : (spec?.cacheHit ?? defaults.cacheHit);
  return {
    connections: spec?.connections ?? defaults.connections,
    ...(connectionCount ? { connectionCount } : {}),
    queryDurationSec: spec?.queryDuration ? secondsPair(spec.queryDuration) : defaults.queryDurationSec,
    replicationLagSec: spec?.replicationLag ? secondsPair(spec.replicationLag) : defaults.replicationLagSec,
    ...(cacheHit ? { cacheHit } : {}),
    minReads: spec?.minReads ?? defaults.minReads,
    ...(sizeBytes ? { sizeBytes } : {}),
    memory: spec?.memory ?? defaults.memory,
    backupAgeSec: spec?.backupAge ? secondsPair(spec.backupAge) : defaults.backupAgeSec,
  };
}

/** The config's `thresholds.database` over the built-in defaults: what every entry starts from. */
export function globalDatabaseThresholds(spec: DatabaseThresholdsSpec | undefined): DatabaseThresholds {
  // 'postgres': the global cacheHit is kept for the kinds that take it.
  return resolveThresholds(spec, 'postgres', DEFAULT_DATABASE_THRESHOLDS);
}

/** For measures where lower is worse (hit ratios): below crit is crit, below warn is warn. */
export function levelBelow(value: number, pair: ThresholdPair): Level {
  if (value <= pair.crit) return 'crit';
  if (value <= pair.warn) return 'warn';
  return 'ok';
}

/** Redis's own floor for defragmenting (`active-defrag-ignore-bytes`, 100mb by default). */
const FRAGMENTATION_FLOOR_BYTES = 100 * 1024 ** 2;

/**
 * Redis memory fragmentation (RSS over used memory) as a warning, or none. A ratio over 1.5 counts only
 * when the RSS beyond used memory passes Redis's own floor for defragmenting: an almost empty server's
 * RSS is the allocator's arenas and the binary over a few used MB, a ratio of 5-7 that means nothing.
 */
export function fragmentationLevel(memory: { used: number; rss: number; fragmentation: number }): Level | undefined {
  return memory.fragmentation > 1.5 && memory.rss - memory.used >= FRAGMENTATION_FLOOR_BYTES ? 'warn' : undefined;
}

function connectionsPercent(sample: DatabaseSample): number | undefined {
  if (sample.kind === 'postgres') return sample.connections.max > 0 ? (sample.connections.total / sample.connections.max) * 100 : undefined;
  if (sample.kind === 'mysql') return sample.threads.max > 0 ? (sample.threads.connected / sample.threads.max) * 100 : undefined;
  return undefined;
}

function connectionCount(sample: DatabaseSample): number {
  if (sample.kind === 'postgres') return sample.connections.total;
  if (sample.kind === 'mysql') return sample.threads.connected;
  return sample.clients.connected;
}

/** The longest running statement's age in seconds (0 when none runs); Redis has none to judge. */
export function longestQuerySec(sample: DatabaseSample): number | undefined {
  // An idle-in-transaction session runs no query: it has its own figure.
  if (sample.kind === 'postgres') return Math.max(0, ...sample.queries.filter((q) => q.state === 'active').map((q) => q.durationSec));
  if (sample.kind === 'mysql') return Math.max(0, ...sample.processes.filter((p) => p.command === 'Query' || p.command === 'Execute').map((p) => p.timeSec));
  return undefined;
}

function sizeBytes(sample: DatabaseSample): number | undefined {
  if (sample.kind === 'postgres') return sample.databases.length > 0 ? sample.databases.reduce((sum, d) => sum + d.sizeBytes, 0) : undefined;
  if (sample.kind === 'mysql') return sample.sizeBytes;
  return undefined;
}

/** The sample's hit ratio, the reads in the interval it covers, and whether they are enough to judge it. */
export interface HitRatio {
  percent?: number;
  reads?: number;
  /** false: shown grey as "too few reads", no level. */
  enough: boolean;
}

export function hitRatio(sample: DatabaseSample, thresholds: Pick<DatabaseThresholds, 'minReads'>): HitRatio {
  const percent = sample.kind === 'postgres' ? sample.cacheHitPercent : sample.kind === 'mysql' ? sample.bufferPoolHitPercent : sample.hitPercent;
  const reads = sample.hitReads;
  return { percent, reads, enough: percent !== undefined && reads !== undefined && reads >= thresholds.minReads };
}

/** Why replication is not running at all, when it is not: judged crit whatever the lag says. */
export function replicationBroken(sample: DatabaseSample): string | undefined {
  if (sample.kind === 'mysql' && sample.replica && (sample.replica.ioRunning !== 'Yes' || sample.replica.sqlRunning !== 'Yes')) {
    return `replica stopped (io ${sample.replica.ioRunning}, sql ${sample.replica.sqlRunning})${sample.replica.lastError ? `: ${sample.replica.lastError}` : ''}`;
  }
  if (sample.kind === 'redis' && sample.replication.role === 'replica' && sample.replication.linkStatus !== 'up') return `link to master ${sample.replication.master} ${sample.replication.linkStatus}`;
  if (sample.kind === 'postgres' && sample.replication.role === 'standby' && !sample.replication.receiving) return 'standby not streaming from its primary';
  return undefined;
}

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;

/** Every threshold a sample can be judged on (a metric the sample lacks is left out). */
export function databaseChecks(sample: DatabaseSample, thresholds: DatabaseThresholds = DEFAULT_DATABASE_THRESHOLDS): DatabaseCheck[] {
  const checks: DatabaseCheck[] = [];
  const above = (metric: DatabaseMetric, label: string, value: number, pair: ThresholdPair, show: (v: number) => string) => {
    const level = levelOf(value, pair);
    const bound = level === 'crit' ? `crit ${show(pair.crit)}` : `warn ${show(pair.warn)}`;
    checks.push({ metric, value, level, observe: { value, pair }, text: `${label} ${show(value)} (${bound})`, label, shown: show(value), bounds: { warn: show(pair.warn), crit: show(pair.crit) } });
  };
  const connections = connectionsPercent(sample);
  if (connections !== undefined) above('connections', 'connections', connections, thresholds.connections, pct);
  if (thresholds.connectionCount) above('connectionCount', 'connections', connectionCount(sample), thresholds.connectionCount, (v) => v.toFixed(0));
  const longest = longestQuerySec(sample);
  if (longest !== undefined) above('queryDuration', 'longest query', longest, thresholds.queryDurationSec, (v) => formatDuration(v * 1000));
  const broken = replicationBroken(sample);
  if (broken) {
    const pair = thresholds.replicationLagSec;
    checks.push({ metric: 'replicationLag', value: pair.crit, level: 'crit', observe: { value: pair.crit, pair }, text: broken, label: 'replication', shown: 'broken' });
  } else if (sample.replicationLagSec !== undefined) {
    above('replicationLag', 'replication lag', sample.replicationLagSec, thresholds.replicationLagSec, (v) => `${v.toFixed(0)}s`);
  }
  const ratio = hitRatio(sample, thresholds);
  if (thresholds.cacheHit && ratio.enough && ratio.percent !== undefined) {
    const hit = ratio.percent;
    const pair = thresholds.cacheHit;
    const level = levelBelow(hit, pair);
    const bound = level === 'crit' ? `crit ${pct(pair.crit)}` : `warn ${pct(pair.warn)}`;
    const reads = `${ratio.reads} ${sample.kind === 'redis' ? 'lookups' : 'reads'}`;
    checks.push({ metric: 'cacheHit', value: hit, level, observe: { value: 100 - hit, pair: { warn: 100 - pair.warn, crit: 100 - pair.crit } }, text: `cache hit ${pct(hit)} over ${reads} (${bound})`, label: 'cache hit', shown: `${pct(hit)} over ${reads}`, bounds: { warn: pct(pair.warn), crit: pct(pair.crit) }, lowerIsWorse: true });
  }
  const size = sizeBytes(sample);
  if (thresholds.sizeBytes && size !== undefined) above('size', 'size', size, thresholds.sizeBytes, formatBytes);
  if (sample.kind === 'redis' && sample.memory.usedPercent !== undefined) above('memory', 'memory', sample.memory.usedPercent, thresholds.memory, pct);
  return checks;
}

/** A database's levels by metric (a metric its kind lacks is absent) and the worst of them. */
export type DatabaseLevels = Partial<Record<DatabaseMetric, Level>> & { overall: Level };
