// What changed and when: thresholds crossed and cleared, units failing, sources down and back.
import { memo } from 'react';
import { Text } from 'ink';
import { formatClock, formatDayClock, sameDay } from '../domain/duration.js';
import type { OpsEvent } from '../domain/model.js';
import { scrollTop } from '../app/layout.js';
import { Frame, Note } from './Frame.js';
import { besideHost, fit } from './format.js';
import { hostColor, useTheme } from './theme.js';

export interface EventsPaneProps {
  rows: readonly OpsEvent[];
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  filter: string;
  hostColors: Readonly<Record<string, string | undefined>>;
  /** Any time of today (its start keeps the memo still all day): other days' events, restored after a restart, carry their day. */
  today: number;
}

/** The host column's width: a longer name is cut there. */
const HOST_COLUMN = 12;

/** Spaces where a day would be: today's rows keep their clocks under the other days' clocks. */
const NO_DAY = ' '.repeat('MM-DD '.length);

function EventsPaneView({ rows, width, height, focused, cursor, filter, hostColors, today }: EventsPaneProps) {
  const theme = useTheme();
  const visible = Math.max(0, height - 2);
  const top = scrollTop(cursor, rows.length, visible);
  const shown = rows.slice(top, top + visible);
  const days = shown.some((event) => !sameDay(event.at, today));
  const stamp = (at: number): string => (!days ? formatClock(at) : sameDay(at, today) ? `${NO_DAY}${formatClock(at)}` : formatDayClock(at));
  return (
    <Frame title="Events" info={`${filter ? `/${filter} ` : ''}${rows.length}`} focused={focused} width={width} height={height}>
      {rows.length === 0 ? <Note>{filter ? `no event matches "${filter}"` : 'nothing has changed yet'}</Note> : null}
      {shown.map((event, i) => (
        <Text key={`${event.at}-${top + i}`} inverse={focused && top + i === cursor} wrap="truncate">
          <Text color={theme.muted}>{stamp(event.at)} </Text>
          <Text color={theme[event.level]}>{fit(event.level.toUpperCase(), 5)}</Text>
          <Text bold color={hostColor(theme, hostColors[event.host])}>
            {fit(event.host, HOST_COLUMN)}
          </Text>
          {besideHost(event.message, event.host, HOST_COLUMN)}
        </Text>
      ))}
    </Frame>
  );
}

export const EventsPane = memo(EventsPaneView);
