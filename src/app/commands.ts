// The `:` command line: what each command does, and Tab completion over commands and their arguments.
import { formatDuration, parseDuration } from '../domain/duration.js';
import { didYouMean } from './suggest.js';
import { clampRefresh, MAX_REFRESH_MS, MIN_REFRESH_MS, refreshLimitText } from './refresh.js';
import { actionFromSelection, type ActionSpec } from './operations/action.js';
import type { OperationControls } from './operations/controls.js';
import type { RunbookIndex } from './runbooks.js';
import type { Runbook } from '../domain/runbook.js';
import type { QueryReader } from './query-details.js';
import type { IncidentControls } from './incidents.js';
import { isSeverity, SEVERITIES } from '../domain/incident.js';
import { groups } from './scope.js';
import { frozenCopy, PANES, visibleData, type DataState, type OpsState, type PaneId } from './store.js';

/** What keys and `:` commands may ask of the world outside the store. */
export interface Controls {
  quit(): void;
  setRefresh(ms: number): void;
  /** Operations go to the executor; the `:` line and the keys only ask. */
  operations: OperationControls;
  /** The operator's commands from the config (`actions:`), by name; absent when there are none. */
  actions?: ReadonlyMap<string, ActionSpec>;
  /** Keeps a `:` line for the next run (the history file); rejects when it could not be saved. */
  rememberCommand(line: string): Promise<void>;
  /** The query details view's reads: a backend's text, its plan. */
  queries: QueryReader;
  /** Open and close incidents, write the postmortem draft (src/app/incidents.ts). */
  incidents: IncidentControls;
  /** What names a runbook, and the door that opens one (the pager, or the URL shown and copied). */
  runbooks: { index: RunbookIndex; open(what: string, runbook: Runbook): void };
}

/** The `:` lines kept, in the session and across runs. */
export const COMMAND_HISTORY_LIMIT = 500;

export type CommandResult = { state?: Partial<OpsState['ui']>; message?: string; error?: string };

interface CommandSpec {
  usage: string;
  summary: string;
  /** What Tab completes after it: from the data, or the configured actions' names. */
  args(data: DataState, actions: readonly string[]): string[];
  run(arg: string, state: OpsState, controls: Controls): CommandResult;
}

const NO_ARGS = (): string[] => [];

export const COMMANDS: Record<string, CommandSpec> = {
  host: {
    usage: 'host NAME',
    summary: 'show one host in Resources, Services and Logs',
    args: (data) => [...data.hostOrder],
    run: (arg, { data, ui }) =>
      Object.hasOwn(data.hosts, arg) ? { state: { host: arg, group: '', focus: 'resources', logs: { ...ui.logs, anchor: null, source: -1 } }, message: `host ${arg}` } : { error: `no host "${arg}"${didYouMean(arg, data.hostOrder)} (hosts: ${data.hostOrder.join(', ')})` },
  },
  group: {
    usage: 'group NAME | group -',
    summary: 'show every host of a group at once (- for one host again)',
    args: (data) => [...groups(data), '-'],
    run: (arg, { data, ui }) => {
      const logs = { ...ui.logs, anchor: null, source: -1 };
      if (arg === '-' || arg === '') return { state: { group: '', logs }, message: 'group view off' };
      return groups(data).includes(arg) ? { state: { group: arg, logs }, message: `group ${arg}` } : { error: `no group "${arg}"${didYouMean(arg, groups(data))} (groups: ${groups(data).join(', ') || 'none configured'})` };
    },
  },
  pane: {
    usage: 'pane NAME',
    summary: 'focus a pane',
    args: () => [...PANES],
    run: (arg) => ((PANES as readonly string[]).includes(arg) ? { state: { focus: arg as PaneId } } : { error: `no pane "${arg}"${didYouMean(arg, PANES)} (panes: ${PANES.join(', ')})` }),
  },
  refresh: {
    usage: 'refresh DURATION',
    summary: `set the refresh interval (${formatDuration(MIN_REFRESH_MS)} to ${formatDuration(MAX_REFRESH_MS)})`,
    args: () => ['1s', '2s', '5s', '10s'],
    run: (arg, _state, controls) => {
      const ms = parseDuration(arg);
      if (ms === undefined) return { error: `"${arg}" is not a duration (e.g. 500ms, 2s, 1m)` };
      const clamped = clampRefresh(ms);
      controls.setRefresh(clamped);
      return { state: { refreshMs: clamped }, message: clamped !== ms ? refreshLimitText(clamped) : undefined };
    },
  },
  filter: {
    usage: 'filter TEXT',
    summary: 'filter the focused pane (empty to clear)',
    args: NO_ARGS,
    run: (arg, { ui }) => ({ state: { filters: { ...ui.filters, [ui.focus]: arg } } }),
  },
  pause: { usage: 'pause', summary: 'freeze the screen', args: NO_ARGS, run: (_a, { data }) => ({ state: { paused: true, frozen: frozenCopy(data) } }) },
  resume: { usage: 'resume', summary: 'live screen again', args: NO_ARGS, run: () => ({ state: { paused: false, frozen: null } }) },
  abort: {
    usage: 'abort',
    summary: 'stop the operations still running',
    args: NO_ARGS,
    run: (_a, _s, controls) => {
      const stopped = controls.operations.abortAll();
      return stopped > 0 ? { message: `stopping ${stopped} operation${stopped > 1 ? 's' : ''}` } : { error: 'no operation is running' };
    },
  },
  run: {
    usage: 'run ACTION',
    summary: 'run an operator command (actions: in the config) on what is selected, as its key does',
    args: (_data, actions) => [...actions],
    run: (arg, state, controls) => requestAction(arg, state, controls),
  },
  output: {
    usage: 'output',
    summary: "show the last operator command's output again",
    args: NO_ARGS,
    run: (_a, { ui }) => (ui.output ? { state: { overlay: 'output' } } : { error: 'no operator command has run yet' }),
  },
  incident: {
    usage: 'incident start P1..P4 TITLE | incident stop',
    summary: 'open an incident (events and operations are tagged with it) or close the open one',
    args: (data) => (data.incident ? ['stop'] : SEVERITIES.map((s) => `start ${s} `)),
    run: (arg, _state, controls) => {
      const [verb, severity, ...title] = arg.split(/\s+/);
      if (verb === 'stop') {
        void controls.incidents.stop();
        return { message: 'closing the incident…' };
      }
      const level = severity?.toUpperCase() ?? '';
      if (verb !== 'start' || !isSeverity(level) || title.length === 0) return { error: `usage: incident start ${SEVERITIES.join('|')} TITLE (P1 system down … P4 improvement) | incident stop` };
      void controls.incidents.start(level, title.join(' '));
      return { message: `opening a ${level} incident…` };
    },
  },
  report: {
    usage: 'report',
    summary: 'write the postmortem draft of the open (or last) incident',
    args: NO_ARGS,
    run: (_a, _s, controls) => {
      void controls.incidents.report();
      return { message: 'writing the report…' };
    },
  },
  timeline: { usage: 'timeline', summary: 'the lasting timeline, full screen', args: NO_ARGS, run: () => ({ state: { overlay: 'timeline' } }) },
  help: { usage: 'help', summary: 'key and command help', args: NO_ARGS, run: () => ({ state: { overlay: 'help' } }) },
  quit: {
    usage: 'quit',
    summary: 'quit opsdeck',
    args: NO_ARGS,
    run: (_a, _s, controls) => {
      controls.quit();
      return {};
    },
  },
};

const ALIASES: Record<string, string> = { h: 'host', g: 'group', q: 'quit', r: 'refresh', f: 'filter' };

/** An action's key or `:run NAME`: its parameters from the selection, then the executor refuses, asks or runs it. */
export function requestAction(name: string, state: OpsState, controls: Controls): CommandResult {
  const known = [...(controls.actions?.keys() ?? [])];
  const spec = controls.actions?.get(name);
  if (!spec) return { error: name ? `no action "${name}"${didYouMean(name, known)} (${known.length > 0 ? `actions: ${known.join(', ')}` : 'none configured under actions:'})` : `usage: run ACTION (${known.join(', ') || 'no actions configured'})` };
  const built = actionFromSelection(spec, visibleData(state), state.ui);
  if ('error' in built) return { error: built.error };
  controls.operations.request({ kind: 'action.run', params: built.params });
  return {};
}

export function runCommand(line: string, state: OpsState, controls: Controls): CommandResult {
  const trimmed = line.trim();
  if (trimmed === '') return {};
  const space = trimmed.indexOf(' ');
  const word = space < 0 ? trimmed : trimmed.slice(0, space);
  const arg = space < 0 ? '' : trimmed.slice(space + 1).trim();
  // `:logs` is `:pane logs`, as in k9s.
  if ((PANES as readonly string[]).includes(word) && arg === '') return COMMANDS.pane!.run(word, state, controls);
  const name = ALIASES[word] ?? word;
  const command = COMMANDS[name];
  if (!command) {
    // A pane's name takes no argument ("hosts web-1" meant "host web-1"), and a one-letter alias is near every short typo.
    const meant = [...Object.keys(COMMANDS), ...(arg === '' ? PANES : [])].filter((name) => name !== word);
    return { error: `unknown command "${word}"${didYouMean(word, meant)} (commands: ${Object.keys(COMMANDS).join(', ')})` };
  }
  if (arg === '' && command.args(state.data, [...(controls.actions?.keys() ?? [])]).length > 0 && name !== 'group') return { error: `usage: ${command.usage}` };
  return command.run(arg, state, controls);
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let prefix = words[0]!;
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Candidates for what is typed, and the input completed as far as they agree. */
export function complete(input: string, data: DataState, actions: readonly string[] = []): { input: string; candidates: string[] } {
  const space = input.indexOf(' ');
  if (space < 0) {
    const candidates = [...Object.keys(COMMANDS), ...PANES].filter((c) => c.startsWith(input));
    const prefix = commonPrefix(candidates);
    return { input: candidates.length === 1 ? `${prefix} ` : prefix.length > input.length ? prefix : input, candidates };
  }
  const word = input.slice(0, space);
  const command = COMMANDS[ALIASES[word] ?? word];
  const partial = input.slice(space + 1);
  const candidates = (command?.args(data, actions) ?? []).filter((a) => a.startsWith(partial));
  const prefix = commonPrefix(candidates);
  return { input: prefix.length > partial.length ? `${word} ${prefix}` : input, candidates };
}
