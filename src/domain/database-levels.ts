// Database thresholds: connections %, replication lag, cache hit ratio and Redis memory %, judged on
// one sample. Those judgements have no hold ticks: the database reducer (src/app/sources/database)
// passes them through the hold-tick tracker and stores the levels every view shows.
import { parseDuration } from './duration.js';
import type { Level, ThresholdPair } from './model.js';
import { levelOf } from './thresholds.js';
import type { DatabaseCheck, DatabaseMetric, DatabaseSample, DatabaseThresholds, DatabaseThresholdsSpec } from './database.js';

export const DEFAULT_DATABASE_THRESHOLDS: DatabaseThresholds = {
  connections: { warn: 80, crit: 90 },
  replicationLagSec: { warn: 10, crit: 60 },
  cacheHit: { warn: 95, crit: 90 },
  memory: { warn: 80, crit: 90 },
  backupAgeSec: { warn: 26 * 3600, crit: 50 * 3600 },
};

function seconds(value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`expected a duration such as 10s, 1m or 26h, got "${value}"`);
  return ms / 1000;
}

/** The entry's thresholds over the defaults. */
export function resolveThresholds(spec: DatabaseThresholdsSpec | undefined, defaults: DatabaseThresholds = DEFAULT_DATABASE_THRESHOLDS): DatabaseThresholds {
  if (!spec) return defaults;
  return {
    connections: spec.connections ?? defaults.connections,
    replicationLagSec: spec.replicationLag ? { warn: seconds(spec.replicationLag.warn), crit: seconds(spec.replicationLag.crit) } : defaults.replicationLagSec,
    cacheHit: spec.cacheHit ?? defaults.cacheHit,
    memory: spec.memory ?? defaults.memory,
    backupAgeSec: spec.backupAge ? { warn: seconds(spec.backupAge.warn), crit: seconds(spec.backupAge.crit) } : defaults.backupAgeSec,
  };
}

/** For measures where lower is worse (hit ratios): below crit is crit, below warn is warn. */
export function levelBelow(value: number, pair: ThresholdPair): Level {
  if (value <= pair.crit) return 'crit';
  if (value <= pair.warn) return 'warn';
  return 'ok';
}

function connectionsPercent(sample: DatabaseSample): number | undefined {
  if (sample.kind === 'postgres') return sample.connections.max > 0 ? (sample.connections.total / sample.connections.max) * 100 : undefined;
  if (sample.kind === 'mysql') return sample.threads.max > 0 ? (sample.threads.connected / sample.threads.max) * 100 : undefined;
  return undefined;
}

function hitRatio(sample: DatabaseSample): number | undefined {
  if (sample.kind === 'postgres') return sample.cacheHitPercent;
  if (sample.kind === 'mysql') return sample.bufferPoolHitPercent;
  return sample.hitPercent;
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
  const above = (metric: DatabaseMetric, value: number, pair: ThresholdPair, show: (v: number) => string) => {
    const level = levelOf(value, pair);
    const bound = level === 'crit' ? `crit ${show(pair.crit)}` : `warn ${show(pair.warn)}`;
    checks.push({ metric, value, level, observe: { value, pair }, text: `${metric} ${show(value)} (${bound})` });
  };
  const connections = connectionsPercent(sample);
  if (connections !== undefined) above('connections', connections, thresholds.connections, pct);
  const broken = replicationBroken(sample);
  if (broken) {
    const pair = thresholds.replicationLagSec;
    checks.push({ metric: 'replicationLag', value: pair.crit, level: 'crit', observe: { value: pair.crit, pair }, text: broken });
  } else if (sample.replicationLagSec !== undefined) {
    above('replicationLag', sample.replicationLagSec, thresholds.replicationLagSec, (v) => `${v.toFixed(0)}s`);
  }
  const hit = hitRatio(sample);
  // Redis hit ratio depends on the workload (a cache of misses is legitimate): shown, never judged.
  if (hit !== undefined && sample.kind !== 'redis') {
    const pair = thresholds.cacheHit;
    const level = levelBelow(hit, pair);
    const bound = level === 'crit' ? `crit ${pct(pair.crit)}` : `warn ${pct(pair.warn)}`;
    checks.push({ metric: 'cacheHit', value: hit, level, observe: { value: 100 - hit, pair: { warn: 100 - pair.warn, crit: 100 - pair.crit } }, text: `cache hit ${pct(hit)} (${bound})` });
  }
  if (sample.kind === 'redis' && sample.memory.usedPercent !== undefined) above('memory', sample.memory.usedPercent, thresholds.memory, pct);
  return checks;
}

/** A database's levels by metric (a metric its kind lacks is absent) and the worst of them. */
export type DatabaseLevels = Partial<Record<DatabaseMetric, Level>> & { overall: Level };
