// The query details view's reads against the real servers: a backend's whole query text as the
// server keeps it, and its plan by EXPLAIN (never run) on a connection of its own, or why not.
import type { Connection as MyConnection } from 'mysql2/promise';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseSource } from '../../src/services/db/index.js';
import { waitFor } from '../helpers/wait.js';
import { backendPid, mySession, pgSession } from './harness.js';

const signal = () => AbortSignal.timeout(10_000);

describe('PostgreSQL: query text and plan', () => {
  // The source watches the `postgres` database; the queries run in `test`: EXPLAIN must go there.
  let source: DatabaseSource;
  let admin: pg.Client;
  const sessions: pg.Client[] = [];

  /** A session of its own running `text` (it sleeps: the test reads it meanwhile), and its pid. */
  async function running(text: string, values?: unknown[]): Promise<number> {
    const session = await pgSession('opsdeck-details');
    sessions.push(session);
    const pid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    void session.query(text, values).catch(() => undefined);
    await waitFor('the session\'s query running', async () => ((await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid])).rowCount ? true : undefined));
    return pid;
  }

  beforeAll(async () => {
    // A statement limit far below the sleeps: a plan that came back was not a run.
    source = createDatabaseSource('main', { postgres: 'postgres://postgres@127.0.0.1:5432/postgres' }, { timeoutMs: 3000, statementTimeoutMs: 2000 });
    admin = await pgSession();
    await admin.query('CREATE TABLE IF NOT EXISTS opsdeck_details (id int PRIMARY KEY, note text)');
    await admin.query('TRUNCATE opsdeck_details');
  });

  afterAll(async () => {
    for (const s of sessions) await admin.query('SELECT pg_terminate_backend($1)', [backendPid(s)]).catch(() => undefined);
    for (const s of sessions) await s.end().catch(() => undefined);
    await admin?.query('DROP TABLE IF EXISTS opsdeck_details');
    await admin?.end();
    await source?.close();
  });

  it('reads the whole text with its line breaks and plans it in the backend\'s database without running it', async () => {
    const text = ['-- nightly report: rows per bucket', 'SELECT d.id % 7 AS bucket, count(*) AS n', 'FROM opsdeck_details AS d, pg_sleep(30)', 'WHERE d.note IS NOT NULL', 'GROUP BY 1', 'ORDER BY 1'].join('\n');
    const pid = await running(text);
    const query = await source.queryText(pid, signal());
    expect(query).toEqual({ pid, text, database: 'test' });
    const plan = await source.planQuery(query!, signal());
    expect(plan.join('\n')).toMatch(/Seq Scan on opsdeck_details d/);
    expect(plan.join('\n')).toMatch(/Function Scan on pg_sleep/);
    expect(plan.join('\n')).not.toMatch(/actual time/);
  });

  it('plans a write without making it', async () => {
    const pid = await running("INSERT INTO opsdeck_details SELECT g, 'x' FROM generate_series(1, 10) AS g, pg_sleep(30)");
    const plan = await source.planQuery((await source.queryText(pid, signal()))!, signal());
    expect(plan[0]).toMatch(/^Insert on opsdeck_details/);
    expect((await admin.query('SELECT count(*)::int AS n FROM opsdeck_details')).rows[0]).toEqual({ n: 0 });
  });

  it('says why a query with parameters cannot be planned, and sends nothing', async () => {
    const pid = await running('SELECT pg_sleep($1::float8 * 30)', [1]);
    const query = await source.queryText(pid, signal());
    expect(query?.text).toBe('SELECT pg_sleep($1::float8 * 30)');
    await expect(source.planQuery(query!, signal())).rejects.toThrow(/parameters \(\$1…\) whose values pg_stat_activity does not show/);
  });

  it('says why a text the server cut cannot be planned', async () => {
    const long = `SELECT pg_sleep(30), '${'x'.repeat(1500)}' AS padding`;
    const pid = await running(long);
    const query = await source.queryText(pid, signal());
    expect(query?.cutAtBytes).toBe(1023);
    expect(long.startsWith(query!.text)).toBe(true);
    await expect(source.planQuery(query!, signal())).rejects.toThrow(/kept only the first 1023 bytes of this query \(track_activity_query_size\)/);
  });

  it('passes on the server\'s reason when EXPLAIN fails: a table only the backend\'s session can see', async () => {
    const session = await pgSession('opsdeck-details');
    sessions.push(session);
    await session.query('CREATE TEMP TABLE opsdeck_mine (a int)');
    const pid = backendPid(session);
    void session.query('SELECT count(*) FROM opsdeck_mine, pg_sleep(30)').catch(() => undefined);
    await waitFor('the session\'s query running', async () => ((await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [pid])).rowCount ? true : undefined));
    await expect(source.planQuery((await source.queryText(pid, signal()))!, signal())).rejects.toThrow(/^EXPLAIN failed: relation "opsdeck_mine" does not exist/);
  });

  it('returns nothing for a backend that is gone', async () => {
    expect(await source.queryText(2_000_000_000, signal())).toBeUndefined();
  });
});

describe('MariaDB: query text and plan', () => {
  // No default database on the source's own connection: the plan needs the backend's.
  let source: DatabaseSource;
  let admin: MyConnection;
  const sessions: MyConnection[] = [];

  async function running(sql: string): Promise<number> {
    const session = await mySession();
    sessions.push(session);
    void session.query(sql).catch(() => undefined);
    const id = session.threadId!;
    await waitFor('the session\'s query running', async () => {
      const [rows] = await admin.query('SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND COMMAND = ?', [id, 'Query']);
      return (rows as unknown[]).length > 0 ? true : undefined;
    });
    return id;
  }

  beforeAll(async () => {
    source = createDatabaseSource('shop', { mysql: 'mysql://root@127.0.0.1:3306' }, { timeoutMs: 3000, statementTimeoutMs: 2000 });
    admin = await mySession();
    await admin.query('CREATE TABLE IF NOT EXISTS opsdeck_details (id INT PRIMARY KEY, note TEXT)');
    await admin.query('DELETE FROM opsdeck_details');
    await admin.query("INSERT INTO opsdeck_details VALUES (1, 'a'), (2, 'b')");
  });

  afterAll(async () => {
    for (const s of sessions) await admin.query(`KILL ${s.threadId}`).catch(() => undefined);
    for (const s of sessions) s.destroy();
    await admin?.query('DROP TABLE IF EXISTS opsdeck_details');
    await admin?.end();
    await source?.close();
  });

  it('reads the whole text and plans it in the backend\'s database (a table of its own) without running it', async () => {
    const sql = ['SELECT /* nightly */ d.id, d.note, SLEEP(30) AS waited', 'FROM opsdeck_details AS d', 'WHERE d.id > 0', 'ORDER BY d.note'].join('\n');
    const id = await running(sql);
    const query = await source.queryText(id, signal());
    expect(query).toEqual({ pid: id, text: sql, database: 'test' });
    const plan = await source.planQuery(query!, signal());
    expect(plan[0]).toMatch(/^id\s+select_type\s+table\s+type\s+possible_keys\s+key/);
    expect(plan.slice(1).join('\n')).toMatch(/SIMPLE\s+d\s+/);
  });

  it('says why a write is not planned: MariaDB will not in a read-only session, and the row is untouched', async () => {
    const id = await running("UPDATE opsdeck_details SET note = CONCAT(note, SLEEP(30)) WHERE id = 1");
    await expect(source.planQuery((await source.queryText(id, signal()))!, signal())).rejects.toThrow(/will not plan a write .* in a read-only session/);
    const [rows] = await admin.query('SELECT note FROM opsdeck_details WHERE id = 1');
    expect(rows).toEqual([{ note: 'a' }]);
  });

  it('refuses an executable comment, which the server would run, and sends nothing', async () => {
    const id = await running('SELECT /*!100000 SLEEP(30), */ 1');
    await expect(source.planQuery((await source.queryText(id, signal()))!, signal())).rejects.toThrow(/executable comment/);
  });
});
