// Whether a query seen in pg_stat_activity or the MySQL process list can be handed to EXPLAIN, and
// why not when it cannot. The text is someone else's: EXPLAIN is only ever the plan (never ANALYZE),
// of one statement of a kind EXPLAIN plans, whole as its author sent it.
import type { DatabaseKind } from './database.js';

/** A backend's query as the server keeps it, read on demand for the details view. */
export interface QueryText {
  pid: number;
  /** As the server keeps it: line breaks and all. */
  text: string;
  /** The database (MySQL: the default schema) the backend runs in: EXPLAIN resolves names there. */
  database: string;
  /** PostgreSQL: the text was cut at track_activity_query_size, this many bytes. */
  cutAtBytes?: number;
}

type SqlKind = Exclude<DatabaseKind, 'redis'>;

const PLANNABLE: Record<SqlKind, readonly string[]> = {
  postgres: ['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'VALUES', 'TABLE'],
  mysql: ['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'TABLE'],
};

/**
 * The text with its string literals, quoted identifiers and comments blanked out (same length), so
 * keywords, semicolons and placeholders are found only where they are SQL. MySQL's executable
 * comments (`/*! ... *\/`) are SQL to the server: they are reported, not blanked.
 */
export function sqlSkeleton(kind: SqlKind, text: string): { skeleton: string; executableComment: boolean } {
  let out = '';
  let executableComment = false;
  let i = 0;
  const blank = (to: number) => {
    out += text.slice(i, to).replace(/[^\n]/g, ' ');
    i = to;
  };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "'" || c === '"' || (c === '`' && kind === 'mysql')) {
      let j = i + 1;
      while (j < text.length) {
        if (kind === 'mysql' && text[j] === '\\') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      blank(Math.min(text.length, j + 1));
    } else if ((c === '-' && next === '-' && (kind === 'postgres' || /\s/.test(text[i + 2] ?? ' '))) || (c === '#' && kind === 'mysql')) {
      const end = text.indexOf('\n', i);
      blank(end < 0 ? text.length : end);
    } else if (c === '/' && next === '*') {
      if (kind === 'mysql' && text[i + 2] === '!') executableComment = true;
      blank(commentEnd(kind, text, i));
    } else if (c === '$' && kind === 'postgres') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        blank(end < 0 ? text.length : end + tag.length);
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { skeleton: out, executableComment };
}

/** Where the comment opening at `start` ends: PostgreSQL's nest, MySQL's do not. */
function commentEnd(kind: SqlKind, text: string, start: number): number {
  if (kind === 'mysql') {
    const end = text.indexOf('*/', start + 2);
    return end < 0 ? text.length : end + 2;
  }
  let depth = 0;
  let j = start;
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return text.length;
}

/** The statement EXPLAIN is given: the text without a final semicolon. */
export function explainableText(query: QueryText): string {
  return query.text.replace(/[\s;]+$/, '');
}

/** Why EXPLAIN cannot plan this query (said before anything is sent), or undefined when it may try. */
export function explainRefusal(kind: DatabaseKind, query: QueryText): string | undefined {
  if (kind === 'redis') return 'Redis runs commands, not planned queries: there is nothing to EXPLAIN';
  if (query.cutAtBytes !== undefined) {
    return `the server kept only the first ${query.cutAtBytes} bytes of this query (track_activity_query_size): EXPLAIN needs the whole statement, and a plan of the cut text would be of another query`;
  }
  const text = explainableText(query);
  const { skeleton, executableComment } = sqlSkeleton(kind, text);
  if (skeleton.trim() === '') return 'no query text: the backend has not run a statement the server kept';
  if (executableComment) return 'the text holds a MySQL executable comment (/*! … */), which the server would run as SQL: opsdeck does not send it';
  if (skeleton.includes(';')) return 'the text holds several statements: EXPLAIN plans one, and opsdeck sends no other';
  const first = /^[\s(]*([A-Za-z]+)/.exec(skeleton)?.[1]?.toUpperCase();
  if (!first || !PLANNABLE[kind].includes(first)) {
    return `EXPLAIN plans ${PLANNABLE[kind].join(', ')} statements; this one begins with ${first ?? JSON.stringify(skeleton.trim().slice(0, 10))}`;
  }
  if (kind === 'postgres' && /\$\d+/.test(skeleton)) {
    return 'the query has parameters ($1…) whose values pg_stat_activity does not show, so it cannot be planned as it ran (PostgreSQL 16+ plans such a text with EXPLAIN (GENERIC_PLAN), by hand)';
  }
  if (kind === 'mysql' && skeleton.includes('?')) return 'the query has placeholders (?) whose values the process list does not show, so it cannot be planned as it ran';
  return undefined;
}

/** Rows of a tabular EXPLAIN (MySQL's) as aligned text lines, the header first. */
export function planTable(columns: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)];
}
