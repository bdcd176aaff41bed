// keys -> keymap -> action: overlays take keys first, then the focused pane's context, then global.
import { formatDuration } from '../domain/duration.js';
import { performAction, requestAction, type PendingAction } from './actions.js';
import { databaseRows, selectedDatabaseRow } from './database-rows.js';
import { complete, runCommand, type CommandControls } from './commands.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS } from './config/resolve.js';
import type { KeyContext, Keymap } from './keymap.js';
import { bottomIndex, displayLines, jumpTo } from './logview.js';
import { databaseViews, eventRows, hostRows, listLength, selectedEventIndex } from './rows.js';
import { PANES, type OpsState, type OpsStore, type PaneId, type UiState } from './store.js';

export type Controls = CommandControls;

/** Rows each pane shows, as last laid out: page-up/down move by a screenful. */
export type Viewport = Partial<Record<PaneId | 'help' | 'helpMax', number>>;

const REFRESH_STEPS = [500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
const HISTORY_LIMIT = 100;

export function contextsFor(pane: PaneId): KeyContext[] {
  if (pane === 'logs') return ['logs', 'list', 'global'];
  if (pane === 'hosts') return ['hosts', 'list', 'global'];
  if (pane === 'databases') return ['databases', 'list', 'global'];
  return ['list', 'global'];
}

export function resolveAction(keymap: Keymap, pane: PaneId, key: string): string | undefined {
  for (const context of contextsFor(pane)) {
    const action = keymap[context].get(key);
    if (action) return action;
  }
  return undefined;
}

/** The key name of one character of a chunk (a paste, or fast typing that arrived in one read). */
function charKey(char: string): string {
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
      const page = Math.max(1, (viewport.help ?? 10) - 1);
      const steps: Record<string, number> = { j: 1, down: 1, k: -1, up: -1, pagedown: page, space: page, pageup: -page };
      if (key !== undefined && key in steps) setUi({ helpScroll: Math.max(0, Math.min(viewport.helpMax ?? 0, state.ui.helpScroll + steps[key]!)) });
      else if (key === 'g' || key === 'home') setUi({ helpScroll: 0 });
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
    default:
      break;
  }
  if (key === undefined) return;
  const action = resolveAction(keymap, state.ui.focus, key);
  if (action) runAction(store, action, controls, viewport);
}

function setMessage(store: OpsStore, text: string, level: 'info' | 'error' = 'info'): void {
  store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text, level, at: Date.now() } } }));
}

/** Tab order over the panes that have something to show (Databases only when there are databases). */
function focusBy(state: OpsState, step: number): PaneId {
  const panes = PANES.filter((p) => p !== 'databases' || Object.keys(state.data.databases).length > 0 || state.ui.focus === 'databases');
  const index = panes.indexOf(state.ui.focus);
  return panes[(index + step + panes.length) % panes.length]!;
}

function changeRefresh(store: OpsStore, controls: Controls, direction: 1 | -1): void {
  const current = store.getState().ui.refreshMs;
  const next =
    direction > 0 ? (REFRESH_STEPS.find((s) => s > current) ?? MAX_REFRESH_MS) : ([...REFRESH_STEPS].reverse().find((s) => s < current) ?? MIN_REFRESH_MS);
  controls.setRefresh(next);
  store.setState((s) => ({ ...s, ui: { ...s.ui, refreshMs: next, message: { text: `refresh ${formatDuration(next)}`, level: 'info', at: Date.now() } } }));
}

export function runAction(store: OpsStore, action: string, controls: Controls, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  switch (action) {
    case 'quit':
      controls.quit();
      return;
    case 'help':
      setUi({ overlay: 'help' });
      return;
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
      setUi(ui.paused ? { paused: false, frozen: null } : { paused: true, frozen: state.data });
      return;
    default:
      break;
  }
  if (action.startsWith('pane-')) {
    setUi({ focus: action.slice(5) as PaneId });
    return;
  }
  if (ui.focus === 'logs') logAction(store, action, viewport);
  else if (action === 'trust-key') trustKey(store, controls);
  else if (action === 'reconnect') reconnect(store, controls);
  else if (action === 'cancel-query' || action === 'terminate-query') databaseAction(store, action === 'cancel-query' ? 'cancel' : 'terminate', controls);
  else listAction(store, action, viewport);
}

function reconnect(store: OpsStore, controls: Controls): void {
  const state = store.getState();
  const row = hostRows(state.ui.frozen ?? state.data, state.ui)[state.ui.cursor.hosts];
  if (!row) return;
  setMessage(store, controls.reconnect(row.host.name) ? `${row.host.name}: reconnecting now` : `${row.host.name}: not an SSH host`, 'info');
}

/** T on a host whose key was refused: show the fingerprint(s), and file the key only on a typed yes. */
function trustKey(store: OpsStore, controls: Controls): void {
  const state = store.getState();
  const data = state.ui.frozen ?? state.data;
  const row = hostRows(data, state.ui)[state.ui.cursor.hosts];
  const connection = row?.host.connection;
  if (!row || connection?.status !== 'hostkey-refused' || !connection.fingerprint) {
    setMessage(store, row ? `${row.host.name}: no refused host key to trust` : 'no host selected', 'error');
    return;
  }
  const { offered, known } = connection.fingerprint;
  const name = row.host.name;
  requestAction(store, {
    title: `trust the SSH host key of ${name} (${row.host.address})`,
    lines: known
      ? [`THE KEY CHANGED. known_hosts has: ${known}`, `the host now offers:   ${offered}`, 'Trust it only if the host was reinstalled and its owner confirmed this fingerprint.']
      : [`the host offers: ${offered}`, 'Compare it with the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it.'],
    typed: 'yes',
    host: name,
    local: true,
    run: async () => {
      await controls.trustHostKey(name);
      return { ok: true, message: `${name}: host key ${offered} trusted, reconnecting` };
    },
  });
}

function back(store: OpsStore): void {
  const { ui } = store.getState();
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  if (ui.message) setUi({ message: null });
  if (ui.filters[ui.focus] !== '') setUi({ filters: { ...ui.filters, [ui.focus]: '' } });
  else if (ui.zoomed) setUi({ zoomed: false });
  else if (ui.group) setUi({ group: '' });
  else if (ui.focus !== 'hosts') setUi({ focus: 'hosts' });
}

function listAction(store: OpsStore, action: string, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const data = ui.frozen ?? state.data;
  const pane = ui.focus;
  const length = listLength(pane, data, ui);
  const page = Math.max(1, (viewport[pane] ?? 10) - 1);
  const current =
    pane === 'databases'
      ? selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui).index
      : pane === 'events'
        ? selectedEventIndex(eventRows(data, ui), ui)
        : Math.min(ui.cursor[pane], Math.max(0, length - 1));
  const moves: Record<string, number> = { up: current - 1, down: current + 1, 'page-up': current - page, 'page-down': current + page, top: 0, bottom: length - 1 };
  if (action in moves) {
    const cursor = Math.max(0, Math.min(length - 1, moves[action]!));
    const picked = pane === 'databases' ? databaseRows(databaseViews(data), ui.filters.databases)[cursor] : undefined;
    // Back on the newest event the cursor follows new ones again; anywhere else it holds its event.
    const event = pane === 'events' ? (cursor === 0 ? null : (eventRows(data, ui)[cursor]?.id ?? null)) : ui.eventSelection;
    store.setState((s) => ({
      ...s,
      ui: {
        ...s.ui,
        cursor: { ...s.ui.cursor, [pane]: Math.max(0, cursor) },
        databaseSelection: picked ? { database: picked.database, pid: picked.pid } : s.ui.databaseSelection,
        eventSelection: event,
      },
    }));
    return;
  }
  if (action === 'select' && pane === 'hosts') {
    const row = hostRows(data, ui)[current];
    if (row) store.setState((s) => ({ ...s, ui: { ...s.ui, host: row.host.name, group: '', focus: 'resources', logs: { ...s.ui.logs, anchor: null, source: -1 } } }));
  }
}

function logAction(store: OpsStore, action: string, viewport: Viewport): void {
  const state = store.getState();
  const { ui } = state;
  const data = ui.frozen ?? state.data;
  const { lines, sources } = displayLines(data, ui);
  const setLogs = (patch: Partial<UiState['logs']>) => store.setState((s) => ({ ...s, ui: { ...s.ui, logs: { ...s.ui.logs, ...patch } } }));
  const bottom = bottomIndex(lines, ui.logs.anchor);
  const page = Math.max(1, (viewport.logs ?? 10) - 1);
  const anchorAt = (index: number) => {
    if (lines.length === 0) return;
    const clamped = Math.max(0, Math.min(lines.length - 1, index));
    setLogs({ anchor: clamped === lines.length - 1 && ui.logs.anchor === null ? null : lines[clamped]!.seq });
  };
  const jump = (level: 'error' | 'warn', direction: 1 | -1) => {
    const seq = jumpTo(lines, ui.logs.anchor, level, direction);
    if (seq === undefined) setMessage(store, `no ${direction > 0 ? 'later' : 'earlier'} ${level === 'error' ? 'error' : 'warning'}${ui.filters.logs ? ' in the filtered lines' : ''}`);
    else setLogs({ anchor: seq });
  };
  switch (action) {
    case 'up':
      anchorAt(bottom - 1);
      return;
    case 'down':
      anchorAt(bottom + 1);
      return;
    case 'page-up':
      anchorAt(bottom - page);
      return;
    case 'page-down':
      anchorAt(bottom + page);
      return;
    case 'top':
      anchorAt(Math.min(lines.length - 1, page));
      return;
    case 'bottom':
      setLogs({ anchor: null });
      return;
    case 'follow':
      setLogs({ anchor: ui.logs.anchor === null ? (lines[lines.length - 1]?.seq ?? 0) : null });
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
      return;
  }
}

function editFilter(store: OpsStore, key: string | undefined, input: string): void {
  const { ui } = store.getState();
  const apply = (text: string, overlay: UiState['overlay']) =>
    store.setState((s) => ({ ...s, ui: { ...s.ui, input: text, overlay, filters: { ...s.ui.filters, [s.ui.focus]: text }, cursor: { ...s.ui.cursor, [s.ui.focus]: 0 } } }));
  if (key === 'enter') apply(ui.input, 'none');
  else if (key === 'escape') apply('', 'none');
  else if (key === 'backspace') apply(ui.input.slice(0, -1), 'filter');
  else if (isText(key, input)) apply(ui.input + input, 'filter');
}

function isText(key: string | undefined, input: string): boolean {
  return input.length > 0 && (key === undefined || key === 'space' || [...input].length === 1) && !/[\u0000-\u001f\u007f]/.test(input) && !(key?.startsWith('ctrl+') ?? false);
}

function editCommand(store: OpsStore, key: string | undefined, input: string, controls: Controls): void {
  const state = store.getState();
  const { ui } = state;
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  switch (key) {
    case 'escape':
      setUi({ overlay: 'none', input: '', completions: [] });
      return;
    case 'backspace':
      setUi({ input: ui.input.slice(0, -1), completions: [] });
      return;
    case 'tab': {
      const { input: completed, candidates } = complete(ui.input, state.data);
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
      const history = line && ui.history[ui.history.length - 1] !== line ? [...ui.history, line].slice(-HISTORY_LIMIT) : ui.history;
      setUi({ overlay: 'none', input: '', completions: [], history, historyIndex: -1 });
      const result = runCommand(line, store.getState(), controls);
      if (result.state) setUi(result.state);
      if (result.error) setMessage(store, result.error, 'error');
      else if (result.message) setMessage(store, result.message);
      return;
    }
    default:
      if (isText(key, input)) setUi({ input: ui.input + input, completions: [] });
  }
}

/** y/Enter confirms (or, for a typed confirmation, Enter once the word is typed); n/Esc cancels. */
function answerConfirm(store: OpsStore, key: string | undefined, input: string, controls: Controls): void {
  const { ui } = store.getState();
  const action = ui.confirm;
  if (!action) return;
  const close = (message: string | null) =>
    store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'none', confirm: null, input: '', message: message ? { text: message, level: 'info', at: Date.now() } : s.ui.message } }));
  const go = () => {
    close(null);
    void performAction(store, action, (event) => controls.record(event));
  };
  if (key === 'escape' || (action.typed === undefined && (key === 'n' || key === 'q'))) {
    close(`cancelled: ${action.title}`);
    return;
  }
  if (action.typed === undefined) {
    if (key === 'y' || key === 'enter') go();
    return;
  }
  if (key === 'enter') {
    if (ui.input === action.typed) go();
    else store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text: `type "${action.typed}" to confirm, Esc to cancel`, level: 'error', at: Date.now() } } }));
  } else if (key === 'backspace') store.setState((s) => ({ ...s, ui: { ...s.ui, input: s.ui.input.slice(0, -1) } }));
  else if (isText(key, input)) store.setState((s) => ({ ...s, ui: { ...s.ui, input: s.ui.input + input } }));
}

/** c / K on a query in the Databases pane: what it is, then a yes (cancel) or its pid typed (terminate). */
function databaseAction(store: OpsStore, operation: 'cancel' | 'terminate', controls: Controls): void {
  const state = store.getState();
  const data = state.ui.frozen ?? state.data;
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), state.ui.filters.databases), state.ui);
  if (!row) {
    setMessage(store, 'no query selected: move onto one in the Databases pane', 'error');
    return;
  }
  const what = row.kind === 'redis' ? 'client' : operation === 'cancel' ? 'query' : 'session';
  const action: PendingAction = {
    title: `${operation} ${what} ${row.pid} on ${row.database}`,
    lines: [`${row.user}@${row.db} · ${row.state || 'active'} · running ${formatDuration(row.durationSec * 1000)}${row.wait ? ` · waiting ${row.wait}` : ''}`, row.query || '(no query text)'],
    typed: operation === 'terminate' ? String(row.pid) : undefined,
    host: data.databases[row.database]?.host ?? 'local',
    run: () => controls.adminDatabase(row.database, row.pid, operation),
    // A refusal on a read-only screen is still written to the audit log by the service.
    refused: () => {
      controls.adminDatabase(row.database, row.pid, operation).catch((error: Error) => setMessage(store, `audit log: ${error.message}`, 'error'));
    },
  };
  requestAction(store, action);
}
