// The one place a `databases:` entry becomes the poll source of its kind.
import { MysqlSource } from './mysql.js';
import { PostgresSource } from './postgres.js';
import { RedisSource } from './redis.js';
import type { DatabaseSource, DatabaseSourceOptions } from './source.js';
import { resolveTarget } from './target.js';
import type { DatabaseSpec } from '../../domain/database.js';

/** The poll source (reached from its via: host, else 'local') for one `databases:` entry. Throws DatabaseError on a malformed entry. */
export function createDatabaseSource(name: string, spec: DatabaseSpec, options: DatabaseSourceOptions = {}): DatabaseSource {
  const target = resolveTarget(spec, options.env, options.home);
  switch (target.kind) {
    case 'postgres':
      return new PostgresSource(name, spec, target, options);
    case 'mysql':
      return new MysqlSource(name, spec, target, options);
    case 'redis':
      return new RedisSource(name, spec, target, options);
  }
}
