// Discovery with no databases in the config: the three local servers, and the ones that refuse us.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, discoverLocalDatabases, type DiscoveredDatabase, type PostgresSample } from '../../src/services/db/index.js';
import { freePort } from '../harness/ports.js';
import { startPostgresPrimary, startRedis, TcpProxy, tempDir, tick, type PrivatePostgres, type PrivateRedis } from './harness.js';

describe('discoverLocalDatabases', () => {
  let locked: PrivateRedis;

  beforeAll(async () => {
    locked = await startRedis(['--requirepass', 'opsdeck-secret']);
  });

  afterAll(async () => {
    await locked?.stop();
  });

  it('finds the local PostgreSQL, MariaDB and Redis, each ready to watch', async () => {
    const found = await discoverLocalDatabases();
    expect(found.map((d) => [d.kind, d.status])).toEqual([
      ['postgres', 'ok'],
      ['mysql', 'ok'],
      ['redis', 'ok'],
    ]);
    expect(found.find((d) => d.kind === 'mysql')?.version).toMatch(/MariaDB/);
    // What discovery found is a spec the source accepts as is.
    for (const d of found) {
      const source = createDatabaseSource(d.name, d.spec);
      try {
        expect((await tick(source)).kind).toBe(d.kind);
      } finally {
        await source.close();
      }
    }
  });

  it('lists a server that wants credentials with what to put in the config, and skips a closed port', async () => {
    const closed = await freePort();
    const found = await discoverLocalDatabases({
      candidates: {
        postgres: [{ postgres: 'postgres://opsdeck_no_such_role@127.0.0.1:5432/postgres' }],
        mysql: [{ mysql: `mysql://127.0.0.1:${closed}` }],
        redis: [{ redis: `redis://127.0.0.1:${locked.port}` }],
      },
    });
    expect(found.map((d) => [d.kind, d.status])).toEqual([
      ['postgres', 'needs-config'],
      ['redis', 'needs-config'],
    ]);
    expect(found[0]?.note).toMatch(/role "opsdeck_no_such_role" does not exist.*databases: \{NAME: \{postgres:/);
    expect(found[1]?.note).toMatch(new RegExp(`the server wants a password \\(127\\.0\\.0\\.1:${locked.port}\\).*passwordEnv`));
  });

  it('prefers a candidate that lets opsdeck in over one that refuses it', async () => {
    const found = await discoverLocalDatabases({
      candidates: { postgres: [{ postgres: 'postgres://opsdeck_no_such_role@127.0.0.1:5432/postgres' }, { postgres: 'postgres://postgres@127.0.0.1:5432/postgres' }], mysql: [], redis: [] },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'postgres', status: 'ok', target: 'postgres://postgres@127.0.0.1:5432/postgres' });
  });
});

describe('discovery where the user\'s environment points (PGHOST, PGPORT, PGDATABASE, PGSERVICE, MYSQL_TCP_PORT, REDIS_URL)', () => {
  let second: PrivatePostgres;
  let locked: PrivateRedis;
  let conf: { path: string; remove(): void };
  const only = (kind: 'postgres' | 'mysql' | 'redis') => ({ postgres: [], mysql: [], redis: [], [kind]: undefined });

  beforeAll(async () => {
    [second, locked] = await Promise.all([startPostgresPrimary(), startRedis(['--requirepass', 'opsdeck-env-secret'])]);
    const admin = new pg.Client({ host: '127.0.0.1', port: second.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query('CREATE DATABASE opsdeck_second');
    await admin.end();
    conf = tempDir('opsdeck-pgservice-');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([second?.stop(), locked?.stop()]);
    conf?.remove();
  });

  async function sizesOf(found: DiscoveredDatabase, env: NodeJS.ProcessEnv): Promise<string[]> {
    const source = createDatabaseSource(found.name, found.spec, { env });
    try {
      return (await tick<PostgresSample>(source)).databases.map((d) => d.name);
    } finally {
      await source.close();
    }
  }

  it('goes to the server and database PGHOST, PGPORT and PGDATABASE name, and only there', async () => {
    const env = { PGHOST: '127.0.0.1', PGPORT: String(second.port), PGDATABASE: 'opsdeck_second', PGUSER: 'postgres' };
    const found = await discoverLocalDatabases({ env, candidates: only('postgres') });
    expect(found).toMatchObject([{ kind: 'postgres', status: 'ok', target: `postgres://postgres@127.0.0.1:${second.port}/opsdeck_second` }]);
    // The second server is the one read: its own database is in the sizes, which the machine's server lacks.
    expect(await sizesOf(found[0]!, env)).toContain('opsdeck_second');
    const closed = await freePort();
    expect(await discoverLocalDatabases({ env: { ...env, PGPORT: String(closed) }, candidates: only('postgres') })).toEqual([]);
  });

  it('connects to the database PGDATABASE names on the default server: test is there, a missing one is refused by name', async () => {
    const test = await discoverLocalDatabases({ env: { PGDATABASE: 'test', PGUSER: 'postgres' }, candidates: only('postgres') });
    expect(test).toMatchObject([{ status: 'ok' }]);
    expect(test[0]!.target).toMatch(/^postgres:\/\/postgres@.*\/test$/);
    const missing = await discoverLocalDatabases({ env: { PGDATABASE: 'opsdeck_no_such_db', PGUSER: 'postgres' }, candidates: only('postgres') });
    expect(missing).toMatchObject([{ status: 'needs-config' }]);
    expect(missing[0]!.note).toMatch(/database "opsdeck_no_such_db" does not exist/);
  });

  it('reads PGSERVICE from PGSERVICEFILE and lands where psql lands with the same environment', async () => {
    const file = join(conf.path, 'services.conf');
    writeFileSync(file, ['[second]', 'host=127.0.0.1', `port=${second.port}`, 'dbname=opsdeck_second', 'user=postgres', ''].join('\n'));
    const env = { PGSERVICEFILE: file, PGSERVICE: 'second', PGSYSCONFDIR: conf.path };
    const found = await discoverLocalDatabases({ env, candidates: only('postgres') });
    expect(found).toMatchObject([{ status: 'ok', target: `postgres://postgres@127.0.0.1:${second.port}/opsdeck_second` }]);
    const psql = spawnSync('psql', ['-XAtc', "SELECT inet_server_port() || '/' || current_database()"], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: conf.path, ...env } });
    expect(psql.stdout.trim()).toBe(`${second.port}/opsdeck_second`);
  });

  it('goes to REDIS_URL, with REDISCLI_AUTH as its password as redis-cli would', async () => {
    const env = { REDIS_URL: `redis://127.0.0.1:${locked.port}` };
    const without = await discoverLocalDatabases({ env, candidates: only('redis') });
    expect(without).toMatchObject([{ kind: 'redis', status: 'needs-config', target: `redis://127.0.0.1:${locked.port}` }]);
    expect(without[0]!.note).toMatch(/wants a password.*REDISCLI_AUTH/);
    const withAuth = await discoverLocalDatabases({ env: { ...env, REDISCLI_AUTH: 'opsdeck-env-secret' }, candidates: only('redis') });
    expect(withAuth).toMatchObject([{ kind: 'redis', status: 'ok', target: `redis://127.0.0.1:${locked.port}` }]);
  });

  it('goes to MYSQL_HOST and MYSQL_TCP_PORT (a proxy to the machine\'s MariaDB on a port of its own)', async () => {
    const proxy = await new TcpProxy(3306).start();
    try {
      const found = await discoverLocalDatabases({ env: { MYSQL_HOST: '127.0.0.1', MYSQL_TCP_PORT: String(proxy.port) }, candidates: only('mysql') });
      expect(found).toMatchObject([{ kind: 'mysql', status: 'ok', target: `mysql://127.0.0.1:${proxy.port}` }]);
      expect(proxy.acceptedCount).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });
});
