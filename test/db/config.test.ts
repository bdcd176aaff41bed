// The databases: keys the config schema accepts, and the mistakes it reports.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/app/config/schema.js';
import { parseConfigText } from '../../src/app/config/load.js';
import { createDatabaseSource } from '../../src/services/db/index.js';

const parse = (databases: unknown) => configSchema.safeParse({ hosts: { local: { local: true }, 'web-1': { ssh: 'deploy@10.0.0.5' } }, databases });
const messages = (databases: unknown) => {
  const result = parse(databases);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('databases: in the config', () => {
  it('accepts the URL form, the host form, TLS and per-database thresholds', () => {
    const result = parse({
      main: { postgres: 'postgres://monitor@db-1:5432/app', passwordEnv: 'PG_MONITOR_PW', via: 'web-1', tls: { ca: '/etc/ssl/ca.pem' } },
      orders: { mysql: 'db-2', port: 3307, user: 'monitor', database: 'orders', tls: true },
      cache: { redis: 'cache-1', database: 2, thresholds: { memory: { warn: 70, crit: 85 }, replicationLag: { warn: '5s', crit: '30s' } } },
      local: { postgres: 'postgres://monitor@127.0.0.1/app', thresholds: { cacheHit: { warn: 98, crit: 95 }, connections: { warn: 60, crit: 80 } } },
    });
    expect(result.success).toBe(true);
  });

  it('reports an entry the database layer cannot read, with its path', () => {
    expect(messages({ bad: { postgres: 'mysql://h/db' } })).toEqual(['databases.bad: postgres: URL scheme mysql:// does not match']);
    expect(messages({ bad: { redis: 'redis://h/cache' } })).toEqual(['databases.bad: redis: database must be a number, got "cache"']);
    expect(messages({ bad: { mysql: '/run/mysqld/mysqld.sock', via: 'web-1' } })[0]).toMatch(/unix socket cannot be reached through via: web-1/);
  });

  it('rejects a hit-ratio pair upside down, an unknown key and a relative TLS path', () => {
    expect(messages({ db: { postgres: 'h', thresholds: { cacheHit: { warn: 90, crit: 95 } } } })[0]).toMatch(/crit must not be above warn/);
    expect(messages({ db: { postgres: 'h', pasword: 'x' } })[0]).toMatch(/pasword/);
    expect(messages({ db: { postgres: 'h', tls: { ca: 'ca.pem' } } })[0]).toMatch(/absolute path/);
  });

  it('lays each database\'s thresholds over thresholds.database, and places a bad size at its line and column', async () => {
    const config = parseConfigText(
      [
        'thresholds:',
        '  cpu: {warn: 60, crit: 80}',
        '  database: {queryDuration: {warn: 2s, crit: 30s}, minReads: 200, connectionCount: {warn: 150, crit: 190}}',
        'databases:',
        '  main: {postgres: "postgres://monitor@db-1/app", thresholds: {queryDuration: {warn: 500ms, crit: 1s}, size: {warn: 80G, crit: 95G}}}',
        '  cache: {redis: "redis://cache-1"}',
        '',
      ].join('\n'),
      '/etc/opsdeck/config.yaml',
    );
    expect(config.hosts[0]!.thresholds).toEqual({ cpu: { warn: 60, crit: 80 }, memory: { warn: 80, crit: 90 }, disk: { warn: 80, crit: 90 }, load: { warn: 1, crit: 2 } });
    const main = createDatabaseSource('main', config.databases!.main!, { thresholds: config.databaseThresholds });
    expect(main.thresholds).toMatchObject({ queryDurationSec: { warn: 0.5, crit: 1 }, minReads: 200, connectionCount: { warn: 150, crit: 190 }, sizeBytes: { warn: 80 * 1024 ** 3, crit: 95 * 1024 ** 3 }, cacheHit: { warn: 95, crit: 90 } });
    const cache = createDatabaseSource('cache', config.databases!.cache!, { thresholds: config.databaseThresholds });
    expect(cache.thresholds).toMatchObject({ queryDurationSec: { warn: 2, crit: 30 }, minReads: 200 });
    expect(cache.thresholds.cacheHit).toBeUndefined();
    await Promise.all([main.close(), cache.close()]);

    expect(() => parseConfigText('databases:\n  main:\n    postgres: h\n    thresholds:\n      size: {warn: 80 gigs, crit: 95G}\n', '/c.yaml')).toThrow(/\/c\.yaml:5:\d+: .*size\.warn.*expected a size such as 500M/);
    expect(messages({ db: { postgres: 'h', thresholds: { queryDuration: { warn: '1m', crit: '5s' } } } })[0]).toMatch(/warn must not be longer than crit/);
    expect(messages({ db: { postgres: 'h', thresholds: { connectionCount: { warn: 0, crit: 5 } } } })[0]).toMatch(/connectionCount\.warn/);
  });
});
