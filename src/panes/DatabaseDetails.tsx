// The database details view (i in Databases): a PostgreSQL database's top statements by total and by
// mean time, its largest tables with dead tuples, and the indexes no scan has used; r reads again,
// n shows the next PostgreSQL database, j/k scroll, Esc back.
import type { DatabaseDetailsState } from '../app/store.js';
import { formatBytes } from '../domain/bytes.js';
import type { PgDetails, PgStatement, PgStatements } from '../domain/database.js';
import { formatClock, formatDuration } from '../domain/duration.js';
import { cut, fit, fitRight, wrapToWidth } from './format.js';
import { ScrolledDetails, type DetailLine } from './QueryDetails.js';

const count = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(Math.round(n)));
const ms = (n: number): string => formatDuration(n);
const day = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 10)} ${formatClock(epochMs)}`;

function statementLines(title: string, statements: PgStatement[], width: number): DetailLine[] {
  const head = `${fitRight('TOTAL', 9)} ${fitRight('MEAN', 8)} ${fitRight('CALLS', 7)}  QUERY`;
  return [
    { text: title, tone: 'title' },
    ...(statements.length === 0 ? [{ text: 'no statements recorded yet', tone: 'dim' as const }] : [{ text: cut(head, width), tone: 'dim' as const }]),
    ...statements.map((s) => ({ text: cut(`${fitRight(ms(s.totalMs), 9)} ${fitRight(ms(s.meanMs), 8)} ${fitRight(count(s.calls), 7)}  ${s.query}`, width) })),
  ];
}

function statementsSection(statements: PgStatements, width: number): DetailLine[] {
  if (statements.status === 'unavailable') {
    return [
      { text: 'Top statements (pg_stat_statements)', tone: 'title' },
      ...wrapToWidth(`not available: ${statements.reason}`, width, true).map((text) => ({ text, tone: 'warn' as const })),
      ...wrapToWidth(`to enable it: ${statements.hint}`, width, true).map((text) => ({ text, tone: 'dim' as const })),
    ];
  }
  return [...statementLines('Top statements by total time', statements.byTotal, width), { text: '' }, ...statementLines('Top statements by mean time', statements.byMean, width)];
}

function tableLines(details: PgDetails, width: number): DetailLine[] {
  const head = `${fitRight('SIZE', 6)} ${fitRight('LIVE', 7)} ${fitRight('DEAD', 7)} ${fitRight('DEAD%', 5)}  ${fit('VACUUMED', 16)}  TABLE`;
  return [
    { text: `Largest tables in ${details.database}`, tone: 'title' },
    ...(details.tables.length === 0 ? [{ text: 'no user tables', tone: 'dim' as const }] : [{ text: cut(head, width), tone: 'dim' as const }]),
    ...details.tables.map((t) => {
      const all = t.liveTuples + t.deadTuples;
      const dead = all > 0 ? `${((t.deadTuples / all) * 100).toFixed(0)}%` : '–';
      const vacuumed = t.vacuumedAt === undefined ? 'never' : day(t.vacuumedAt);
      return { text: cut(`${fitRight(formatBytes(t.totalBytes), 6)} ${fitRight(count(t.liveTuples), 7)} ${fitRight(count(t.deadTuples), 7)} ${fitRight(dead, 5)}  ${fit(vacuumed, 16)}  ${t.schema}.${t.name}`, width) };
    }),
  ];
}

function indexLines(details: PgDetails, width: number): DetailLine[] {
  const since = details.statsSince === undefined ? 'since the statistics began' : `since the statistics reset at ${day(details.statsSince)}`;
  return [
    { text: 'Unused indexes', tone: 'title' },
    ...wrapToWidth(`no scan ${since}; unique and primary keys left out`, width, true).map((text) => ({ text, tone: 'dim' as const })),
    ...(details.unusedIndexes.length === 0 ? [{ text: 'none', tone: 'dim' as const }] : []),
    ...details.unusedIndexes.map((i) => ({ text: cut(`${fitRight(formatBytes(i.sizeBytes), 6)}  ${i.schema}.${i.name} on ${i.table}`, width) })),
  ];
}

/** Every line of the view at this width, for drawing and for the scroll limit. */
export function databaseDetailLines(view: DatabaseDetailsState, width: number): DetailLine[] {
  const d = view.details;
  if (d.status === 'loading') return [{ text: 'reading pg_stat_statements, table and index statistics…', tone: 'dim' }];
  if (d.status === 'error') return [...wrapToWidth(`could not read the details: ${d.error}`, width, true).map((text) => ({ text, tone: 'error' as const })), ...(d.hint ? [{ text: cut(d.hint, width), tone: 'dim' as const }] : [])];
  return [
    { text: `read at ${formatClock(d.value.at)}`, tone: 'dim' },
    { text: '' },
    ...statementsSection(d.value.statements, width),
    { text: '' },
    ...tableLines(d.value, width),
    { text: '' },
    ...indexLines(d.value, width),
  ];
}

export function DatabaseDetailsView({ view, lines, width, height }: { view: DatabaseDetailsState; lines: readonly DetailLine[]; width: number; height: number }) {
  return <ScrolledDetails title={(more) => `${view.database} (PostgreSQL) details — Esc back · r read again · n next database${more}`} lines={lines} scroll={view.scroll} width={width} height={height} />;
}
