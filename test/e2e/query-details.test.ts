// The query details view in a real terminal at 80x24, against the machine's PostgreSQL and MariaDB:
// a long statement that sleeps, opened with Enter, planned with e, and left with Esc.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { backendPid } from '../db/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-query-e2e-'));
const config = join(dir, 'config.yaml');
// Both entries watch without a database of their own: the plan must be made in the backend's.
writeFileSync(config, 'refresh: 1s\nhosts: {local: {local: true, services: [], logs: []}}\ndatabases:\n  pg: {postgres: "postgres://postgres@127.0.0.1:5432/postgres"}\n  maria: {mysql: "mysql://root@127.0.0.1:3306"}\n');

const PG_QUERY = ['-- opsdeck e2e: plans per status', 'SELECT p.status, count(*) AS n', 'FROM opsdeck_e2e_plans AS p, pg_sleep(60)', 'WHERE p.id > 0', 'GROUP BY p.status'].join('\n');
const MY_QUERY = ['SELECT /* opsdeck e2e */ p.status, COUNT(*) AS n, SLEEP(60) AS waited', 'FROM opsdeck_e2e_plans AS p', 'WHERE p.id > 0', 'GROUP BY p.status'].join('\n');

let admin: pg.Client;
let myAdmin: mysql.Connection;
let pgSession: pg.Client;
let mySession: mysql.Connection;
let term: TmuxTerminal | undefined;

beforeAll(async () => {
  admin = new pg.Client('postgres://postgres@127.0.0.1:5432/test');
  await admin.connect();
  await admin.query('CREATE TABLE IF NOT EXISTS opsdeck_e2e_plans (id int PRIMARY KEY, status int)');
  myAdmin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
  await myAdmin.query('CREATE TABLE IF NOT EXISTS opsdeck_e2e_plans (id INT PRIMARY KEY, status INT)');
  await myAdmin.query('INSERT IGNORE INTO opsdeck_e2e_plans VALUES (1, 1)');
  pgSession = new pg.Client('postgres://postgres@127.0.0.1:5432/test');
  pgSession.on('error', () => undefined);
  await pgSession.connect();
  void pgSession.query(PG_QUERY).catch(() => undefined);
  mySession = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
  mySession.on('error', () => undefined);
  void mySession.query(MY_QUERY).catch(() => undefined);
});

afterAll(async () => {
  term?.kill();
  await admin.query('SELECT pg_terminate_backend($1)', [backendPid(pgSession)]).catch(() => undefined);
  await myAdmin.query(`KILL ${mySession.threadId}`).catch(() => undefined);
  await pgSession.end().catch(() => undefined);
  mySession.destroy();
  await admin.query('DROP TABLE IF EXISTS opsdeck_e2e_plans');
  await myAdmin.query('DROP TABLE IF EXISTS opsdeck_e2e_plans');
  await admin.end();
  await myAdmin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('the query details view in a terminal', () => {
  it('opens a long PostgreSQL and a MariaDB query with Enter, plans each with e, and goes back with Esc', { timeout: 120_000 }, async () => {
    term = new TmuxTerminal(`XDG_CONFIG_HOME=${dir} XDG_STATE_HOME=${dir} OPSDECK_AUDIT_LOG=${join(dir, 'audit.jsonl')} ${LAUNCHER} --config ${config}`, 80, 24, join(dir, 'exit'));
    const t = term;
    await t.waitForScreen((s) => s.includes('╭─ Hosts'), 'the cockpit', 20_000);
    t.keys('6');
    await t.waitForScreen((s) => s.includes('╭─ Databases') && /● maria/.test(s) && /● pg/.test(s), 'both databases answering', 20_000);

    for (const [id, table, plan] of [
      [String(backendPid(pgSession)), 'FROM opsdeck_e2e_plans AS p, pg_sleep(60)', /Scan on opsdeck_e2e_plans p|Scan using opsdeck_e2e_plans_pkey/],
      [String(mySession.threadId), 'FROM opsdeck_e2e_plans AS p', /id\s+select_type\s+table/],
    ] as const) {
      t.keys('6', '/');
      t.keys('-l', id);
      t.keys('Enter');
      await t.waitForScreen((s) => s.split('\n').some((l) => l.includes(` ${id} `)), `the row of ${id}`, 20_000);
      t.keys('Enter');
      const details = await t.waitForScreen((s) => s.includes(`Query ${id} on`) && s.includes(table), `the whole text of ${id}`, 20_000);
      expect(details.split('\n').every((l) => [...l].length <= 80)).toBe(true);
      t.keys('e');
      await t.waitForScreen((s) => plan.test(s), `the plan of ${id}`, 20_000);
      t.keys('Escape');
      await t.waitForScreen((s) => s.includes('╭─ Databases') && !s.includes(`Query ${id} on`), 'the panes again');
      // Esc again clears the filter (waited for: an Esc followed at once by a key is read as Alt+key).
      t.keys('Escape');
      await t.waitForScreen((s) => !s.includes(`/${id}`), 'the filter cleared');
    }
    // Planned, never run: both statements are still sleeping.
    const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [backendPid(pgSession)]);
    expect(rows[0]?.state).toBe('active');
    t.keys('q');
    expect(await t.exitCode()).toBe(0);
  });
});
