// The databases: keys the config schema accepts, and the mistakes it reports.
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/app/config/schema.js';

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
});
