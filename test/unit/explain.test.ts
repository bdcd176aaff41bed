// What opsdeck will hand to EXPLAIN, and the reason it gives when it will not.
import { describe, expect, it } from 'vitest';
import { explainableText, explainRefusal, planTable, sqlSkeleton, type QueryText } from '../../src/domain/explain.js';

const q = (text: string, extra: Partial<QueryText> = {}): QueryText => ({ pid: 1, text, database: 'app', ...extra });

describe('explainRefusal', () => {
  it('lets through one plannable statement, with comments, literals and a final semicolon', () => {
    expect(explainRefusal('postgres', q("/* app:web */ -- a note; still a comment\nSELECT ';', $$ $1; $$, \"a;b\" FROM t;  "))).toBeUndefined();
    expect(explainRefusal('postgres', q('(SELECT 1) UNION (SELECT 2)'))).toBeUndefined();
    expect(explainRefusal('postgres', q('WITH x AS (SELECT 1) UPDATE t SET a = 1'))).toBeUndefined();
    expect(explainRefusal('mysql', q("SELECT 'it''s; here', `a;b` FROM t # trailing ; comment"))).toBeUndefined();
    expect(explainableText(q('SELECT 1;\n'))).toBe('SELECT 1');
  });

  it('refuses a second statement, which EXPLAIN would not cover and the server might run', () => {
    expect(explainRefusal('postgres', q('SELECT 1; DROP TABLE t'))).toMatch(/several statements/);
    expect(explainRefusal('mysql', q("SELECT 1; DELETE FROM t"))).toMatch(/several statements/);
  });

  it('refuses what EXPLAIN does not plan, naming its first word, however it is dressed', () => {
    expect(explainRefusal('postgres', q('VACUUM t'))).toBe('EXPLAIN plans SELECT, WITH, INSERT, UPDATE, DELETE, MERGE, VALUES, TABLE statements; this one begins with VACUUM');
    // A text that would make EXPLAIN run what it plans.
    expect(explainRefusal('postgres', q('(ANALYZE) SELECT pg_sleep(10)'))).toMatch(/begins with ANALYZE/);
    expect(explainRefusal('mysql', q('ANALYZE SELECT SLEEP(10)'))).toMatch(/begins with ANALYZE/);
    expect(explainRefusal('mysql', q('/*!50000 ANALYZE */ SELECT 1'))).toMatch(/executable comment/);
    expect(explainRefusal('postgres', q('-- only a comment'))).toMatch(/no query text/);
  });

  it('says why parameters, placeholders and a cut text cannot be planned', () => {
    expect(explainRefusal('postgres', q('SELECT * FROM t WHERE id = $1'))).toMatch(/parameters \(\$1…\)/);
    expect(explainRefusal('postgres', q("SELECT '$1' FROM t"))).toBeUndefined();
    expect(explainRefusal('mysql', q('SELECT * FROM t WHERE id = ?'))).toMatch(/placeholders/);
    expect(explainRefusal('postgres', q('SELECT 1', { cutAtBytes: 1023 }))).toMatch(/first 1023 bytes/);
    expect(explainRefusal('redis', q('GET k'))).toMatch(/nothing to EXPLAIN/);
  });
});

describe('sqlSkeleton', () => {
  it('blanks literals and comments but keeps the length and line breaks', () => {
    const text = "SELECT 'a;b' /* x /* nested */ y */ FROM t -- z\nWHERE a = 1";
    const { skeleton } = sqlSkeleton('postgres', text);
    expect(skeleton).toHaveLength(text.length);
    expect(skeleton.replace(/ +/g, ' ')).toBe('SELECT FROM t \nWHERE a = 1');
  });
});

describe('planTable', () => {
  it('aligns a tabular EXPLAIN under its header', () => {
    expect(planTable(['id', 'table', 'rows'], [['1', 'orders', '1200'], ['2', 'o', 'NULL']])).toEqual(['id  table   rows', '1   orders  1200', '2   o       NULL']);
  });
});
