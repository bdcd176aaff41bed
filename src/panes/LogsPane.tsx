// The tail: level colours, filter matches highlighted, repeats collapsed, long lines cut or wrapped.
import { memo, type ReactNode } from 'react';
import { Text } from 'ink';
import { formatClock } from '../domain/duration.js';
import type { SourceState } from '../domain/model.js';
import { sourceKey } from '../domain/source-id.js';
import type { DisplayLine } from '../app/logview.js';
import type { MaintenanceBanner } from '../app/maintenance-view.js';
import { Frame, Note } from './Frame.js';
import { BannerLine } from './MaintenanceBanner.js';
import { cut, widthOf, wrapToWidth } from './format.js';

export interface LogsPaneProps {
  lines: readonly DisplayLine[];
  /** The maintenance banner of the hosts shown, when one is in maintenance. */
  banner?: MaintenanceBanner;
  /** What a unit's log view shows and how to leave it (Enter on a unit in Services). */
  heading?: string;
  bottom: number;
  following: boolean;
  sources: readonly SourceState[];
  /** "all" or the one source shown. */
  sourceLabel: string;
  showHost: boolean;
  hostColors: Readonly<Record<string, string | undefined>>;
  highlight?: RegExp;
  filter: string;
  filterError?: string;
  wrap: boolean;
  timestamps: boolean;
  note?: string;
  width: number;
  height: number;
  focused: boolean;
}

const LEVEL_STYLE: Record<DisplayLine['level'], { color?: string; bold?: boolean; italic?: boolean }> = {
  error: { color: 'red' },
  warn: { color: 'yellow' },
  info: {},
  marker: { color: 'cyan', italic: true },
};

function prefix(line: DisplayLine, timestamps: boolean): string {
  return timestamps ? `${formatClock(line.at)} ` : '';
}

function body(line: DisplayLine): string {
  return line.count > 1 ? `${line.text} (×${line.count})` : line.text;
}

function highlighted(text: string, pattern: RegExp | undefined): ReactNode {
  if (!pattern || text === '') return text;
  const parts: ReactNode[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (const match of text.matchAll(pattern)) {
    if (match[0] === '') break;
    const start = match.index;
    if (start > last) parts.push(text.slice(last, start));
    parts.push(
      <Text key={start} inverse>
        {match[0]}
      </Text>,
    );
    last = start + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function LogsPaneView(props: LogsPaneProps) {
  const { lines, banner, heading, bottom, following, sources, sourceLabel, showHost, hostColors, highlight, filter, filterError, wrap, timestamps, note, width, height, focused } = props;
  const inner = width - 2;
  const problems = sources.filter((s) => s.status === 'error' || s.status === 'stale');
  const rows = Math.max(0, height - 2 - problems.length - (note ? 2 : 0) - (banner ? 1 : 0) - (heading ? 1 : 0));
  const newer = lines.length - 1 - bottom;
  const mode = following ? 'FOLLOW' : `PAUSED${newer > 0 ? ` +${newer}` : ''}`;
  const info = `${sourceLabel}${filter ? ` /${filter}` : ''}${filterError ? ' (literal)' : ''} ${wrap ? 'WRAP ' : ''}${mode}`;

  // Walk up from the bottom line until the window is full: with wrap on a line can take several rows.
  const shown: ReactNode[] = [];
  let used = 0;
  for (let i = bottom; i >= 0 && used < rows; i--) {
    const line = lines[i]!;
    const style = LEVEL_STYLE[line.level];
    const stamp = prefix(line, timestamps);
    const hostTag = showHost ? `${line.host} ` : '';
    const head = stamp + hostTag;
    const text = body(line);
    const isAnchor = !following && i === bottom;
    if (wrap) {
      const pieces = wrapToWidth(head + text, inner);
      const take = pieces.slice(Math.max(0, pieces.length - (rows - used)));
      take.reverse().forEach((piece, k) =>
        shown.push(
          <Text key={`${line.seq}-${k}`} {...style} inverse={isAnchor} wrap="truncate">
            {highlighted(piece, highlight)}
          </Text>,
        ),
      );
      used += take.length;
    } else {
      shown.push(
        <Text key={line.seq} {...style} inverse={isAnchor} wrap="truncate">
          <Text color="gray">{stamp}</Text>
          {hostTag ? <Text color={hostColors[line.host] ?? 'white'}>{hostTag}</Text> : null}
          {highlighted(cut(text, Math.max(1, inner - widthOf(head))), highlight)}
        </Text>,
      );
      used++;
    }
  }
  shown.reverse();
  return (
    <Frame title="Logs" info={info} focused={focused} width={width} height={height}>
      {banner ? <BannerLine banner={banner} /> : null}
      {heading ? (
        <Text bold color="cyan" wrap="truncate">
          {heading}
        </Text>
      ) : null}
      {note ? <Note color="yellow">{note}</Note> : null}
      {problems.map((s) => (
        <Text key={sourceKey(s.id)} color={s.status === 'stale' ? 'yellow' : 'red'} wrap="truncate">
          ✖ {s.id.host} {s.label}: {s.error}
          {s.hint ? ` (${s.hint})` : ''}
        </Text>
      ))}
      {lines.length === 0 && !note ? <Note>{filter ? `no line matches "${filter}" (Esc clears)` : sources.length === 0 ? 'no log source for this host' : 'waiting for lines…'}</Note> : null}
      {shown}
    </Frame>
  );
}

export const LogsPane = memo(LogsPaneView);
