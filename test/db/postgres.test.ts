// PostgreSQL against the real server on 127.0.0.1:5432: what the operator reads in the pane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createDatabaseSource, type DatabaseSource, type PostgresSample } from '../../src/services/db/index.js';
import { eventually, pgSession, pgUrl, sleep, tick } from './harness.js';

async function serverTransactions(client: pg.Client): Promise<number> {
  // A fresh snapshot each time: stats are cached per transaction otherwise.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string }>('SELECT sum(xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database');
  return Number(rows[0]?.n);
}

describe('PostgreSQL source', () => {
  let source: DatabaseSource;
  let admin: pg.Client;

  beforeAll(async () => {
    source = createDatabaseSource('main', { postgres: pgUrl() });
    admin = await pgSession();
    await admin.query('CREATE TABLE IF NOT EXISTS opsdeck_tps (id serial PRIMARY KEY, v int)');
  });

  afterAll(async () => {
    await admin?.query('DROP TABLE IF EXISTS opsdeck_tps');
    await admin?.end();
    await source?.close();
  });

  it('describes the server: version, connections against max_connections, sizes', async () => {
    const sample = await tick<PostgresSample>(source);
    expect(sample.kind).toBe('postgres');
    expect(sample.version).toMatch(/^\d+/);
    const { rows } = await admin.query<{ max: string }>("SELECT current_setting('max_connections') AS max");
    expect(sample.connections.max).toBe(Number(rows[0]?.max));
    // The test's own session is a client backend in the idle state.
    expect(sample.connections.total).toBeGreaterThanOrEqual(2);
    expect(sample.connections.byState.idle ?? 0).toBeGreaterThanOrEqual(1);
    expect(sample.databases.map((d) => d.name)).toContain('test');
    expect(sample.databases.find((d) => d.name === 'test')?.sizeBytes).toBeGreaterThan(1_000_000);
    expect(sample.replication.role).toBe('primary');
    expect(sample.cacheHitPercent).toBeGreaterThan(0);
    expect(source.id).toBe('db:main');
    expect(source.host).toBe('local');
    expect(source.target).toBe('postgres://postgres@127.0.0.1:5432/test');
  });

  it('shows TPS above zero under load, agreeing with pg_stat_database over the same interval', async () => {
    const load = 300;
    await tick(source);
    const before = await serverTransactions(admin);
    const first = await tick<PostgresSample>(source);
    const writer = await pgSession('opsdeck-load');
    for (let i = 0; i < load; i++) await writer.query('INSERT INTO opsdeck_tps (v) VALUES ($1)', [i]);
    await writer.end();
    // The writer's statistics reach the shared counters when its backend exits.
    await eventually(async () => ((await serverTransactions(admin)) - before >= load ? true : undefined));
    const second = await tick<PostgresSample>(source);
    const after = await serverTransactions(admin);

    expect(second.intervalSec).toBeGreaterThan(0);
    expect(second.tps).toBeGreaterThan(0);
    const seen = (second.tps ?? 0) * (second.intervalSec ?? 0);
    const counted = second.counters.commits + second.counters.rollbacks - (first.counters.commits + first.counters.rollbacks);
    // The rate is the counters' own increase over the interval, less opsdeck's one transaction a tick.
    expect(seen).toBeCloseTo(counted - 1, 6);
    // ...and the server counted at least the load, and at most the load plus the test's own reads.
    expect(seen).toBeGreaterThanOrEqual(load);
    expect(seen).toBeLessThanOrEqual(after - before);
    expect(after - before - seen).toBeLessThan(15);
  });
});
