// The query details view (Enter on a Databases row): who runs it and for how long, the whole text
// wrapped with its own line breaks, and the plan by EXPLAIN once asked (e); j/k scroll, Esc back.
import { Box, Text } from 'ink';
import type { DatabaseRow } from '../app/database-rows.js';
import type { QueryDetailsState } from '../app/store.js';
import { formatDuration } from '../domain/duration.js';
import { sanitizeLine } from '../domain/sanitize.js';
import { cut, wrapToWidth } from './format.js';
import { useTheme, type Theme } from './theme.js';

export interface DetailLine {
  text: string;
  tone?: 'title' | 'dim' | 'error' | 'warn';
}

/** Long lines of a query or plan are wrapped, never cut: this is where the whole text is read. */
const MAX_LINE = 100_000;

/** Remote text as detail lines: each of its lines sanitised, then wrapped at words to the width. */
export function wrapped(text: string, width: number, tone?: DetailLine['tone']): DetailLine[] {
  return text.split('\n').flatMap((line) => wrapToWidth(sanitizeLine(line, MAX_LINE), width, true).map((piece) => ({ text: piece, ...(tone ? { tone } : {}) })));
}

function whoLine(row: DatabaseRow): string {
  const id = row.kind === 'mysql' ? 'id' : 'pid';
  const parts = [`${id} ${row.pid}`, `user ${row.user || '–'}`, `db ${row.db || '–'}`, row.state || '–', `for ${formatDuration(row.durationSec * 1000)}`];
  if (row.wait) parts.push(`wait ${row.wait}`);
  if (row.blockedBy.length > 0) parts.push(`blocked by ${row.blockedBy.join(', ')}`);
  return parts.join(' · ');
}

/** Every line of the view at this width, for drawing and for the scroll limit. */
export function queryDetailLines(q: QueryDetailsState, current: { row: DatabaseRow; live: boolean }, width: number): DetailLine[] {
  const lines: DetailLine[] = [...wrapped(whoLine(current.row), width)];
  if (!current.live) lines.push({ text: 'no longer busy: shown as last seen', tone: 'warn' });
  lines.push({ text: '' });
  const text = q.text;
  const cut = text.status === 'ok' && text.value?.cutAtBytes !== undefined ? ` (the server keeps its first ${text.value.cutAtBytes} bytes)` : '';
  lines.push({ text: `Query${cut}`, tone: 'title' });
  if (text.status === 'loading') lines.push(...wrapped(current.row.query, width), { text: 'reading the whole text…', tone: 'dim' });
  else if (text.status === 'error') lines.push(...wrapped(current.row.query, width), ...wrapped(`could not read the whole text: ${text.error}`, width, 'error'));
  else if (text.value === undefined) lines.push(...wrapped(current.row.query, width), { text: 'the backend has finished: this is its text as last listed', tone: 'warn' });
  else lines.push(...wrapped(text.value.text, width));
  lines.push({ text: '' }, { text: 'Plan (EXPLAIN: planned, not run)', tone: 'title' });
  const plan = q.plan;
  if (plan === null) lines.push({ text: 'e: plan it with EXPLAIN (never ANALYZE: nothing of it runs)', tone: 'dim' });
  else if (plan.status === 'loading') lines.push({ text: 'planning…', tone: 'dim' });
  else if (plan.status === 'error') lines.push(...wrapped(`no plan: ${plan.error}`, width, 'error'), ...(plan.hint ? wrapped(plan.hint, width, 'dim') : []));
  else lines.push(...plan.value.flatMap((line) => wrapped(line, width)));
  return lines;
}

export const detailTones = (theme: Theme): Record<NonNullable<DetailLine['tone']>, { color?: string; bold?: boolean; dimColor?: boolean }> => ({
  title: { color: theme.accent, bold: true },
  dim: { dimColor: true },
  error: { color: theme.crit },
  warn: { color: theme.warn },
});

/** Rows of lines the view shows at once (inside its border, below its title). */
export function queryDetailCapacity(height: number): number {
  return Math.max(1, height - 3);
}

export function QueryDetailsView({ q, lines, width, height, kind }: { q: QueryDetailsState; lines: readonly DetailLine[]; width: number; height: number; kind: string }) {
  return <ScrolledDetails title={(more) => `Query ${q.pid} on ${q.database} (${kind}) — Esc back · e plan${more}`} lines={lines} scroll={q.scroll} width={width} height={height} />;
}

/** A details view's frame: its title (given where the lines stand when they do not fit) and the lines from `scroll`. */
export function ScrolledDetails({ title, lines, scroll, width, height }: { title: (more: string) => string; lines: readonly DetailLine[]; scroll: number; width: number; height: number }) {
  const theme = useTheme();
  const tones = detailTones(theme);
  const capacity = queryDetailCapacity(height);
  const start = Math.max(0, Math.min(scroll, lines.length - capacity));
  const shown = lines.slice(start, start + capacity);
  const more = lines.length > capacity ? ` · ${start + 1}–${start + shown.length}/${lines.length} j/k` : '';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.accent} width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate">
        {cut(title(more), Math.max(0, width - 4))}
      </Text>
      {shown.map((line, i) => (
        <Text key={start + i} wrap="truncate" {...(line.tone ? tones[line.tone] : {})}>
          {line.text === '' ? ' ' : line.text}
        </Text>
      ))}
    </Box>
  );
}
