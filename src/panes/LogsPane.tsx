// The tail: each line's level by its mark and colour, filter matches highlighted, repeats collapsed,
// long lines cut or wrapped.
import { memo, useMemo, type ReactNode } from 'react';
import { Text } from 'ink';
import { formatClock } from '../domain/duration.js';
import { levelOf } from '../domain/log-level.js';
import type { LogLevel, LogLines, SourceState } from '../domain/model.js';
import { sourceKey } from '../domain/source-id.js';
import { windowBottom, type DisplayLine } from '../app/logview.js';
import type { MeasureLine } from '../app/log-measures.js';
import type { MaintenanceBanner } from '../app/maintenance-view.js';
import { Frame, Note } from './Frame.js';
import { BannerLine } from './MaintenanceBanner.js';
import { cut, cutStart, sliceToWidth, widthOf, wrapToWidth } from './format.js';
import { hostColor, MARK, useTheme, type Tone } from './theme.js';

export interface LogsPaneProps {
  lines: LogLines<DisplayLine>;
  /** The maintenance banner of the hosts shown, when one is in maintenance. */
  banner?: MaintenanceBanner;
  /** What a unit's log view shows and how to leave it (Enter on a unit in Services). */
  heading?: string;
  /** The shown logs' measures (access figures, rules), each at its level. */
  measures: readonly MeasureLine[];
  /** Index of the anchored line, drawn inverse while paused: the window's bottom line, unless `jumped`. */
  anchor: number;
  /** The anchor is where an e/E/w/W jump landed: shown a third from the top, with the lines after it. */
  jumped: boolean;
  following: boolean;
  /** The whole screen is paused (p): the log is not followed on screen either, whatever its own state. */
  screenPaused: boolean;
  sources: readonly SourceState[];
  /** "all" or the one source shown. */
  sourceLabel: string;
  showHost: boolean;
  /** The labels of the logs merged here: with more than one label, each line says which it is from. */
  mergedLabels: readonly string[];
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

/** Each line's level: its tone, and the mark in the gutter that says it without colour. */
const LEVEL_STYLE: Record<LogLevel, { tone?: Tone; mark: string; italic?: boolean }> = {
  error: { tone: 'crit', mark: MARK.crit },
  warn: { tone: 'warn', mark: MARK.warn },
  info: { mark: ' ' },
  marker: { tone: 'accent', mark: ' ', italic: true },
};

/** The gutter: a line's mark and a space; wrapped rows after the first keep it blank. */
const GUTTER = 2;

function prefix(line: DisplayLine, timestamps: boolean): string {
  return timestamps ? `${formatClock(line.at)} ` : '';
}

function body(line: DisplayLine): string {
  return line.count > 1 ? `${line.text} (×${line.count})` : line.text;
}

/**
 * Each label's tag: the shortest end of its path that no other label shares (`error.log`, or
 * `nginx/error.log` beside `php-fpm/error.log`), at most `most` columns (cut in its middle), padded to the
 * widest so the lines' text starts in one column; none for one label.
 */
function tagsOf(labels: readonly string[], most: number): Record<string, string> {
  const distinct = [...new Set(labels)];
  if (distinct.length < 2) return {};
  const parts = distinct.map((label) => label.split('/').filter(Boolean));
  const taken = parts.map(() => 1);
  const tagAt = (i: number) => parts[i]!.slice(-taken[i]!).join('/') || distinct[i]!;
  for (let grew = true; grew; ) {
    grew = false;
    const tags = distinct.map((_, i) => tagAt(i));
    tags.forEach((tag, i) => {
      if (tags.indexOf(tag) !== tags.lastIndexOf(tag) && taken[i]! < parts[i]!.length) {
        taken[i]!++;
        grew = true;
      }
    });
  }
  // Cut in the middle: the start tells the files apart (nginx/, php-fpm/), the end says what they are.
  const cutMiddle = (tag: string) => (widthOf(tag) <= most ? tag : `${sliceToWidth(tag, Math.ceil((most - 1) / 2)).text}${cutStart(tag, most - Math.ceil((most - 1) / 2))}`);
  const tags = distinct.map((_, i) => cutMiddle(tagAt(i)));
  const width = Math.max(...tags.map(widthOf));
  return Object.fromEntries(distinct.map((label, i) => [label, `${tags[i]!}${' '.repeat(width - widthOf(tags[i]!))} `]));
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
  const { lines, banner, heading, measures, anchor, jumped, following, screenPaused, sources, sourceLabel, showHost, mergedLabels, hostColors, highlight, filter, filterError, wrap, timestamps, note, width, height, focused } = props;
  const theme = useTheme();
  const inner = width - 2;
  const unread = sources.filter((s) => s.status === 'error' || s.status === 'stale');
  const problems = unread.filter((s) => !s.absent);
  // A host without a system log is not down: its note is whole, wrapped, as this machine's is, so the way to add one can be read.
  const absent = unread.flatMap((s) => (s.absent ? wrapToWidth(`${s.error ?? s.absent}${s.hint ? `. ${s.hint}` : ''}`, inner, true) : []));
  const fixed = height - 2 - problems.length - absent.length - (note ? 2 : 0) - (banner ? 1 : 0) - (heading ? 1 : 0);
  // The measures never take more than a third of the pane: the tail is what the pane is for.
  const figures = measures.slice(0, Math.max(measures.length > 0 ? 1 : 0, Math.floor(fixed / 3)));
  const rows = Math.max(0, fixed - figures.length);
  const sourceTags = useMemo(() => tagsOf(mergedLabels, Math.max(8, Math.floor(inner / 4))), [mergedLabels, inner]);
  const tags = (line: DisplayLine) => (showHost ? `${line.host} ` : '') + (sourceTags[line.source] ?? '');
  const wrapped = (line: DisplayLine) => wrapToWidth(prefix(line, timestamps) + tags(line) + body(line), inner - GUTTER);
  const rowsOf = (i: number) => {
    const line = lines.at(i);
    return wrap && line ? wrapped(line).length : 1;
  };
  const bottom = windowBottom(lines.length, anchor, jumped, rows, rowsOf);
  const newer = lines.length - 1 - bottom;
  const mode = following && !screenPaused ? 'FOLLOW' : `PAUSED${newer > 0 ? ` +${newer}` : ''}`;
  // A long filter is cut in the title (the filter line shows it whole) so the source and the state stay.
  const info = [sourceLabel, filter ? `/${cut(filter, Math.max(8, Math.floor(inner / 3)))}${filterError ? ' (literal)' : ''}` : '', wrap ? 'WRAP' : '', mode].filter(Boolean).join(' ');

  // Walk up from the bottom line until the window is full: with wrap on a line can take several rows.
  // Rows are keyed by their place counted from the bottom, not by line: a followed log moves every
  // row each flush, and a key per line would unmount and mount each row (ink and yoga nodes included)
  // where a key per place only gives the same row new text.
  const shown: ReactNode[] = [];
  let used = 0;
  for (let i = bottom; i >= 0 && used < rows; i--) {
    // Each read makes the line anew (a buffer keeps bytes): read once. One no longer kept ends the window.
    const line = lines.at(i);
    if (!line) break;
    const { tone, italic, mark } = LEVEL_STYLE[levelOf(line)];
    const style = { color: tone ? theme[tone] : undefined, italic };
    const gutter = `${mark} `;
    const stamp = prefix(line, timestamps);
    const hostTag = showHost ? `${line.host} ` : '';
    const sourceTag = sourceTags[line.source] ?? '';
    const head = stamp + hostTag + sourceTag;
    const text = body(line);
    const isAnchor = !following && i === anchor;
    if (wrap) {
      const pieces = wrapped(line);
      const first = Math.max(0, pieces.length - (rows - used));
      const take = pieces.slice(first);
      take.reverse().forEach((piece, k) =>
        shown.push(
          <Text key={used + k} {...style} inverse={isAnchor} wrap="truncate">
            {first + take.length - 1 - k === 0 ? gutter : ' '.repeat(GUTTER)}
            {highlighted(piece, highlight)}
          </Text>,
        ),
      );
      used += take.length;
    } else {
      // A row of one log without stamps or a filter is one string: a followed log redraws every row a frame.
      const visible = cut(text, Math.max(1, inner - GUTTER - widthOf(head)));
      const plain = head === '' && !highlight;
      shown.push(
        <Text key={used} {...style} inverse={isAnchor} wrap="truncate">
          {plain ? gutter + visible : gutter}
          {stamp ? <Text color={theme.muted}>{stamp}</Text> : null}
          {hostTag ? <Text color={hostColor(theme, hostColors[line.host])}>{hostTag}</Text> : null}
          {sourceTag ? <Text color={theme.muted}>{sourceTag}</Text> : null}
          {plain ? null : highlighted(visible, highlight)}
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
        <Text bold color={theme.accent} wrap="truncate">
          {heading}
        </Text>
      ) : null}
      {figures.map((m, i) => (
        <Text key={`m${i}`} color={m.level === 'ok' ? theme.muted : theme[m.level]} wrap="truncate">
          {m.level === 'ok' ? ' ' : MARK[m.level]} {m.text}
        </Text>
      ))}
      {note ? <Note tone="warn">{note}</Note> : null}
      {absent.map((text, i) => (
        <Text key={`absent${i}`} color={theme.warn} wrap="truncate">
          {text}
        </Text>
      ))}
      {problems.map((s) => (
        <Text key={sourceKey(s.id)} color={s.status === 'stale' ? theme.stale : theme.down} wrap="truncate">
          {s.status === 'stale' ? MARK.stale : MARK.down} {s.id.host} {s.label}: {s.error}
          {s.hint ? ` (${s.hint})` : ''}
        </Text>
      ))}
      {lines.length === 0 && !note && absent.length === 0 ? <Note>{filter ? `no line matches "${filter}" (Esc clears)` : sources.length === 0 ? 'no log source for this host' : 'waiting for lines…'}</Note> : null}
      {shown}
    </Frame>
  );
}

export const LogsPane = memo(LogsPaneView);
