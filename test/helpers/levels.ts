// The levels the database reducer stores for one sample judged on its own (hold 1: it decides at once).
import { databaseSourceId } from '../../src/app/sources/database/id.js';
import { judgeDatabase } from '../../src/app/sources/database/levels.js';
import type { DatabaseSample, DatabaseThresholds } from '../../src/domain/database.js';
import { DEFAULT_DATABASE_THRESHOLDS, type DatabaseLevels } from '../../src/domain/database-levels.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';

export function judgedLevels(sample: DatabaseSample, thresholds: DatabaseThresholds = DEFAULT_DATABASE_THRESHOLDS, name = 'db'): DatabaseLevels {
  return judgeDatabase(databaseSourceId({ name, host: 'local' }), sample, thresholds, new ThresholdTracker(1), { overall: 'ok' }).levels;
}
