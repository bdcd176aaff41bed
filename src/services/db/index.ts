// Database statistics for the Databases pane: one poll source per configured database, discovery of
// local servers when none is configured, and the audited cancel/terminate actions.
import { PostgresSource } from './postgres.js';
import type { DatabaseSource, DatabaseSourceOptions } from './source.js';
import { resolveTarget } from './target.js';
import type { DatabaseSpec } from './types.js';

export type { DatabaseSource, DatabaseSourceOptions, TickStats } from './source.js';
export { DatabaseError } from './errors.js';
export * from './types.js';

/** A poll source (id `db:NAME`, host = via or 'local') for one `databases:` entry. Throws on a malformed entry. */
export function createDatabaseSource(name: string, spec: DatabaseSpec, options: DatabaseSourceOptions = {}): DatabaseSource {
  const target = resolveTarget(spec);
  switch (target.kind) {
    case 'postgres':
      return new PostgresSource(name, spec, target, options);
    default:
      throw new Error('not yet');
  }
}
