// The details view's parsers on rows captured from PostgreSQL 15 (test/fixtures/pg-details), and how
// the probe says pg_stat_statements cannot be read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statementsFrom, statementsQuery, statementsRefused, statementsUnavailable, tablesFrom, unusedIndexesFrom } from '../../src/services/db/pg-details.js';

const rows = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/pg-details/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>[];

describe('pg details parsers', () => {
  it('reads statements with their calls, total and mean milliseconds', () => {
    const statements = statementsFrom(rows('statements-by-mean'));
    expect(statements[0]).toEqual({ query: 'SELECT pg_sleep($1)', calls: 1, totalMs: 218.648024, meanMs: 218.648024, rows: 1 });
    expect(statements.find((s) => s.query.startsWith('INSERT INTO orders'))?.rows).toBe(20000);
  });

  it('reads tables with live and dead tuples (a wide name kept as it is), and unused indexes', () => {
    const tables = tablesFrom(rows('tables'));
    expect(tables[0]).toEqual({ schema: 'public', name: 'orders', totalBytes: 2523136, liveTuples: 15000, deadTuples: 5000 });
    expect(tables[1]?.name).toBe('注文 履歴');
    expect(unusedIndexesFrom(rows('unused-indexes'))).toEqual([{ schema: 'public', table: 'orders', name: 'orders_by_customer', sizeBytes: 155648 }]);
  });

  it('says why pg_stat_statements is not there and how to enable it', () => {
    const [notLoaded] = rows('probe-not-loaded') as { schema: string | null; preloaded: boolean; database: string }[];
    expect(statementsUnavailable(notLoaded!)).toMatchObject({ status: 'unavailable', reason: 'pg_stat_statements is not loaded (shared_preload_libraries does not list it)' });
    expect(statementsUnavailable(notLoaded!)?.hint).toMatch(/shared_preload_libraries.*restart.*CREATE EXTENSION pg_stat_statements/);
    const [created] = rows('probe-created') as { schema: string | null; preloaded: boolean; database: string }[];
    expect(statementsUnavailable(created!)).toBeUndefined();
    expect(statementsUnavailable({ ...created!, schema: null })?.reason).toBe('pg_stat_statements is loaded but not created in postgres');
    // Created, then the library dropped from shared_preload_libraries: the server's own words.
    expect(statementsRefused({ code: '55000', message: 'pg_stat_statements must be loaded via shared_preload_libraries' })?.reason).toBe('pg_stat_statements must be loaded via shared_preload_libraries');
    expect(statementsRefused({ code: '57014', message: 'canceling statement due to statement timeout' })).toBeUndefined();
  });

  it('quotes the extension\'s schema and names the columns of the server\'s version', () => {
    expect(statementsQuery('my "stats"', 150000, 'total')).toContain('FROM "my ""stats""".pg_stat_statements');
    expect(statementsQuery('public', 150000, 'mean')).toContain('ORDER BY mean_exec_time DESC');
    expect(statementsQuery('public', 120000, 'total')).toContain('ORDER BY total_time DESC');
  });
});
