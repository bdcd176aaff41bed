// A database's levels, judged once per sample through the hold-tick tracker: the one place they are
// decided, so the Databases pane, the Hosts row, Events and the snapshot cannot disagree.
import type { DatabaseSample, DatabaseThresholds } from '../../../domain/database.js';
import { databaseChecks, type DatabaseLevels } from '../../../domain/database-levels.js';
import type { Level, OpsEvent } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { worstLevel, type ThresholdTracker } from '../../../domain/thresholds.js';

function sameLevels(a: DatabaseLevels, b: DatabaseLevels): boolean {
  const metrics = Object.keys(a) as (keyof DatabaseLevels)[];
  return metrics.length === Object.keys(b).length && metrics.every((metric) => a[metric] === b[metric]);
}

/** The sample's levels and the threshold events it causes; the previous levels object when nothing moved. */
export function judgeDatabase(id: SourceId<'database'>, sample: DatabaseSample, thresholds: DatabaseThresholds, tracker: ThresholdTracker, previous: DatabaseLevels): { levels: DatabaseLevels; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const judged: Level[] = [];
  const levels: DatabaseLevels = { overall: 'ok' };
  for (const check of databaseChecks(sample, thresholds)) {
    const key = `${sourceKey(id)}:${check.metric}`;
    const change = tracker.observe(key, check.observe.value, check.observe.pair);
    levels[check.metric] = tracker.level(key);
    judged.push(tracker.level(key));
    if (change) {
      events.push({ at: sample.at, host: id.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message: `${id.name}: ${check.text}${change.to === 'ok' ? ' (back to normal)' : ''}` });
    }
  }
  levels.overall = worstLevel(judged);
  return { levels: sameLevels(levels, previous) ? previous : levels, events };
}
