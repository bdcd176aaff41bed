// i in Databases: a PostgreSQL database's details over the panes (top statements by total and mean
// time, largest tables with dead tuples, unused indexes), or why pg_stat_statements is not there and
// how to enable it; r reads again, Esc goes back; at 80x24 and 200x50.
import { readFileSync } from 'node:fs';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryReader } from '../../src/app/query-details.js';
import type { PgDetails, PgStatements } from '../../src/domain/database.js';
import { statementsFrom, statementsUnavailable, tablesFrom, unusedIndexesFrom } from '../../src/services/db/pg-details.js';
import { NO_QUERY_READER } from '../helpers/controls.js';
import { fleetConfig, fleetWithDatabase } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text, plainLine } = screenReader(() => app!.frame());

const rows = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/pg-details/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>[];
const AT = Date.parse('2026-11-23T03:00:00Z');

/** What PostgresSource.details gives, from the rows captured on PostgreSQL 15. */
function captured(statements?: PgStatements): PgDetails {
  const byMean = statementsFrom(rows('statements-by-mean'));
  return {
    at: AT,
    database: 'garden_dx',
    statements: statements ?? { status: 'ok', byTotal: [...byMean].sort((a, b) => b.totalMs - a.totalMs), byMean },
    tables: tablesFrom(rows('tables')),
    unusedIndexes: unusedIndexesFrom(rows('unused-indexes')),
  };
}

function reader(details: PgDetails): QueryReader & { asked: string[] } {
  const asked: string[] = [];
  return { ...NO_QUERY_READER, asked, details: async (database) => (asked.push(database), details) };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('the database details view', () => {
  for (const [columns, lines] of [[80, 24], [200, 50]] as const) {
    it(`at ${columns}x${lines}: i shows the top statements, tables with dead tuples and unused indexes; r reads again; Esc back`, async () => {
      const queries = reader(captured());
      app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns, rows: lines, queries });
      await app.press('6', 'i');
      await settle();
      expect(queries.asked).toEqual(['main']);
      expect(text()).toContain('main (PostgreSQL) details — Esc back · r read again · n next database');
      expect(text()).toContain('Top statements by total time');
      expect(plainLine('SELECT pg_sleep($1)')).toMatch(/219ms\s+219ms\s+1\s+SELECT pg_sleep\(\$1\)/);
      await app.press('G');
      expect(plainLine('public.orders ')).toMatch(/2\.4M\s+15k\s+5000\s+25%\s+never\s+public\.orders/);
      expect(plainLine('public.注文 履歴')).toMatch(/0B\s+0\s+0\s+–\s+never\s+public\.注文 履歴\s*║$/);
      expect(text().replace(/\s*║\n║\s*/g, ' ')).toContain('Unused indexes no scan since the statistics began; unique and primary keys left out');
      expect(plainLine('public.orders_by_customer')).toMatch(/152K\s+public\.orders_by_customer on orders/);
      expect(text().split('\n').every((l) => stringWidth(l) <= columns)).toBe(true);

      await app.press('r');
      await settle();
      expect(queries.asked).toEqual(['main', 'main']);
      await app.press(KEYS.escape);
      expect(app.store.getState().ui.overlay).toBe('none');
      expect(text()).toContain('╭─ Databases');
    });
  }

  it('says pg_stat_statements is not there and how to enable it', async () => {
    const [probe] = rows('probe-not-loaded') as { schema: string | null; preloaded: boolean; database: string }[];
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns: 80, rows: 24, queries: reader(captured(statementsUnavailable(probe!))) });
    await app.press('6', 'i');
    await settle();
    const screen = text().replace(/\s*║\n║\s*/g, ' ');
    expect(screen).toContain('not available: pg_stat_statements is not loaded (shared_preload_libraries does not list it)');
    expect(screen).toContain('to enable it: add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart the server, then run CREATE EXTENSION pg_stat_statements; in this database');
    expect(text()).toContain('Largest tables in garden_dx');
  });
});
