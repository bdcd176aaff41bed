// database: PostgreSQL, MySQL/MariaDB and Redis statistics from `databases:`, or the local servers.
import type { DatabaseSample } from '../../../domain/database.js';
import type { SourceId } from '../../../domain/source-id.js';
import { withEvents } from '../../apply.js';
import type { DataState } from '../../store.js';
import type { ReduceContext, SourceKindModule } from '../kind.js';
import { judgeDatabase } from './levels.js';
import { databaseSnapshot } from './snapshot.js';
import { configuredDatabases, localDatabases } from './sources.js';

function reduceDatabase(data: DataState, id: SourceId<'database'>, sample: DatabaseSample, { tracker }: ReduceContext): DataState {
  const entry = data.databases[id.name];
  if (!entry) return data;
  const { levels, events } = judgeDatabase(id, sample, entry.thresholds, tracker, entry.levels);
  return withEvents({ ...data, databases: { ...data.databases, [id.name]: { ...entry, sample, levels } } }, events);
}

export const databaseKind: SourceKindModule<'database', DatabaseSample> = {
  sources: configuredDatabases,
  discover: localDatabases,
  // TPS, QPS and ops/s are differences between two reads.
  rateIntervalMs: 1000,
  reduce: reduceDatabase,
  snapshot: databaseSnapshot,
};
