// Enter on a Databases row: the query's whole text wrapped, who runs it and for how long, its plan
// on e, the reason when there is none, and Esc back, at 80x24 and 200x50.
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryReader } from '../../src/app/query-details.js';
import type { QueryText } from '../../src/domain/explain.js';
import { fleetConfig, fleetWithDatabase } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text, plainLine } = screenReader(() => app!.frame());

const LONG = [
  '-- plans waiting for approval, oldest first',
  'UPDATE plans SET status = 2, approved_by = current_user, approved_at = now(), note = \'approved from the on-call console after review\' WHERE id = 7',
].join('\n');

/** A reader that answers the way the services do, recording what it was asked. */
function reader(plan: () => Promise<string[]>): QueryReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    text: async (database, pid) => {
      asked.push(`text ${database} ${pid}`);
      return { pid, text: LONG, database: 'garden_dx' } satisfies QueryText;
    },
    plan: async (database, query) => {
      asked.push(`plan ${database} ${query.pid}`);
      return plan();
    },
    details: () => Promise.reject(new Error('this test reads no database details')),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('the query details view', () => {
  it('at 80x24: Enter shows who, how long and the whole text wrapped; e plans it; Esc goes back to the list', async () => {
    const queries = reader(async () => ['Update on plans  (cost=0.29..8.31 rows=0 width=0)', '  ->  Index Scan using plans_pkey on plans  (cost=0.29..8.31 rows=1 width=46)', '        Index Cond: (id = 7)']);
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns: 80, rows: 24, queries });
    await app.press('6', '/', ...'4242', KEYS.enter, KEYS.enter);
    await settle();
    expect(queries.asked).toEqual(['text main 4242']);
    const screen = text();
    expect(screen).toContain('Query 4242 on main (postgres) — Esc back · e plan');
    expect(plainLine('pid 4242')).toMatch(/pid 4242 · user app · db garden_dx · active · for 42s · wait\s*║$/);
    expect(plainLine('Lock:transactionid')).toMatch(/║ Lock:transactionid · blocked by 4241\s*║$/);
    // The comment line, then the statement wrapped: every word of it on screen, nothing cut.
    expect(plainLine('-- plans waiting')).toContain('-- plans waiting for approval, oldest first');
    const body = screen.split('\n').map((l) => l.replace(/^║\s?|\s*║$/g, '').trimEnd());
    const start = body.findIndex((l) => l.startsWith('UPDATE plans SET status = 2'));
    expect(start).toBeGreaterThan(0);
    expect(body.slice(start, start + 3).join(' ')).toContain("note = 'approved from the on-call console after review' WHERE id = 7");
    expect(screen.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(screen).toContain('e: plan it with EXPLAIN (never ANALYZE: nothing of it runs)');

    await app.press('e');
    await settle();
    expect(queries.asked).toEqual(['text main 4242', 'plan main 4242']);
    expect(text()).toContain('Index Scan using plans_pkey on plans');
    expect(text()).toContain('Index Cond: (id = 7)');

    await app.press(KEYS.escape);
    expect(app.store.getState().ui.overlay).toBe('none');
    expect(text()).toContain('╭─ Databases');
  });

  it('says why there is no plan, with the server\'s reason and what to do', async () => {
    const refused = Object.assign(new Error('the query has parameters ($1…) whose values pg_stat_activity does not show, so it cannot be planned as it ran'), { hint: 'run it by hand' });
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { queries: reader(() => Promise.reject(refused)) });
    await app.press('6', '/', ...'4242', KEYS.enter, KEYS.enter);
    await settle();
    await app.press('e');
    await settle();
    expect(text()).toMatch(/no plan: the query has parameters \(\$1…\) whose values pg_stat_activity does not show/);
    expect(text()).toContain('run it by hand');
  });

  it('keeps showing the query as last seen once the backend has finished, and scrolls a long plan with j, g and G', async () => {
    const plan = Array.from({ length: 60 }, (_, i) => `step ${i + 1}`);
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns: 80, rows: 24, queries: reader(async () => plan) });
    await app.press('6', '/', ...'4242', KEYS.enter, KEYS.enter);
    await settle();
    await app.press('e');
    await settle();
    // The backend leaves the busy list on the next tick.
    app.store.setState((s) => {
      const db = s.data.databases.main!;
      const sample = db.sample!;
      return { ...s, data: { ...s.data, databases: { main: { ...db, sample: sample.kind === 'postgres' ? { ...sample, queries: sample.queries.filter((q) => q.pid !== 4242) } : sample } } } };
    });
    await settle();
    expect(text()).toContain('no longer busy: shown as last seen');
    expect(text()).toMatch(/· 1–\d+\/\d+ j\/k/);
    expect(text()).not.toContain('step 60');
    await app.press('G');
    expect(text()).toContain('step 60');
    await app.press('g');
    expect(text()).toContain('pid 4242 · user app');
    await app.press('j');
    expect(text()).not.toContain('pid 4242 · user app');
    expect(text()).toMatch(/· 2–\d+\/\d+ j\/k/);
  });
});
