// MariaDB against the real server on 127.0.0.1:3306: what the operator reads in the pane.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_REFRESH_MS } from '../../src/app/refresh.js';
import { createDatabaseSource, type DatabaseSource, type MysqlSample } from '../../src/services/db/index.js';
import { cancelQuery, terminateQuery } from '../helpers/operations.js';
import { waitFor } from '../helpers/wait.js';
import { myUrl, mySession, sleep, tempDir, tick } from './harness.js';

async function globalStatus(session: mysql.Connection, name: string): Promise<number> {
  const [rows] = await session.query(`SHOW GLOBAL STATUS LIKE '${name}'`);
  return Number((rows as { Value: string }[])[0]?.Value);
}

describe('MySQL/MariaDB source', () => {
  let source: DatabaseSource;
  let admin: mysql.Connection;
  const audit = tempDir();
  const auditLog = join(audit.path, 'audit.jsonl');
  // Its own table: another checkout's run on the shared server drops its table when it finishes.
  const table = `opsdeck_lock_${process.pid}`;
  const update = `UPDATE ${table} SET v = v + 10 WHERE id = 1`;

  beforeAll(async () => {
    source = createDatabaseSource('maria', { mysql: myUrl() });
    admin = await mySession();
    await admin.query(`CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, v int) ENGINE=InnoDB`);
    await admin.query(`INSERT IGNORE INTO ${table} VALUES (1, 0)`);
  });

  afterAll(async () => {
    await admin?.query(`DROP TABLE IF EXISTS ${table}`);
    await admin?.end();
    await source?.close();
    audit.remove();
  });

  it('describes the server: flavor, threads against max_connections, buffer pool, no replica', async () => {
    const sample = await tick<MysqlSample>(source);
    const [rows] = await admin.query('SELECT @@max_connections AS max, @@version AS version');
    const vars = (rows as { max: number; version: string }[])[0]!;
    expect(sample.kind).toBe('mysql');
    expect(sample.flavor).toBe('mariadb');
    expect(sample.version).toBe(vars.version);
    expect(sample.threads.max).toBe(Number(vars.max));
    expect(sample.threads.connected).toBeGreaterThanOrEqual(2);
    expect(sample.threads.running).toBeGreaterThanOrEqual(1);
    // The hit ratio is over an interval: none on the first reading; the size is read with the variables.
    expect(sample.bufferPoolHitPercent).toBeUndefined();
    expect(sample.sizeBytes).toBeGreaterThanOrEqual(0);
    await admin.query('SELECT COUNT(*) FROM information_schema.TABLES');
    const next = await tick<MysqlSample>(source);
    expect(next.hitReads).toBeGreaterThanOrEqual(0);
    expect(sample.readOnly).toBe(false);
    expect(sample.replica).toBeUndefined();
    expect(sample.replicaNote).toBeUndefined();
    expect(source.target).toBe('mysql://root@127.0.0.1:3306/test');
  });

  it('shows QPS above zero under load, agreeing with Questions over the same interval', async () => {
    const load = 400;
    await tick(source);
    const before = await globalStatus(admin, 'Questions');
    const first = await tick<MysqlSample>(source);
    const client = await mySession();
    for (let i = 0; i < load; i++) await client.query('SELECT 1');
    await client.end();
    const second = await tick<MysqlSample>(source);
    const after = await globalStatus(admin, 'Questions');

    expect(second.qps).toBeGreaterThan(0);
    const seen = Math.round((second.qps ?? 0) * (second.intervalSec ?? 0) * 1e6) / 1e6;
    const counted = second.counters.questions - first.counters.questions;
    // The server's count less opsdeck's own statements of the interval: 4 a tick, 5 when it re-reads
    // the server variables.
    expect(counted - seen).toBeGreaterThanOrEqual(4);
    expect(counted - seen).toBeLessThanOrEqual(5);
    expect(seen).toBeGreaterThanOrEqual(load);
    expect(seen).toBeLessThan(after - before);
  });

  it('counts slow queries since the last tick', async () => {
    await tick(source);
    const client = await mySession();
    await client.query('SET SESSION long_query_time = 0');
    for (let i = 0; i < 3; i++) await client.query('SELECT 1');
    await client.end();
    const sample = await tick<MysqlSample>(source);
    expect(sample.slowSinceLast).toBeGreaterThanOrEqual(3);
  });

  it('shows a SLEEP(30) with a growing time; cancel ends the statement, terminate the session, both audited', async () => {
    const sleeper = await mySession();
    const id = sleeper.threadId;
    const running = sleeper.query('SELECT SLEEP(30) AS slept').then(
      ([rows]) => `returned ${(rows as { slept: number }[])[0]?.slept}`,
      (error: Error) => error.message,
    );
    const find = (s: MysqlSample) => s.processes.find((p) => p.id === id);
    const first = await waitFor('the SLEEP(30) in the process list', async () => find(await tick<MysqlSample>(source)));
    await sleep(1200);
    const second = find(await tick<MysqlSample>(source));
    expect(first).toMatchObject({ user: 'root', db: 'test', command: 'Query', query: 'SELECT SLEEP(30) AS slept' });
    expect(second!.timeSec).toBeGreaterThan(first.timeSec + 1);

    const refused = await cancelQuery(source, id, { readOnly: true, auditLog });
    expect(refused.outcome).toBe('refused');
    expect(find(await tick<MysqlSample>(source))).toBeDefined();

    const started = Date.now();
    const cancelled = await cancelQuery(source, id, { readOnly: false, auditLog });
    expect(cancelled.outcome).toBe('ok');
    // MariaDB fails the interrupted statement (MySQL makes SLEEP return 1); either way it ends now.
    expect(await running).toMatch(/interrupted|returned 1/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(find(await tick<MysqlSample>(source))).toBeUndefined();

    const again = sleeper.query('SELECT SLEEP(30)').then(
      () => 'finished',
      (error: Error) => error.message,
    );
    await waitFor('the second SLEEP(30) in the process list', async () => find(await tick<MysqlSample>(source)));
    const terminated = await terminateQuery(source, id, { readOnly: false, auditLog });
    expect(terminated.outcome).toBe('ok');
    expect(await again).toMatch(/Connection lost|closed|killed/i);

    const records = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => [r.action, r.outcome, r.target])).toEqual([
      ['db.cancel', 'refused', `db:maria pid ${id}`],
      ['db.cancel', 'started', `db:maria pid ${id}`],
      ['db.cancel', 'ok', `db:maria pid ${id}`],
      ['db.terminate', 'started', `db:maria pid ${id}`],
      ['db.terminate', 'ok', `db:maria pid ${id}`],
    ]);
    expect(records[1].id).toBe(records[2].id);
    expect(records[2].detail).toMatchObject({ kind: 'mysql', pid: id, user: 'root', database: 'test', query: 'SELECT SLEEP(30) AS slept' });
    sleeper.destroy();
  });

  it('shows an InnoDB lock wait with blocker, blocked and wait time; cancelling the blocked one ends it', async () => {
    const holder = await mySession();
    const waiter = await mySession();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${table} WHERE id = 1 FOR UPDATE`);
      const blocked = waiter.query(update).then(
        () => 'finished',
        (error: Error) => error.message,
      );
      const waiting = (sample: MysqlSample) => sample.lockWaits.find((w) => w.blockedId === waiter.threadId);
      // Ticks at the cockpit's fastest refresh, not back to back: MariaDB refreshes its lock views only
      // after 100 ms without a reader, so polling every ~60 ms kept showing the picture from before
      // the wait (or, after the cancel, the wait itself) for as long as the polling went on.
      await waitFor('the lock wait', async () => waiting(await tick<MysqlSample>(source)) !== undefined, 15_000, MIN_REFRESH_MS);
      // The wait time must grow with the clock: 1.5 s later it says at least a second.
      await sleep(1500);
      const sample = await tick<MysqlSample>(source);
      const wait = waiting(sample);
      expect(wait).toMatchObject({ blockingId: holder.threadId, blockedQuery: update });
      expect(wait!.waitSec).toBeGreaterThanOrEqual(1);
      expect(wait!.lock).toContain(table);
      expect(sample.processes.find((p) => p.id === waiter.threadId)?.blockedBy).toEqual([holder.threadId]);

      const result = await cancelQuery(source, waiter.threadId, { readOnly: false, auditLog });
      expect(result.outcome).toBe('ok');
      expect(await blocked).toMatch(/interrupted/i);
      // Gone from the views at their next refresh. Only this test's wait counts: other files hold locks
      // on the same server at the same time.
      await waitFor('the cancelled lock wait gone', async () => (waiting(await tick<MysqlSample>(source)) === undefined ? true : undefined), 5000, MIN_REFRESH_MS);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await waiter.end();
    }
  });
});

describe('MySQL/MariaDB credentials', () => {
  const user = 'opsdeck_pw';
  const password = 'pw-' + Math.random().toString(36).slice(2);
  let admin: mysql.Connection;
  const home = tempDir();

  beforeAll(async () => {
    admin = await mySession();
    await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
    await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await admin.query(`GRANT PROCESS ON *.* TO '${user}'@'127.0.0.1'`);
  });

  afterAll(async () => {
    await admin?.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
    await admin?.end();
    home.remove();
  });

  it('says access is denied, and how to give the password, when none is configured', async () => {
    const source = createDatabaseSource('pw', { mysql: `mysql://${user}@127.0.0.1:3306` }, { home: home.path });
    try {
      await expect(tick(source)).rejects.toMatchObject({
        message: expect.stringMatching(/Access denied for user 'opsdeck_pw'@'localhost' \(using password: NO\) \(127\.0\.0\.1:3306\)|Access denied for user 'opsdeck_pw'@'127\.0\.0\.1' \(using password: NO\)/),
        hint: expect.stringMatching(/passwordEnv.*~\/\.my\.cnf/),
      });
    } finally {
      await source.close();
    }
  });

  it('takes the password from passwordEnv', async () => {
    const source = createDatabaseSource('pw', { mysql: `mysql://${user}@127.0.0.1:3306`, passwordEnv: 'OPSDECK_TEST_PW' }, { env: { OPSDECK_TEST_PW: password }, home: home.path });
    try {
      expect((await tick<MysqlSample>(source)).kind).toBe('mysql');
    } finally {
      await source.close();
    }
  });

  it('takes user and password from ~/.my.cnf', async () => {
    writeFileSync(join(home.path, '.my.cnf'), `[client]\nuser = ${user}\npassword = "${password}"\n`, { mode: 0o600 });
    const source = createDatabaseSource('pw', { mysql: 'mysql://127.0.0.1:3306' }, { home: home.path });
    try {
      const sample = await tick<MysqlSample>(source);
      expect(sample.kind).toBe('mysql');
      expect(source.target).toBe('mysql://127.0.0.1:3306');
    } finally {
      await source.close();
    }
  });

  it('reports a missing passwordEnv variable by name', async () => {
    const source = createDatabaseSource('pw', { mysql: `mysql://${user}@127.0.0.1:3306`, passwordEnv: 'OPSDECK_UNSET_PW' }, { env: {} });
    try {
      await expect(tick(source)).rejects.toThrow('OPSDECK_UNSET_PW is not set');
    } finally {
      await source.close();
    }
  });
});
