// A database's source id, the same for the database kind that collects it and the rows that read it.
import type { SourceId } from '../../../domain/source-id.js';

/** A database belongs to the host it is reached from. */
export function databaseSourceId(database: { name: string; host: string }): SourceId<'database'> {
  return { host: database.host, kind: 'database', name: database.name };
}
