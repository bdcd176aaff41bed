// A database's levels, judged once per sample through the hold-tick tracker: the one place they are
// decided, so the Databases pane, the Hosts row, Events and the snapshot cannot disagree.
import type { DatabaseCheck, DatabaseMetric, DatabaseSample, DatabaseThresholds } from '../../../domain/database.js';
import { databaseChecks, type DatabaseLevels } from '../../../domain/database-levels.js';
import type { Level, OpsEvent } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { worstLevel, type LevelChange, type ThresholdTracker } from '../../../domain/thresholds.js';

const METRIC_LABEL: Record<DatabaseMetric, string> = {
  connections: 'connections',
  connectionCount: 'connections',
  queryDuration: 'longest query',
  replicationLag: 'replication lag',
  cacheHit: 'cache hit',
  size: 'size',
  memory: 'memory',
};

/** What is past its threshold, in words ("connections, longest query"), for where only a line fits (the Hosts row). */
export function levelConcerns(levels: DatabaseLevels): string[] {
  const metrics = (Object.keys(levels) as (keyof DatabaseLevels)[]).filter((metric): metric is DatabaseMetric => metric !== 'overall' && levels[metric] !== 'ok');
  return [...new Set(metrics.map((metric) => METRIC_LABEL[metric]))];
}

/** As the host's metrics say it: a crossing names the line crossed, easing the one left, the end where it came from. */
function changeText(check: DatabaseCheck, change: LevelChange): string {
  if (change.to === 'ok') return `${check.label} back to normal: ${check.shown} (from ${change.from})`;
  if (!check.bounds) return check.text;
  if (change.from === 'crit') return `${check.label} ${check.shown} (${check.lowerIsWorse ? 'up' : 'down'} from crit ${check.bounds.crit})`;
  // The line of the level reached, which a held rise may have passed by the time it is told.
  return `${check.label} ${check.shown} (${change.to} ${check.bounds[change.to]})`;
}

function sameLevels(a: DatabaseLevels, b: DatabaseLevels): boolean {
  const metrics = Object.keys(a) as (keyof DatabaseLevels)[];
  return metrics.length === Object.keys(b).length && metrics.every((metric) => a[metric] === b[metric]);
}

/** The sample's levels and the threshold events it causes; the previous levels object when nothing moved. */
export function judgeDatabase(id: SourceId<'database'>, sample: DatabaseSample, thresholds: DatabaseThresholds, tracker: ThresholdTracker, previous: DatabaseLevels): { levels: DatabaseLevels; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const judged: Level[] = [];
  const levels: DatabaseLevels = { overall: 'ok' };
  const checks = databaseChecks(sample, thresholds);
  for (const check of checks) {
    const key = `${sourceKey(id)}:${check.metric}`;
    const change = tracker.observe(key, check.observe.value, check.observe.pair);
    levels[check.metric] = tracker.level(key);
    judged.push(tracker.level(key));
    if (change) {
      events.push({ at: sample.at, host: id.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message: `${id.name}: ${changeText(check, change)}` });
    }
  }
  // A metric at warn or crit that this sample does not judge (a hit ratio over too few reads, a replica
  // gone) closes its alert in Events rather than leaving it open with nothing to clear it.
  const judgedNow = new Set(checks.map((c) => c.metric));
  for (const metric of Object.keys(previous) as (keyof DatabaseLevels)[]) {
    const was = previous[metric];
    if (metric === 'overall' || judgedNow.has(metric) || (was !== 'warn' && was !== 'crit')) continue;
    tracker.forget(`${sourceKey(id)}:${metric}`);
    const why = metric === 'cacheHit' ? 'too few reads in the interval to judge it' : 'no longer measured';
    events.push({ at: sample.at, host: id.host, kind: 'threshold', level: 'info', message: `${id.name}: ${METRIC_LABEL[metric]} not judged: ${why} (was ${was})` });
  }
  levels.overall = worstLevel(judged);
  return { levels: sameLevels(levels, previous) ? previous : levels, events };
}
