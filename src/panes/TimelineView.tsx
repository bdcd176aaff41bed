// The lasting timeline, full screen (ctrl+t): every event kept in the state dir's day files that is
// in the store (the last day after a restart, and everything since), newest at the bottom, filtered
// by host (h), level (l) and text (/). Drawing only: the rows come filtered.
import { Box, Text } from 'ink';
import { formatDayClock } from '../domain/duration.js';
import type { OpsEvent } from '../domain/model.js';
import type { TimelineViewState } from '../app/store.js';
import { besideHost, fit, widthOf } from './format.js';
import { MARK, useTheme } from './theme.js';

/** Rows of events the view shows at once (inside its border, below its header). */
export function timelineCapacity(height: number): number {
  return Math.max(1, height - 3);
}

const MARKS: Record<OpsEvent['level'], string> = { ok: MARK.ok, info: MARK.ok, warn: MARK.warn, crit: MARK.crit };

export interface TimelineViewProps {
  rows: readonly OpsEvent[];
  total: number;
  view: TimelineViewState;
  width: number;
  height: number;
}

export function TimelineView({ rows, total, view, width, height }: TimelineViewProps) {
  const theme = useTheme();
  const capacity = timelineCapacity(height);
  const end = Math.max(0, rows.length - view.back);
  const start = Math.max(0, end - capacity);
  const shown = rows.slice(start, end);
  const text = view.editing ? `/${view.text}▏` : view.text ? `/${view.text}` : '/ text';
  const place = rows.length > capacity ? ` · ${start + 1}–${end}/${rows.length} j/k` : '';
  const hostWidth = Math.min(14, Math.max(4, ...shown.map((e) => widthOf(e.host))));
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.accent} width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate">
        {`Timeline ${rows.length}/${total} · h host: ${view.host || 'all'} · l level: ${view.level} · ${text}${place} · Esc back`}
      </Text>
      {rows.length === 0 ? <Text color={theme.muted}>{total === 0 ? 'nothing recorded yet' : 'no event matches these filters'}</Text> : null}
      {shown.map((event, i) => (
        <Text key={`${event.at}-${start + i}`} wrap="truncate">
          <Text color={theme.muted}>{formatDayClock(event.at)} </Text>
          <Text color={theme[event.level]}>{`${MARKS[event.level]} ${fit(event.level.toUpperCase(), 5)}`}</Text>
          <Text bold>{fit(event.host, hostWidth + 1)}</Text>
          {besideHost(event.message, event.host, hostWidth + 1)}
          {event.incident ? <Text color={theme.muted}>{` [${event.incident}]`}</Text> : null}
          {event.auditId ? <Text color={theme.muted}>{` audit ${event.auditId}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
