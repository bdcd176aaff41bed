// Database statistics for the Databases pane: one poll source per configured database, discovery of
// local servers when none is configured; cancel and terminate are each source's own methods.
export { createDatabaseSource } from './create.js';
export type { DatabaseSource, DatabaseSourceOptions, TickStats, TunnelFactory } from './source.js';
export { DatabaseError } from './errors.js';
export { discoverLocalDatabases, DEFAULT_CANDIDATES, type DiscoverOptions } from './discover.js';
export { databaseChecks, DEFAULT_DATABASE_THRESHOLDS, levelBelow, resolveThresholds, type DatabaseLevels } from '../../domain/database-levels.js';
export { describeTarget, resolveTarget } from './target.js';
export * from '../../domain/database.js';
