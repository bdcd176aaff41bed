// PostgreSQL against the real server on 127.0.0.1:5432: what the operator reads in the pane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userInfo } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { createDatabaseSource, type DatabaseSource, type PostgresSample } from '../../src/services/db/index.js';
import { cancelQuery, terminateQuery } from '../helpers/operations.js';
import { waitFor } from '../helpers/wait.js';
import { pgSession, pgUrl, sleep, tempDir, tick } from './harness.js';

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
    // The hit ratio is over an interval: none on the first reading, the reads counted on the next.
    expect(sample.cacheHitPercent).toBeUndefined();
    const next = await tick<PostgresSample>(source);
    expect(next.hitReads).toBeGreaterThanOrEqual(0);
    expect(source.host).toBe('local');
    expect(source.target).toBe('postgres://postgres@127.0.0.1:5432/test');
    // Named on the server for whoever reads pg_stat_activity.
    const { rows: mine } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'opsdeck' AND datname = 'test'");
    expect(Number(mine[0]?.n)).toBeGreaterThanOrEqual(1);
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
    await waitFor('the load\'s transactions counted by the server', async () => ((await serverTransactions(admin)) - before >= load ? true : undefined));
    const second = await tick<PostgresSample>(source);
    const after = await serverTransactions(admin);

    expect(second.intervalSec).toBeGreaterThan(0);
    expect(second.tps).toBeGreaterThan(0);
    const seen = Math.round((second.tps ?? 0) * (second.intervalSec ?? 0) * 1e6) / 1e6;
    const counted = second.counters.commits + second.counters.rollbacks - (first.counters.commits + first.counters.rollbacks);
    // The rate is the counters' own increase over the interval, less opsdeck's one transaction a tick.
    expect(seen).toBeCloseTo(counted - 1, 6);
    // ...and the server counted the load (give or take opsdeck's own transaction, which a backend
    // flushes to the shared counters up to a second late), and at most the load plus the test's reads.
    expect(seen).toBeGreaterThanOrEqual(load - 1);
    expect(seen).toBeLessThanOrEqual(after - before);
  });
});

describe('PostgreSQL deadlocks and temporary files since the last tick', () => {
  let source: DatabaseSource;
  let admin: pg.Client;

  beforeAll(async () => {
    source = createDatabaseSource('main', { postgres: pgUrl() });
    admin = await pgSession();
    await admin.query('CREATE TABLE IF NOT EXISTS opsdeck_deadlock (id int PRIMARY KEY)');
    await admin.query('INSERT INTO opsdeck_deadlock VALUES (1), (2) ON CONFLICT DO NOTHING');
  });

  afterAll(async () => {
    await admin?.query('DROP TABLE IF EXISTS opsdeck_deadlock');
    await admin?.end();
    await source?.close();
  });

  it('counts a deadlock the server broke, and a sort that spilled to disk', async () => {
    const first = await tick<PostgresSample>(source);
    const a = await pgSession('opsdeck-deadlock-a');
    const b = await pgSession('opsdeck-deadlock-b');
    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('SELECT * FROM opsdeck_deadlock WHERE id = 1 FOR UPDATE');
    await b.query('SELECT * FROM opsdeck_deadlock WHERE id = 2 FOR UPDATE');
    const outcomes = await Promise.all([
      a.query('SELECT * FROM opsdeck_deadlock WHERE id = 2 FOR UPDATE').then(() => 'ok', (e: Error) => e.message),
      b.query('SELECT * FROM opsdeck_deadlock WHERE id = 1 FOR UPDATE').then(() => 'ok', (e: Error) => e.message),
    ]).finally(async () => {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
    });
    expect(outcomes.filter((o) => o === 'deadlock detected')).toHaveLength(1);
    const spill = await pgSession('opsdeck-spill');
    await spill.query("SET work_mem = '64kB'");
    await spill.query('SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC LIMIT 1');
    // Each backend hands its counts to the shared statistics when it exits.
    await Promise.all([a.end(), b.end(), spill.end()]);
    const seen: PostgresSample[] = [];
    const second = await waitFor('the deadlock and the temporary file counted', async () => {
      const s = await tick<PostgresSample>(source);
      seen.push(s);
      return s.counters.deadlocks > first.counters.deadlocks && s.counters.tempFiles > first.counters.tempFiles ? s : undefined;
    });
    expect(second.counters.deadlocks - first.counters.deadlocks).toBeGreaterThanOrEqual(1);
    // Each tick shows what happened since the one before: together they add up to the whole.
    const sum = (pick: (s: PostgresSample) => number | undefined) => seen.reduce((total, s) => total + (pick(s) ?? 0), 0);
    expect(sum((s) => s.deadlocksSinceLast)).toBe(second.counters.deadlocks - first.counters.deadlocks);
    expect(sum((s) => s.tempFilesSinceLast)).toBe(second.counters.tempFiles - first.counters.tempFiles);
    expect(sum((s) => s.tempBytesSinceLast)).toBeGreaterThan(64 * 1024);
    const next = await tick<PostgresSample>(source);
    expect(next.deadlocksSinceLast).toBe(next.counters.deadlocks - second.counters.deadlocks);
  });
});

describe('PostgreSQL blocking, cancel and terminate', () => {
  let source: DatabaseSource;
  let holder: pg.Client;
  let waiter: pg.Client;
  const audit = tempDir();
  const auditLog = join(audit.path, 'audit.jsonl');

  beforeAll(async () => {
    source = createDatabaseSource('main', { postgres: pgUrl() });
    holder = await pgSession('opsdeck-holder');
    waiter = await pgSession('opsdeck-waiter');
    await holder.query('CREATE TABLE IF NOT EXISTS opsdeck_lock (id int PRIMARY KEY, v int)');
    await holder.query('INSERT INTO opsdeck_lock VALUES (1, 0) ON CONFLICT DO NOTHING');
  });

  afterAll(async () => {
    await holder?.query('ROLLBACK').catch(() => undefined);
    await holder?.query('DROP TABLE IF EXISTS opsdeck_lock').catch(() => undefined);
    await holder?.end().catch(() => undefined);
    await waiter?.end().catch(() => undefined);
    await source?.close();
    audit.remove();
  });

  it('shows who blocks whom with durations, and cancelling the blocked query ends it', async () => {
    const holderPid = (holder as unknown as { processID: number }).processID;
    const waiterPid = (waiter as unknown as { processID: number }).processID;
    await holder.query('BEGIN');
    await holder.query('UPDATE opsdeck_lock SET v = v + 1 WHERE id = 1');
    const blocked = waiter.query('UPDATE opsdeck_lock SET v = v + 10 WHERE id = 1').then(
      () => 'finished',
      (error: Error) => error.message,
    );
    const first = await waitFor('the blocked query', async () => {
      const s = await tick<PostgresSample>(source);
      return s.blocking.some((b) => b.blocked.pid === waiterPid) ? s : undefined;
    });
    await sleep(1100);
    const second = await tick<PostgresSample>(source);

    const pair = second.blocking.find((b) => b.blocked.pid === waiterPid);
    expect(pair?.blocker.pid).toBe(holderPid);
    expect(pair?.blocker.state).toBe('idle in transaction');
    expect(pair?.blocked.state).toBe('active');
    expect(pair?.blocked.waitEventType).toBe('Lock');
    expect(pair?.blocked.query).toContain('SET v = v + 10');
    expect(pair?.blocked.blockedBy).toEqual([holderPid]);
    const firstPair = first.blocking.find((b) => b.blocked.pid === waiterPid);
    expect(pair!.blocked.durationSec).toBeGreaterThan(firstPair!.blocked.durationSec);
    expect(pair!.blocker.durationSec).toBeGreaterThanOrEqual(pair!.blocked.durationSec);
    expect(second.idleInTransaction.count).toBeGreaterThanOrEqual(1);
    expect(second.idleInTransaction.longestSec).toBeGreaterThanOrEqual(pair!.blocker.durationSec - 0.001);

    // In read-only mode the action is refused, audited, and the query keeps waiting.
    const refused = await cancelQuery(source, waiterPid, { readOnly: true, auditLog });
    expect(refused.outcome).toBe('refused');
    expect((await tick<PostgresSample>(source)).blocking.some((b) => b.blocked.pid === waiterPid)).toBe(true);

    const result = await cancelQuery(source, waiterPid, { readOnly: false, auditLog });
    expect(result.outcome).toBe('ok');
    expect(await blocked).toMatch(/canceling statement due to user request/);
    const after = await tick<PostgresSample>(source);
    expect(after.blocking.some((b) => b.blocked.pid === waiterPid)).toBe(false);
    // The waiter's session survives a cancel.
    expect((await waiter.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    await holder.query('ROLLBACK');

    const records = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.action, r.outcome])).toEqual([
      ['db.cancel', 'refused'],
      ['db.cancel', 'started'],
      ['db.cancel', 'ok'],
    ]);
    expect(records[2].target).toBe(`db:main pid ${waiterPid}`);
    expect(records[2].detail.query).toContain('SET v = v + 10');
  });

  it('with an audit log that cannot be written, refuses to cancel before anything is sent, and the query runs on', async () => {
    const sleeper = await pgSession('opsdeck-unaudited');
    const pid = (sleeper as unknown as { processID: number }).processID;
    const running = sleeper.query('SELECT pg_sleep(30)').then(
      () => 'finished',
      (error: Error) => error.message,
    );
    await waitFor('the pg_sleep query', async () => (await tick<PostgresSample>(source)).queries.find((q) => q.pid === pid));
    // A path under a regular file: no user, root included, can create it.
    const blocked = join(audit.path, 'not-a-directory');
    writeFileSync(blocked, '');
    const sentBefore = source.stats.roundTrips;

    const result = await cancelQuery(source, pid, { auditLog: join(blocked, 'audit.jsonl') });
    expect(result.outcome).toBe('refused');
    expect(result.message).toMatch(new RegExp(`^cancel query ${pid} on main: not run, the audit record could not be written to .*not-a-directory/audit\\.jsonl: E[A-Z]+`));
    expect(source.stats.roundTrips).toBe(sentBefore);
    expect(await Promise.race([running, sleep(1000).then(() => 'still running')])).toBe('still running');

    // The same cancel with a trail that works goes through at once.
    expect((await cancelQuery(source, pid, { auditLog })).outcome).toBe('ok');
    expect(await running).toMatch(/canceling statement due to user request/);
    await sleeper.end();
  });

  it('shows a 30 s pg_sleep with a growing duration; terminating it ends the session and is audited', async () => {
    const sleeper = await pgSession('opsdeck-sleeper');
    const pid = (sleeper as unknown as { processID: number }).processID;
    const running = sleeper.query("SELECT pg_sleep(30), 'secret-literal'").then(
      () => 'finished',
      (error: Error) => error.message,
    );
    const find = (s: PostgresSample) => s.queries.find((q) => q.pid === pid);
    // Seen once it sleeps: a busy machine can show the backend for a moment before its wait begins.
    const first = await waitFor('the pg_sleep query', async () => {
      const backend = find(await tick<PostgresSample>(source));
      return backend?.waitEvent === 'PgSleep' ? backend : undefined;
    });
    await sleep(1200);
    const second = find(await tick<PostgresSample>(source));
    expect(first.query).toContain('pg_sleep(30)');
    expect(first.state).toBe('active');
    expect(first.waitEvent).toBe('PgSleep');
    expect(first.user).toBe('postgres');
    expect(first.database).toBe('test');
    expect(second!.durationSec).toBeGreaterThan(first.durationSec + 1);

    const result = await terminateQuery(source, pid, { auditLog });
    expect(result.outcome).toBe('ok');
    expect(await running).toMatch(/terminating connection due to administrator command/);
    await waitFor('the terminated session gone', async () => (find(await tick<PostgresSample>(source)) ? undefined : true));

    const last = JSON.parse(readFileSync(auditLog, 'utf8').trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ action: 'db.terminate', target: `db:main pid ${pid}`, outcome: 'ok', user: userInfo().username });
    expect(last.detail).toMatchObject({ pid, user: 'postgres', database: 'test', state: 'active', kind: 'postgres' });
    // String literals never reach the audit log.
    expect(JSON.stringify(last)).not.toContain('secret-literal');
    await sleeper.end().catch(() => undefined);

    const gone = await terminateQuery(source, pid, { readOnly: false, auditLog });
    expect(gone.outcome).toBe('not-found');
  });
});
