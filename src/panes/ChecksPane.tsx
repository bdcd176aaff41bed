// The Hosts pane's Checks view (C): every check with its kind, target, where it runs from, its state
// mark, the last latency with a sparkline of the recent ones (full at the crit latency, else 1 s), the certificate's days left, and its
// state or why it is not ok. The selected check's whole reason is on the line under the list.
import { memo } from 'react';
import { Box, Text } from 'ink';
import type { CheckRow } from '../app/rows.js';
import { certificateDays, checkStateText } from '../app/check-text.js';
import { scrollTop } from '../app/layout.js';
import { Frame, Note } from './Frame.js';
import { cut, fit, fitRight, sparkline } from './format.js';
import { MARK, useTheme, type Tone } from './theme.js';

export interface ChecksPaneProps {
  rows: readonly CheckRow[];
  total: number;
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  filter: string;
}

/** A check's mark: failing is down (○), warn and crit their levels, not run yet pending. */
export function checkTone(state: CheckRow['state']): keyof typeof MARK & Tone {
  return state === 'failing' ? 'down' : state;
}

interface Columns {
  name: number;
  /** 0: no room; the selected check's target is on the line under the list. */
  target: number;
  from: number;
  spark: number;
  state: number;
}

const KIND = 5;
const LATENCY = 8;
const DAYS = 5;
/** Where the sparkline is full when the check has no crit latency: a health endpoint answering in a second is slow. */
const SPARK_TOP_MS = 1000;

/** Each column's width, its separating space included. */
function columns(rows: readonly CheckRow[], inner: number): Columns {
  const name = Math.min(17, Math.max(6, ...rows.map((r) => r.check.name.length + 1)));
  const from = Math.min(13, Math.max(5, ...rows.map((r) => (r.check.from?.length ?? 0) + 1)));
  const spark = inner >= 150 ? 30 : inner >= 100 ? 16 : 8;
  const rest = Math.max(10, inner - 2 - name - KIND - from - LATENCY - DAYS - spark - 1);
  // On a wide pane the target gets up to 40 % of what is left, the state (the reason) the rest.
  const target = inner >= 100 ? Math.min(Math.max(7, ...rows.map((r) => r.check.target.length + 1)), Math.floor(rest * 0.4)) : 0;
  return { name, target, from, spark, state: Math.max(6, rest - target) };
}

/** Cut to the column, one space kept before the next. */
const cell = (text: string, width: number): string => `${fit(text, width - 1)} `;

function latencyText(row: CheckRow): string {
  const ms = row.check.result?.latencyMs;
  return ms === undefined ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${ms.toFixed(0)} ms`;
}

function CheckLine({ row, cols, selected }: { row: CheckRow; cols: Columns; selected: boolean }) {
  const theme = useTheme();
  const { check } = row;
  const tone = checkTone(row.state);
  const days = certificateDays(check);
  // The latency's colour is its own level where it has thresholds; the days' likewise.
  const latencyTone: Tone = check.latency && check.result?.latencyMs !== undefined ? (check.result.latencyMs >= check.latency.crit ? 'crit' : check.result.latencyMs >= check.latency.warn ? 'warn' : 'ok') : 'muted';
  const daysTone: Tone = days === undefined ? 'muted' : days < check.days.crit ? 'crit' : days < check.days.warn ? 'warn' : 'ok';
  const sparkTop = Math.max(check.latency?.crit ?? SPARK_TOP_MS, ...check.latencies);
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text color={theme[tone]}>{MARK[tone]} </Text>
      <Text bold>{cell(check.name, cols.name)}</Text>
      <Text>{cell(check.kind, KIND)}</Text>
      {cols.target > 0 ? <Text color={theme.muted}>{cell(check.target, cols.target)}</Text> : null}
      <Text>{cell(check.from ?? '·', cols.from)}</Text>
      <Text color={theme[latencyTone]}>{fitRight(latencyText(row), LATENCY - 1)} </Text>
      <Text color={theme[daysTone]}>{fitRight(days === undefined ? '–' : `${days}d`, DAYS - 1)} </Text>
      <Text color={theme.accent}>{sparkline(check.latencies, cols.spark, sparkTop)} </Text>
      <Text color={row.state === 'ok' || row.state === 'pending' ? undefined : theme[tone]}>{cut(checkStateText(row), cols.state)}</Text>
    </Text>
  );
}

function ChecksPaneView({ rows, total, width, height, focused, cursor, filter }: ChecksPaneProps) {
  const theme = useTheme();
  const inner = Math.max(0, width - 2);
  const selected = rows[cursor];
  const detailLines = focused && selected && height >= 7 ? 2 : 0;
  const body = Math.max(0, height - 3 - detailLines);
  const top = scrollTop(cursor, rows.length, body);
  const cols = columns(rows, inner);
  const failing = rows.filter((r) => r.state !== 'ok' && r.state !== 'pending').length;
  const info = `${filter ? `/${filter} ` : ''}${failing > 0 ? `${failing} not ok · ` : ''}${rows.length}/${total} · C hosts`;
  const detail = selected ? `${selected.check.name}: ${selected.check.kind} ${selected.check.target}${selected.check.from ? ` from ${selected.check.from}` : ''} — ${checkStateText(selected)}` : '';
  return (
    <Frame title="Checks" info={info} focused={focused} width={width} height={height}>
      <Text bold color={theme.muted} wrap="truncate">
        {'  '}
        {cell('CHECK', cols.name)}
        {cell('KIND', KIND)}
        {cols.target > 0 ? cell('TARGET', cols.target) : ''}
        {cell('FROM', cols.from)}
        {fitRight('LATENCY', LATENCY - 1)} {fitRight('DAYS', DAYS - 1)} {fit('RECENT', cols.spark)} STATE
      </Text>
      {rows.length === 0 ? <Note>{filter ? `no check matches "${filter}" (Esc clears)` : 'no checks configured (checks: in the config, docs/config.md)'}</Note> : null}
      {rows.slice(top, top + body).map((row, i) => (
        <CheckLine key={row.check.name} row={row} cols={cols} selected={focused && top + i === cursor} />
      ))}
      {detailLines > 0 ? (
        <Box height={detailLines} overflow="hidden" marginTop={Math.max(0, body - Math.min(body, rows.length - top))}>
          <Text color={selected && selected.state !== 'ok' && selected.state !== 'pending' ? theme[checkTone(selected.state)] : theme.muted} wrap="wrap">
            {detail}
          </Text>
        </Box>
      ) : null}
    </Frame>
  );
}

export const ChecksPane = memo(ChecksPaneView);
