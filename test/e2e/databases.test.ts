// The cockpit against the machine's real PostgreSQL: a sleeping query shows up with its duration,
// the operator cancels it or terminates it from the keys, and the audit log has the records;
// read-only refuses.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-db-e2e-'));
const auditLog = join(dir, 'audit.jsonl');
const config = join(dir, 'config.yaml');
writeFileSync(config, 'refresh: 1s\nhosts: {local: {local: true, logs: []}}\ndatabases:\n  main: {postgres: "postgres://postgres@127.0.0.1:5432/test"}\n');

const terminals: TmuxTerminal[] = [];
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) t.kill();
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sleeper(): Promise<{ pid: number; query: Promise<unknown>; client: pg.Client }> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', application_name: 'e2e-sleeper' });
  clients.push(client);
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const query = client.query('SELECT pg_sleep(30) /* opsdeck e2e */').then(
    () => 'finished',
    (error: Error) => error.message,
  );
  return { pid: rows[0]!.pid, query, client };
}

function cockpit(args = '', configPath = config): TmuxTerminal {
  const term = new TmuxTerminal(`OPSDECK_AUDIT_LOG=${auditLog} XDG_CONFIG_HOME=${dir} ${LAUNCHER} --config ${configPath} ${args}`, 200, 50, join(dir, `exit-${terminals.length}`));
  terminals.push(term);
  return term;
}

function auditRecords(): { id: string; action: string; outcome: string; target: string }[] {
  try {
    return readFileSync(auditLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

describe('Databases pane with no databases: in the config', () => {
  it("shows the PostgreSQL, MariaDB and Redis this machine runs, found on their default ports and sockets, each with its figures", { timeout: 90_000 }, async () => {
    const bare = join(dir, 'no-databases.yaml');
    writeFileSync(bare, 'refresh: 1s\nhosts: {local: {local: true, logs: []}}\n');
    const term = cockpit('', bare);
    await term.waitForScreen((s) => s.includes('╭─ Hosts'), 'the cockpit', 30_000);
    term.keys('6');
    const screen = await term.waitForScreen(
      (s) => /● postgres pg [\d.]+ +conn \d+\/\d+ +tps \d/.test(s) && /● mysql maria [\d.]+ +thr \d+\/\d+/.test(s) && /● redis redis [\d.]+ +ping [\d.]+ms +mem /.test(s),
      'the three databases with their figures',
      30_000,
    );
    // Other test files share these servers: one of their queries may be running (`· 1 busy`).
    expect(screen).toMatch(/╭─ Databases ─+ 3 db( · \d+ busy)? ─╮/);
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });
});

describe('Databases pane against the real PostgreSQL', () => {
  it('shows a sleeping query with a growing duration and terminates it after the pid is typed', { timeout: 90_000 }, async () => {
    const { pid, query } = await sleeper();
    const term = cockpit();
    await term.waitForScreen((s) => /[●▲✖] main/.test(s), 'the database header', 20_000);
    term.keys('6', '/');
    term.keys(...String(pid).split(''), 'Enter');
    const first = await term.waitForScreen((s) => new RegExp(`${pid}.*pg_sleep\\(30\\)`).test(s), 'the sleeping query', 20_000);
    // The TIME column of the row: "700ms", "10.7s" or "1m05s".
    const duration = (screen: string) => {
      const token = new RegExp(`^\\W*${pid} +\\S+ +\\S+ +(\\S+)`, 'm').exec(screen.split('\n').map((l) => l.replace(/^.*││/, '')).join('\n'))?.[1] ?? '';
      const parts = /^(?:(\d+)m)?(\d+(?:\.\d+)?)(ms|s)$/.exec(token);
      if (!parts) return NaN;
      return Number(parts[1] ?? 0) * 60 + Number(parts[2]) / (parts[3] === 'ms' ? 1000 : 1);
    };
    const before = duration(first);
    await term.waitForScreen((s) => duration(s) > before, 'its duration to grow', 10_000);

    term.keys('K');
    await term.waitForScreen((s) => s.includes(`terminate session ${pid} on main?`), 'the confirmation');
    term.keys(...String(pid).split(''), 'Enter');
    expect(await query).toMatch(/terminat/i);
    await term.waitForScreen((s) => s.includes(`pid ${pid}`) && /terminated/i.test(s), 'the result on the status line', 10_000);
    const records = await waitFor('the audit records before and after', () => {
      const mine = auditRecords().filter((r) => r.action === 'db.terminate' && r.target.includes(String(pid)));
      return mine.length === 2 ? mine : undefined;
    });
    // Recorded before it ran, then its outcome, under one id.
    expect(records.map((r) => r.outcome)).toEqual(['started', 'ok']);
    expect(records[0]!.id).toBe(records[1]!.id);
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });

  it('cancels the selected query after a yes: the query ends as cancelled, its session lives on, the audit has both records', { timeout: 90_000 }, async () => {
    const { pid, query, client } = await sleeper();
    const term = cockpit();
    await term.waitForScreen((s) => s.includes('● main'), 'the database header', 30_000);
    term.keys('6', '/');
    term.keys(...String(pid).split(''), 'Enter');
    await term.waitForScreen((s) => new RegExp(`${pid}.*pg_sleep\\(30\\)`).test(s), 'the sleeping query', 20_000);
    term.keys('c');
    await term.waitForScreen((s) => s.includes(`cancel query ${pid} on main?`) && s.includes(`sends: SELECT pg_cancel_backend(${pid})`), 'the confirmation with the statement');
    term.keys('y');
    expect(await query).toBe('canceling statement due to user request');
    await term.waitForScreen((s) => s.includes(`cancelled the query of pid ${pid} on main`), 'the verified result on the status line', 20_000);
    // Cancel, not terminate: the same session answers the next query.
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(rows[0]!.pid).toBe(pid);
    const records = await waitFor('the audit records before and after', () => {
      const mine = auditRecords().filter((r) => r.action === 'db.cancel' && r.target.includes(String(pid)));
      return mine.length === 2 ? mine : undefined;
    });
    expect(records.map((r) => r.outcome)).toEqual(['started', 'ok']);
    expect(records[0]!.id).toBe(records[1]!.id);
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });

  it('in --read-only refuses to terminate, leaves the query running and audits the refusal', { timeout: 90_000 }, async () => {
    const { pid, query } = await sleeper();
    const term = cockpit('--read-only');
    await term.waitForScreen((s) => /[●▲✖] main/.test(s), 'the database header', 20_000);
    term.keys('6', '/');
    term.keys(...String(pid).split(''), 'Enter');
    await term.waitForScreen((s) => new RegExp(`${pid}.*pg_sleep\\(30\\)`).test(s), 'the sleeping query', 20_000);
    term.keys('K');
    await term.waitForScreen((s) => s.includes(`read-only: "terminate session ${pid} on main" refused`), 'the refusal');
    const record = await waitFor('the refusal in the audit log', () => auditRecords().find((r) => r.action === 'db.terminate' && r.target.includes(String(pid)) && r.outcome === 'refused'));
    expect(record.outcome).toBe('refused');
    const still = await Promise.race([query, new Promise((r) => setTimeout(() => r('still running'), 1000))]);
    expect(still).toBe('still running');
  });
});
