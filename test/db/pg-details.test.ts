// The PostgreSQL details view's reads on real servers: a cluster of the test's own that preloads
// pg_stat_statements (it needs a restart on the shared server, whose shared_preload_libraries is
// empty), and the shared server, where the view says the extension is not there and how to enable it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createDatabaseSource, type DatabaseSource } from '../../src/services/db/index.js';
import { pgUrl, startPostgresPrimary, type PrivatePostgres } from './harness.js';

const details = (source: DatabaseSource) => source.details!(AbortSignal.timeout(20_000));

describe('PostgreSQL details with pg_stat_statements loaded', () => {
  let server: PrivatePostgres;
  let session: pg.Client;
  let source: DatabaseSource;

  beforeAll(async () => {
    server = await startPostgresPrimary({ conf: ["shared_preload_libraries = 'pg_stat_statements'"] });
    session = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    await session.connect();
    source = createDatabaseSource('pg', { postgres: `postgres://postgres@127.0.0.1:${server.port}/postgres` }, { timeoutMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await session?.end();
    await server?.stop();
  });

  it('says the extension is loaded but not created, and how to create it', async () => {
    const read = await details(source);
    expect(read.statements).toEqual({ status: 'unavailable', reason: 'pg_stat_statements is loaded but not created in postgres', hint: 'run CREATE EXTENSION pg_stat_statements; in postgres (as a superuser or the database owner)' });
  });

  it('lists the top statements by total and mean time, tables with dead tuples, and unused indexes', async () => {
    await session.query('CREATE EXTENSION pg_stat_statements');
    // Autovacuum off for the table: its dead tuples stay to be counted.
    await session.query('CREATE TABLE orders (id int PRIMARY KEY, customer int, note text) WITH (autovacuum_enabled = off)');
    await session.query("INSERT INTO orders SELECT g, g % 100, repeat('n', 50) FROM generate_series(1, 20000) g");
    await session.query('CREATE INDEX orders_by_customer ON orders (customer)');
    await session.query('CREATE TABLE small (id int)');
    await session.query('DELETE FROM orders WHERE id <= 5000');
    for (let i = 0; i < 5; i++) await session.query('SELECT count(*) FROM orders WHERE note LIKE $1', ['%x%']);
    await session.query('SELECT pg_sleep(0.3)');
    // An idle session flushes its statistics only after 10 s: this one does at its next statement's end.
    await session.query('SELECT pg_stat_force_next_flush()');
    let read = await details(source);
    for (let tries = 0; tries < 50 && (read.tables[0]?.deadTuples ?? 0) < 5000; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      read = await details(source);
    }
    expect(read.database).toBe('postgres');
    if (read.statements.status !== 'ok') throw new Error(`statements unavailable: ${read.statements.reason}`);
    expect(read.statements.byMean[0]!.query).toBe('SELECT pg_sleep($1)');
    expect(read.statements.byMean[0]!.meanMs).toBeGreaterThanOrEqual(300);
    const like = read.statements.byTotal.find((s) => s.query.startsWith('SELECT count(*) FROM orders WHERE note LIKE'));
    expect(like).toMatchObject({ calls: 5, rows: 5 });
    expect(read.tables[0]).toMatchObject({ schema: 'public', name: 'orders', liveTuples: 15000, deadTuples: 5000 });
    expect(read.tables[0]!.totalBytes).toBeGreaterThan(1024 * 1024);
    expect(read.tables.map((t) => t.name)).toContain('small');
    // The primary key enforces uniqueness: never "unused".
    expect(read.unusedIndexes.map((i) => `${i.schema}.${i.name} on ${i.table}`)).toEqual(['public.orders_by_customer on orders']);
    expect(read.unusedIndexes[0]!.sizeBytes).toBeGreaterThan(0);

    await session.query('SELECT count(*) FROM orders WHERE customer = 7');
    await session.query('SELECT pg_stat_force_next_flush()');
    for (let tries = 0; tries < 50 && read.unusedIndexes.length > 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      read = await details(source);
    }
    expect(read.unusedIndexes).toEqual([]);
  }, 60_000);
});

describe('PostgreSQL details on the shared server (no shared_preload_libraries)', () => {
  it('says pg_stat_statements is not loaded and how to enable it, and still lists tables and indexes', async () => {
    const source = createDatabaseSource('pg', { postgres: pgUrl() }, { timeoutMs: 20_000 });
    try {
      const read = await details(source);
      expect(read.statements).toEqual({
        status: 'unavailable',
        reason: 'pg_stat_statements is not loaded (shared_preload_libraries does not list it)',
        hint: 'add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, then run CREATE EXTENSION pg_stat_statements; in this database',
      });
      expect(read.database).toBe('test');
      expect(Array.isArray(read.tables)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('has no details for MySQL or Redis', () => {
    expect(createDatabaseSource('maria', { mysql: 'mysql://root@127.0.0.1/test' }).details).toBeUndefined();
  });
});
