// The tab bar above the panes and the status/command line below them.
import { memo } from 'react';
import { Box, Text } from 'ink';
import { formatClock, formatDuration } from '../domain/duration.js';
import { PANE_TITLES, PANES, type Message, type PaneId } from '../app/store.js';
import { formatBytes } from '../domain/bytes.js';
import { cut, cutStart, fit, widthOf } from './format.js';
import { MARK, useTheme } from './theme.js';

export interface TabBarProps {
  focus: PaneId;
  /** The panes to offer (shownPanes): each keeps its number key, whichever are left out. */
  panes: readonly PaneId[];
  scope: string;
  width: number;
  alerts: { crit: number; warn: number; down: number };
}

const BRAND = 'opsdeck ';

/**
 * How much of the tabs fits beside the scope and the alert count, which always keep their room: the
 * name and every title; every title; else the focused pane's title, then the others' titles from
 * the left as far as they fit, numbers for the rest.
 */
export function tabLabels(panes: readonly PaneId[], focus: PaneId, room: number): { brand: boolean; labels: string[] } {
  const full = panes.map((pane) => ` ${PANES.indexOf(pane) + 1} ${PANE_TITLES[pane]} `);
  const tabsWidth = full.reduce((sum, label) => sum + widthOf(label), 0);
  if (BRAND.length + tabsWidth <= room) return { brand: true, labels: full };
  if (tabsWidth <= room) return { brand: false, labels: full };
  const labels = panes.map((pane, i) => (pane === focus ? full[i]! : ` ${PANES.indexOf(pane) + 1} `));
  let used = labels.reduce((sum, label) => sum + widthOf(label), 0);
  for (let i = 0; i < labels.length; i++) {
    const grown = widthOf(full[i]!) - widthOf(labels[i]!);
    if (used + grown > room) break;
    labels[i] = full[i]!;
    used += grown;
  }
  return { brand: false, labels };
}

function TabBarView({ focus, panes, scope, width, alerts }: TabBarProps) {
  const theme = useTheme();
  const badge = [alerts.crit > 0 ? `${MARK.crit} ${alerts.crit} crit` : '', alerts.warn > 0 ? `${MARK.warn} ${alerts.warn} warn` : '', alerts.down > 0 ? `${MARK.down} ${alerts.down} down` : ''].filter(Boolean).join(' ');
  const state = ` │ ${badge || `${MARK.ok} all ok`}`;
  // What is wrong is what a glance at the top line is for: the tabs give way first, then the scope.
  const { brand, labels } = tabLabels(panes, focus, width - widthOf(` │ ${scope}${state}`));
  const tabsWidth = (brand ? BRAND.length : 0) + labels.reduce((sum, label) => sum + widthOf(label), 0);
  const scopeRoom = Math.max(0, width - tabsWidth - 3 - widthOf(state));
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        {brand ? (
          <Text bold color={theme.accent}>
            {BRAND}
          </Text>
        ) : null}
        {panes.map((pane, i) => (
          <Text key={pane} inverse={pane === focus} bold={pane === focus} color={pane === focus ? theme.accent : undefined}>
            {labels[i]}
          </Text>
        ))}
        <Text color={theme.muted}> │ </Text>
        <Text bold>{cut(scope, scopeRoom)}</Text>
        <Text color={badge ? (alerts.crit > 0 || alerts.down > 0 ? theme.crit : theme.warn) : theme.ok}>{state}</Text>
      </Text>
    </Box>
  );
}

export const TabBar = memo(TabBarView);

export interface StatusBarProps {
  width: number;
  refreshMs: number;
  paused: boolean;
  readOnly: boolean;
  self: { cpuPercent: number; rssBytes: number };
  message: Message | null;
  clock: number;
}

/** The message wants at least this much room before the keys hint and opsdeck's own figures give way. */
const MESSAGE_ROOM = 40;

/**
 * How long an info message stays: it says something went as asked, and the Events pane keeps it; an
 * error stays until Esc (on the wall, until the next message), as the operator may have looked away
 * from a screen left running.
 */
const INFO_SHOWN_MS = 15_000;

/** The status line's message at `now`, if it is still to be shown. */
export function shownMessage(message: Message | null, now: number): Message | null {
  if (!message) return null;
  // A step of a long operation (a unit taking 90 s to stop) is news for as long as it runs.
  if (message.progress) {
    const seconds = Math.max(0, Math.floor((now - message.at) / 1000));
    return { ...message, text: `${message.text} · ${seconds < 60 ? `${seconds}s` : formatDuration(seconds * 1000)}` };
  }
  return message.level === 'error' || now - message.at < INFO_SHOWN_MS ? message : null;
}

function StatusBarView({ width, refreshMs, paused, readOnly, self, message: latest, clock }: StatusBarProps) {
  const theme = useTheme();
  const message = shownMessage(latest, clock);
  const refresh = ` refresh ${formatDuration(refreshMs)} `;
  const left = (paused ? ' PAUSED ' : '') + (readOnly ? ' READ-ONLY ' : '') + refresh;
  const full = ` opsdeck ${self.cpuPercent.toFixed(1)}% ${formatBytes(self.rssBytes)} │ ${formatClock(clock)} │ ? help  : cmd  q quit`;
  // An operation's result is what the operator is waiting for: on a narrow screen it keeps its room
  // and only the clock stays beside it; the clock too gives way where it alone would cut a result
  // that fits without it.
  // A bar between the refresh and a message: "refresh 5s refresh 5s" read as one phrase.
  const bar = message ? '│ ' : '';
  const room = width - widthOf(left) - bar.length;
  const clockOnly = ` │ ${formatClock(clock)}`;
  const wanted = message ? widthOf(message.text) : 0;
  const cramped = message !== null && room - full.length < Math.min(wanted, MESSAGE_ROOM);
  const right = !cramped ? full : wanted > room - clockOnly.length && wanted <= room ? '' : clockOnly;
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        {paused ? (
          <Text inverse color={theme.warn}>
            {' '}PAUSED{' '}
          </Text>
        ) : null}
        {readOnly ? (
          <Text inverse color={theme.readOnly}>
            {' '}READ-ONLY{' '}
          </Text>
        ) : null}
        <Text color={theme.muted}>
          {refresh}
          {bar}
        </Text>
        {message ? <Text color={message.level === 'error' ? theme.crit : theme.ok}>{fit(message.text, Math.max(0, room - right.length))}</Text> : null}
        <Text color={theme.muted}>{right}</Text>
      </Text>
    </Box>
  );
}

export const StatusBar = memo(StatusBarView);

export interface PromptProps {
  kind: 'command' | 'filter';
  input: string;
  completions: readonly string[];
  width: number;
  pane: PaneId;
}

export function Prompt({ kind, input, completions, width, pane }: PromptProps) {
  const theme = useTheme();
  // What is being typed is at the end: a line longer than the screen gives up its start, not the cursor.
  const shown = cutStart(input, Math.max(1, width - 2));
  // The keys hint only where it fits whole beside the line: cut, it would take the cursor's cell.
  const hint = kind === 'filter' ? `   ${pane === 'logs' ? 'regex, ! to invert' : 'text, ! to invert'} · Enter keep · Esc clear` : '   Tab complete · ↑↓ history · Esc cancel';
  const room = width - 2 - widthOf(shown);
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {kind === 'command' ? ':' : '/'}
        </Text>
        {shown}
        <Text inverse> </Text>
        {completions.length > 0 ? <Text color={theme.muted}>   {completions.join('  ')}</Text> : null}
        {completions.length === 0 && widthOf(hint) <= room ? <Text color={theme.muted}>{hint}</Text> : null}
      </Text>
    </Box>
  );
}
