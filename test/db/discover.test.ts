// Discovery with no databases in the config: the three local servers, and the ones that refuse us.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, discoverLocalDatabases } from '../../src/services/db/index.js';
import { freePort } from '../harness/ports.js';
import { startRedis, tick, type PrivateRedis } from './harness.js';

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
