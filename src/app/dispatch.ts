// keys -> keymap -> intent: overlays take keys first, then the focused pane's contexts in order. A
// screen intent changes the view here; an operation intent goes to the executor through the controls.
import { databaseRows, selectedDatabaseRow } from './database-rows.js';
import { processRows, selectedProcessRow } from './process-rows.js';
import { COMMAND_HISTORY_LIMIT, complete, requestAction, runCommand, type Controls } from './commands.js';
import { KEY_TABLE, type Intent, type ScreenIntent } from './intents.js';
import { actionOfBinding, contextsFor, type Keymap } from './keymap.js';
import { operationFromSelection, withConfirmedValue, type OperationName } from './operations/registry.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS, refreshLimitText } from './refresh.js';
import { anchorIndex, displayLines, jumpTo } from './logview.js';
import { editLine } from './line-edit.js';
import { outputPanelKey } from './output-panel.js';
import { openQueryDetails, planQueryDetails } from './query-details.js';
import { openDatabaseDetails, rereadDatabaseDetails } from './database-details.js';
import { checkRows, databaseViews, eventRows, hostRows, listLength, selectedEventIndex, serviceRows } from './rows.js';
import { LEVEL_FILTERS } from '../domain/timeline.js';
import { frozenCopy, shownPanes, visibleData, type OpsState, type OpsStore, type PaneId, type UiState } from './store.js';
import { selectedRunbook } from './runbooks.js';

/** Rows each pane shows, as last laid out: page-up/down move by a screenful. */
export type Viewport = Partial<Record<PaneId | 'help' | 'helpMax' | 'output' | 'query' | 'queryMax' | 'details' | 'detailsMax' | 'event' | 'eventMax' | 'timeline' | 'timelineMax', number>>;

const REFRESH_STEPS = [500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

export function resolveIntent(keymap: Keymap, pane: PaneId, key: string): Intent | undefined {
  for (const context of contextsFor(pane)) {
    const binding = keymap[context].get(key);
    if (!binding) continue;
    const action = actionOfBinding(binding);
    return action === undefined ? KEY_TABLE[context][binding]?.intent : { kind: 'action', name: action };
  }
  return undefined;
}

/** The key name of one character of a chunk (a paste, or fast typing that arrived in one read). */
export function charKey(char: string): string {
  if (char === '\r' || char === '\n') return 'enter';
  if (char === '\t') return 'tab';
  if (char === '\u007f' || char === '\b') return 'backspace';
  if (char === ' ') return 'space';
  return char;
}

export function handleKey(store: OpsStore, keymap: Keymap, key: string | undefined, input: string, controls: Controls, viewport: Viewport): void {
  const state = store.getState();
  // Keys typed fast (or pasted) can arrive in one read: a chunk of several characters is each of them
  // in turn, so "6/" focuses Databases then opens the filter, and "yes⏎" answers a prompt.
  if (key === undefined && [...input].length > 1) {
    for (const char of input) handleKey(store, keymap, charKey(char), char, controls, viewport);
    return;
  }
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  switch (state.ui.overlay) {
    case 'help': {
      const line = detailScroll(key, state.ui.helpScroll, viewport.help, viewport.helpMax ?? 0);
      if (line !== undefined) setUi({ helpScroll: line });
      else if (key === 'escape' || key === '?' || key === 'q' || key === 'enter') setUi({ overlay: 'none', helpScroll: 0 });
      return;
    }
    case 'command':
      editCommand(store, key, input, controls);
      return;
    case 'filter':
      editFilter(store, key, input);
      return;
    case 'confirm':
      answerConfirm(store, key, input, controls);
      return;
    case 'output':
      if (outputPanelKey(store, key, Math.max(1, (viewport.output ?? 10) - 1))) return;
      break;
    case 'query':
      queryDetailsKey(store, key, controls, viewport);
      return;
    case 'timeline':
      timelineKey(store, key, input, viewport);
      return;
    case 'database':
      databaseDetailsKey(store, key, controls, viewport);
      return;
    case 'event':
      eventDetailsKey(store, key, viewport);
      return;
    default:
      break;
  }
  if (key === undefined) return;
  const intent = resolveIntent(keymap, state.ui.focus, key);
  if (intent?.kind === 'operation') requestOperation(store, intent.name, controls);
  else if (intent?.kind === 'action') {
    const result = requestAction(intent.name, store.getState(), controls);
    if (result.error) setMessage(store, result.error, 'error');
  } else if (intent) runScreenIntent(store, intent.name, controls, viewport);
}

/** An operation key: built from what is selected, then the executor refuses, asks or runs it. */
function requestOperation(store: OpsStore, name: OperationName, controls: Controls): void {
  const { data, ui } = store.getState();
  const built = operationFromSelection(name, ui.frozen ?? data, ui);
  // On a read-only screen "select one first" would only lead to the refusal: say that at once.
  if ('error' in built) setMessage(store, controls.operations.refusesKind(name) ?? built.error, 'error');
  else controls.operations.request(built);
}

function setMessage(store: OpsStore, text: string, level: 'info' | 'error' = 'info'): void {
  store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text, level, at: Date.now() } } }));
}

/** Tab order over the panes that have something to show (Databases only when there are databases, Alerts with an Alertmanager). */
function focusBy(state: OpsState, step: number): PaneId {
  const panes = shownPanes(state.data, state.ui.focus);
  const index = panes.indexOf(state.ui.focus);
  return panes[(index + step + panes.length) % panes.length]!;
}

function changeRefresh(store: OpsStore, controls: Controls, direction: 1 | -1): void {
  const current = store.getState().ui.refreshMs;
  const next =
    direction > 0 ? (REFRESH_STEPS.find((s) => s > current) ?? MAX_REFRESH_MS) : ([...REFRESH_STEPS].reverse().find((s) => s < current) ?? MIN_REFRESH_MS);
  controls.setRefresh(next);
  // At a limit a key takes it no further: say so (elsewhere the status line shows the new refresh).
  const limit = next === current ? refreshLimitText(next) : undefined;
  store.setState((s) => ({ ...s, ui: { ...s.ui, refreshMs: next, ...(limit ? { message: { text: limit, level: 'info' as const, at: Date.now() } } : {}) } }));
}

export function runScreenIntent(store: OpsStore, intent: ScreenIntent, controls: Controls, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  switch (intent) {
    case 'quit':
      controls.quit();
      return;
    case 'help':
      setUi({ overlay: 'help' });
      return;
    case 'open-runbook': {
      const found = selectedRunbook(controls.runbooks.index, visibleData(state), ui);
      if ('error' in found) setMessage(store, found.error, 'error');
      else controls.runbooks.open(found.what, found.runbook);
      return;
    }
    case 'focus-next':
      setUi({ focus: focusBy(state, 1) });
      return;
    case 'focus-prev':
      setUi({ focus: focusBy(state, -1) });
      return;
    case 'zoom':
      setUi({ zoomed: !ui.zoomed });
      return;
    case 'command':
      setUi({ overlay: 'command', input: '', completions: [], historyIndex: -1 });
      return;
    case 'filter':
      setUi({ overlay: 'filter', input: ui.filters[ui.focus] });
      return;
    case 'back':
      back(store);
      return;
    case 'refresh-slower':
      changeRefresh(store, controls, 1);
      return;
    case 'refresh-faster':
      changeRefresh(store, controls, -1);
      return;
    case 'pause':
      setUi(ui.paused ? { paused: false, frozen: null } : { paused: true, frozen: frozenCopy(state.data) });
      return;
    case 'pane-hosts':
    case 'pane-resources':
    case 'pane-services':
    case 'pane-logs':
    case 'pane-events':
    case 'pane-databases':
    case 'pane-alerts':
      setUi({ focus: PANE_OF[intent] });
      return;
    case 'up':
    case 'down':
    case 'page-up':
    case 'page-down':
    case 'top':
    case 'bottom':
      if (ui.focus === 'logs') logIntent(store, intent, viewport);
      else listIntent(store, intent, viewport);
      return;
    case 'select':
      if (ui.focus === 'services') openUnitLog(store);
      else if (ui.focus === 'events') openEventDetails(store);
      else if (ui.focus === 'databases' && ui.databaseView === 'activity') {
        const problem = openQueryDetails(store, controls.queries);
        if (problem) setMessage(store, problem, 'error');
      } else selectHost(store);
      return;
    case 'follow':
    case 'next-error':
    case 'prev-error':
    case 'next-warning':
    case 'prev-warning':
    case 'timestamps':
    case 'wrap':
    case 'next-source':
      logIntent(store, intent, viewport);
      return;
    case 'sort-hosts':
      // The rows change order under the cursor: it starts again at the top (the worst host).
      setUi({ hostSort: ui.hostSort === 'worst' ? 'config' : 'worst', cursor: { ...ui.cursor, hosts: 0 } });
      return;
    case 'details': {
      const problem = openDatabaseDetails(store, controls.queries);
      if (problem) setMessage(store, problem, 'error');
      return;
    }
    case 'checks':
      setUi({ hostsView: ui.hostsView === 'checks' ? 'hosts' : 'checks', cursor: { ...ui.cursor, hosts: 0 } });
      return;
    case 'timeline':
      setUi({ overlay: 'timeline', timeline: { ...ui.timeline, back: 0, editing: false } });
      return;
    case 'incident':
      // The `:` line, filled in: the operator types the title (and may change the severity), or confirms the close with Enter.
      setUi({ overlay: 'command', input: state.data.incident ? 'incident stop' : 'incident start P3 ', completions: [], historyIndex: -1 });
      return;
    case 'report':
      setMessage(store, 'writing the report…');
      void controls.incidents.report();
      return;
    case 'backups':
      // The two views list different rows: the cursor starts again at the top.
      setUi({ databaseView: ui.databaseView === 'backups' ? 'activity' : 'backups', cursor: { ...ui.cursor, databases: 0 } });
      return;
    default:
      return intent satisfies never;
  }
}

const PANE_OF = { 'pane-hosts': 'hosts', 'pane-resources': 'resources', 'pane-services': 'services', 'pane-logs': 'logs', 'pane-events': 'events', 'pane-databases': 'databases', 'pane-alerts': 'alerts' } as const satisfies Record<string, PaneId>;

function back(store: OpsStore): void {
  const { ui } = store.getState();
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  if (ui.message) setUi({ message: null });
  if (ui.filters[ui.focus] !== '') setUi({ filters: { ...ui.filters, [ui.focus]: '' } });
  else if (ui.focus === 'logs' && ui.unitLog) setUi({ focus: 'services', unitLog: null, logs: { ...ui.logs, anchor: null, source: -1 } });
  else if (ui.zoomed) setUi({ zoomed: false });
  else if (ui.group) setUi({ group: '' });
  else if (ui.focus !== 'hosts') setUi({ focus: 'hosts' });
}

type MoveIntent = Extract<ScreenIntent, 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom'>;

function listIntent(store: OpsStore, intent: MoveIntent, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const data = ui.frozen ?? state.data;
  const pane = ui.focus;
  const length = listLength(pane, data, ui);
  const page = Math.max(1, (viewport[pane] ?? 10) - 1);
  const processes = pane === 'resources' ? processRows(data, ui) : undefined;
  const activity = pane === 'databases' && ui.databaseView === 'activity';
  const current =
    activity
      ? selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui).index
      : pane === 'events'
        ? selectedEventIndex(eventRows(data, ui), ui)
        : processes
          ? selectedProcessRow(processes.host, processes.rows, ui).index
          : Math.min(ui.cursor[pane], Math.max(0, length - 1));
  const moves: Record<MoveIntent, number> = { up: current - 1, down: current + 1, 'page-up': current - page, 'page-down': current + page, top: 0, bottom: length - 1 };
  const cursor = Math.max(0, Math.min(length - 1, moves[intent]));
  const picked = activity ? databaseRows(databaseViews(data), ui.filters.databases)[cursor] : undefined;
  const process = processes?.rows[cursor];
  // Back on the newest event the cursor follows new ones again; anywhere else it holds its event.
  const event = pane === 'events' ? (cursor === 0 ? null : (eventRows(data, ui)[cursor]?.id ?? null)) : ui.eventSelection;
  store.setState((s) => ({
    ...s,
    ui: {
      ...s.ui,
      cursor: { ...s.ui.cursor, [pane]: Math.max(0, cursor) },
      databaseSelection: picked ? { database: picked.database, pid: picked.pid } : s.ui.databaseSelection,
      processSelection: process && processes ? { host: processes.host, pid: process.pid } : s.ui.processSelection,
      eventSelection: event,
    },
  }));
}

/** Enter on a Hosts row (or a check in the Checks view: its host): that host in Resources, Services and Logs. */
function selectHost(store: OpsStore): void {
  const state = store.getState();
  const { ui } = state;
  if (ui.focus !== 'hosts') return;
  const data = ui.frozen ?? state.data;
  const name = ui.hostsView === 'checks' ? checkRows(data, ui.filters.hosts)[ui.cursor.hosts]?.check.host : hostRows(data, ui)[Math.min(ui.cursor.hosts, Math.max(0, hostRows(data, ui).length - 1))]?.host.name;
  if (name && data.hosts[name]) store.setState((s) => ({ ...s, ui: { ...s.ui, host: name, group: '', focus: 'resources', logs: { ...s.ui.logs, anchor: null, source: -1 } } }));
}

/** Enter on a unit in Services: its log in Logs, the lazydocker and k9s habit; Esc comes back. */
function openUnitLog(store: OpsStore): void {
  const state = store.getState();
  const { ui } = state;
  const rows = serviceRows(ui.frozen ?? state.data, ui);
  const row = rows[Math.min(ui.cursor.services, Math.max(0, rows.length - 1))];
  if (!row) {
    setMessage(store, 'no unit selected: move onto one in the Services pane', 'error');
    return;
  }
  store.setState((s) => ({ ...s, ui: { ...s.ui, focus: 'logs', unitLog: { host: row.host, unit: row.unit.name }, logs: { ...s.ui.logs, anchor: null, source: -1 } } }));
}

/** Enter on an Events row: the whole event, where the row cuts its message to one line; Esc comes back. */
function openEventDetails(store: OpsStore): void {
  const { data, ui } = store.getState();
  const rows = eventRows(ui.frozen ?? data, ui);
  const event = rows[selectedEventIndex(rows, ui)];
  if (!event) {
    setMessage(store, 'no event selected', 'error');
    return;
  }
  store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'event', eventDetails: { event, scroll: 0 } } }));
}

/** j/k, pages and g/G in a details view: the first line to show, or undefined for any other key. */
function detailScroll(key: string | undefined, scroll: number, visible: number | undefined, max: number): number | undefined {
  const page = Math.max(1, (visible ?? 10) - 1);
  const steps: Record<string, number> = { j: 1, down: 1, k: -1, up: -1, pagedown: page, space: page, pageup: -page, 'ctrl+f': page, 'ctrl+b': -page };
  if (key !== undefined && key in steps) return Math.max(0, Math.min(max, scroll + steps[key]!));
  if (key === 'g' || key === 'home') return 0;
  if (key === 'G' || key === 'end') return max;
  return undefined;
}

/** Keys in the query details view: e plans, j/k and pages scroll, Esc (or q, Enter) goes back. */
function queryDetailsKey(store: OpsStore, key: string | undefined, controls: Controls, viewport: Viewport): void {
  const { ui } = store.getState();
  if (!ui.query) return;
  const line = detailScroll(key, ui.query.scroll, viewport.query, viewport.queryMax ?? 0);
  if (key === 'e') planQueryDetails(store, controls.queries);
  else if (line !== undefined) store.setState((s) => (s.ui.query ? { ...s, ui: { ...s.ui, query: { ...s.ui.query, scroll: line } } } : s));
  else if (key === 'escape' || key === 'q' || key === 'enter') store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none', query: null } }));
}

/** Keys in the event details view: j/k and pages scroll a long message, Esc (or q, Enter) goes back to Events. */
function eventDetailsKey(store: OpsStore, key: string | undefined, viewport: Viewport): void {
  const { ui } = store.getState();
  if (!ui.eventDetails) return;
  const line = detailScroll(key, ui.eventDetails.scroll, viewport.event, viewport.eventMax ?? 0);
  if (line !== undefined) store.setState((s) => (s.ui.eventDetails ? { ...s, ui: { ...s.ui, eventDetails: { ...s.ui.eventDetails, scroll: line } } } : s));
  else if (key === 'escape' || key === 'q' || key === 'enter') store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none', eventDetails: null } }));
}

/** The full-screen timeline: scroll, cycle the host and level filters, type a text filter. */
function timelineKey(store: OpsStore, key: string | undefined, input: string, viewport: Viewport): void {
  const state = store.getState();
  const t = state.ui.timeline;
  const set = (patch: Partial<UiState['timeline']>) => store.setState((s) => ({ ...s, ui: { ...s.ui, timeline: { ...s.ui.timeline, ...patch } } }));
  if (t.editing) {
    if (key === 'enter') set({ editing: false });
    else if (key === 'escape') set({ editing: false, text: '' });
    else {
      const text = editLine(t.text, key, input);
      if (text !== undefined) set({ text, back: 0 });
    }
    return;
  }
  const page = Math.max(1, (viewport.timeline ?? 10) - 1);
  const max = viewport.timelineMax ?? 0;
  const steps: Record<string, number> = { k: 1, up: 1, j: -1, down: -1, pageup: page, 'ctrl+b': page, pagedown: -page, 'ctrl+f': -page, space: -page };
  if (key !== undefined && key in steps) set({ back: Math.max(0, Math.min(max, t.back + steps[key]!)) });
  else if (key === 'g' || key === 'home') set({ back: max });
  else if (key === 'G' || key === 'end') set({ back: 0 });
  else if (key === 'h') set({ host: nextOf(timelineHosts(state.data), t.host), back: 0 });
  else if (key === 'l') set({ level: nextOf(LEVEL_FILTERS, t.level), back: 0 });
  else if (key === '/') set({ editing: true });
  else if (key === 'escape' || key === 'q' || key === 'ctrl+t') store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none' } }));
}

/** The hosts the host filter cycles through: '' (every host), then each host with events. */
export function timelineHosts(data: OpsState['data']): string[] {
  return ['', ...new Set([...data.hostOrder, ...data.events.map((e) => e.host)])];
}

const nextOf = <T>(list: readonly T[], current: T): T => list[(list.indexOf(current) + 1) % list.length]!;

/** Keys in the database details view: r reads again, n the next PostgreSQL database, j/k scroll, Esc back. */
function databaseDetailsKey(store: OpsStore, key: string | undefined, controls: Controls, viewport: Viewport): void {
  const { ui } = store.getState();
  const view = ui.databaseDetails;
  if (!view) return;
  const line = detailScroll(key, view.scroll, viewport.details, viewport.detailsMax ?? 0);
  if (key === 'r') rereadDatabaseDetails(store, controls.queries, 'same');
  else if (key === 'n') rereadDatabaseDetails(store, controls.queries, 'next');
  else if (line !== undefined) store.setState((s) => (s.ui.databaseDetails ? { ...s, ui: { ...s.ui, databaseDetails: { ...s.ui.databaseDetails, scroll: line } } } : s));
  else if (key === 'escape' || key === 'q' || key === 'i') store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none', databaseDetails: null } }));
}

type LogIntent = MoveIntent | Extract<ScreenIntent, 'follow' | 'next-error' | 'prev-error' | 'next-warning' | 'prev-warning' | 'timestamps' | 'wrap' | 'next-source'>;

function logIntent(store: OpsStore, intent: LogIntent, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const data = ui.frozen ?? state.data;
  const { lines, sources } = displayLines(data, ui);
  const setLogs = (patch: Partial<UiState['logs']>) => store.setState((s) => ({ ...s, ui: { ...s.ui, logs: { ...s.ui.logs, ...patch } } }));
  const at = anchorIndex(lines, ui.logs.anchor);
  const page = Math.max(1, (viewport.logs ?? 10) - 1);
  // j/k and the pages move the anchor and keep where it sits: after a jump the window moves with it.
  const jumped = ui.logs.anchor !== null && ui.logs.jumped;
  const anchorAt = (index: number, placed = jumped) => {
    if (lines.length === 0) return;
    const clamped = Math.max(0, Math.min(lines.length - 1, index));
    setLogs({ anchor: clamped === lines.length - 1 && ui.logs.anchor === null ? null : (lines.at(clamped)?.seq ?? null), jumped: placed });
  };
  const jump = (level: 'error' | 'warn', direction: 1 | -1) => {
    const seq = jumpTo(lines, ui.logs.anchor, level, direction);
    if (seq === undefined) setMessage(store, `no ${direction > 0 ? 'later' : 'earlier'} ${level === 'error' ? 'error' : 'warning'}${ui.filters.logs ? ' in the filtered lines' : ''}`);
    else setLogs({ anchor: seq, jumped: true });
  };
  switch (intent) {
    case 'up':
      anchorAt(at - 1);
      return;
    case 'down':
      anchorAt(at + 1);
      return;
    case 'page-up':
      anchorAt(at - page);
      return;
    case 'page-down':
      anchorAt(at + page);
      return;
    case 'top':
      // The first line is the one selected (the window shows the first page around it), so the
      // jumps go on from the top, past nothing on screen.
      anchorAt(0, false);
      return;
    case 'bottom':
      setLogs({ anchor: null });
      return;
    case 'follow':
      setLogs({ anchor: ui.logs.anchor === null ? (lines.at(-1)?.seq ?? 0) : null, jumped: false });
      return;
    case 'next-error':
      jump('error', 1);
      return;
    case 'prev-error':
      jump('error', -1);
      return;
    case 'next-warning':
      jump('warn', 1);
      return;
    case 'prev-warning':
      jump('warn', -1);
      return;
    case 'timestamps':
      setLogs({ timestamps: !ui.logs.timestamps });
      return;
    case 'wrap':
      setLogs({ wrap: !ui.logs.wrap });
      return;
    case 'next-source': {
      const next = ui.logs.source + 1 >= sources.length ? -1 : ui.logs.source + 1;
      setLogs({ source: next });
      setMessage(store, next < 0 ? 'all log sources merged' : `log source: ${sources[next]!.host} ${sources[next]!.label}`);
      return;
    }
    default:
      return intent satisfies never;
  }
}

function editFilter(store: OpsStore, key: string | undefined, input: string): void {
  const { ui } = store.getState();
  const apply = (text: string, overlay: UiState['overlay']) =>
    store.setState((s) => ({ ...s, ui: { ...s.ui, input: text, overlay, filters: { ...s.ui.filters, [s.ui.focus]: text }, cursor: { ...s.ui.cursor, [s.ui.focus]: 0 } } }));
  if (key === 'enter') apply(ui.input, 'none');
  else if (key === 'escape') apply('', 'none');
  else {
    const text = editLine(ui.input, key, input);
    if (text !== undefined) apply(text, 'filter');
  }
}

function editCommand(store: OpsStore, key: string | undefined, input: string, controls: Controls): void {
  const state = store.getState();
  const { ui } = state;
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  switch (key) {
    case 'escape':
      setUi({ overlay: 'none', input: '', completions: [] });
      return;
    case 'tab': {
      const { input: completed, candidates } = complete(ui.input, state.data, [...(controls.actions?.keys() ?? [])]);
      setUi({ input: completed, completions: candidates.length > 1 ? candidates : [] });
      return;
    }
    case 'up':
    case 'down': {
      if (ui.history.length === 0) return;
      const index = key === 'up' ? Math.min(ui.history.length - 1, ui.historyIndex + 1) : Math.max(-1, ui.historyIndex - 1);
      setUi({ historyIndex: index, input: index < 0 ? '' : ui.history[ui.history.length - 1 - index]! });
      return;
    }
    case 'enter': {
      const line = ui.input.trim();
      const history = line && ui.history[ui.history.length - 1] !== line ? [...ui.history, line].slice(-COMMAND_HISTORY_LIMIT) : ui.history;
      setUi({ overlay: 'none', input: '', completions: [], history, historyIndex: -1 });
      if (line) controls.rememberCommand(line).catch((error: unknown) => setMessage(store, `command history not saved: ${error instanceof Error ? error.message : String(error)}`, 'error'));
      const standing = store.getState().ui.message;
      const result = runCommand(line, store.getState(), controls);
      if (result.state) setUi(result.state);
      if (result.error) setUi({ message: { text: result.error, level: 'error', at: Date.now(), fromCommand: true } });
      else if (result.message) setMessage(store, result.message);
      // An earlier command's error, still up, would read as this one's.
      else if (standing?.fromCommand && store.getState().ui.message === standing) setUi({ message: null });
      return;
    }
    default: {
      const text = editLine(ui.input, key, input);
      if (text !== undefined) setUi({ input: text, completions: [] });
    }
  }
}

/**
 * y/Enter confirms (for a typed confirmation, Enter once the word is typed; for one that takes a value,
 * y or Enter on an empty line keeps the default, else Enter takes what was typed); n/Esc cancels.
 */
function answerConfirm(store: OpsStore, key: string | undefined, input: string, controls: Controls): void {
  const { ui } = store.getState();
  const pending = ui.confirm;
  if (!pending) return;
  const { title } = pending.description;
  const close = (message: string | null) =>
    store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none', confirm: null, input: '', message: message ? { text: message, level: 'info', at: Date.now() } : s.ui.message } }));
  const go = (operation = pending.operation) => {
    close(null);
    void controls.operations.start(operation);
  };
  const { confirmation } = pending;
  const typing = confirmation.kind === 'typed' || (confirmation.kind === 'value' && ui.input !== '');
  if (key === 'escape' || (!typing && (key === 'n' || key === 'q'))) {
    close(`cancelled: ${title}`);
    return;
  }
  if (!typing && (key === 'y' || key === 'enter')) {
    go();
    return;
  }
  if (key === 'enter') {
    if (confirmation.kind === 'typed') {
      if (ui.input === confirmation.word) go();
      else setMessage(store, `type "${confirmation.word}" to confirm, Esc to cancel`, 'error');
      return;
    }
    const operation = withConfirmedValue(pending.operation, ui.input);
    if ('error' in operation) setMessage(store, operation.error, 'error');
    else go(operation);
  } else if (confirmation.kind !== 'yes') {
    const text = editLine(ui.input, key, input);
    if (text !== undefined) store.setState((s) => ({ ...s, ui: { ...s.ui, input: text } }));
  }
}
