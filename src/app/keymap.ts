// Key bindings are data (keymaps/default.yaml, overridable under `keys:`); this module merges them and
// reports conflicts and unknown names. No I/O: panes use it. src/hooks/keys.ts names ink's keypresses.
import { closest } from 'fastest-levenshtein';

export const KEY_CONTEXTS = ['global', 'list', 'hosts', 'databases', 'logs'] as const;
export type KeyContext = (typeof KEY_CONTEXTS)[number];

/** Every action a key can trigger, with the line the help overlay shows for it. */
export const ACTIONS: Record<KeyContext, Record<string, string>> = {
  global: {
    quit: 'quit opsdeck',
    help: 'this help',
    'focus-next': 'focus the next pane',
    'focus-prev': 'focus the previous pane',
    zoom: 'zoom the focused pane (again to unzoom)',
    command: 'command line (host, pane, refresh, filter, group…)',
    filter: "filter the focused pane (regex in Logs; start with ! to invert)",
    back: 'close overlay, clear filter, unzoom',
    'refresh-slower': 'refresh less often (longer interval)',
    'refresh-faster': 'refresh more often (shorter interval)',
    pause: 'freeze the screen (collection goes on)',
    'pane-hosts': 'go to Hosts',
    'pane-resources': 'go to Resources',
    'pane-services': 'go to Services',
    'pane-logs': 'go to Logs',
    'pane-events': 'go to Events',
    'pane-databases': 'go to Databases',
  },
  list: {
    up: 'move up',
    down: 'move down',
    'page-up': 'page up',
    'page-down': 'page down',
    top: 'first row',
    bottom: 'last row (Logs: follow again)',
    select: 'open the selected host',
  },
  hosts: {
    'trust-key': "trust the selected host's SSH key (shows its fingerprint first)",
    reconnect: 'connect to the selected SSH host again now, without waiting for the backoff',
  },
  databases: {
    'cancel-query': 'cancel the selected query (pg_cancel_backend / KILL QUERY), after a yes',
    'terminate-query': 'terminate its session (pg_terminate_backend / KILL / CLIENT KILL), after typing its pid',
  },
  logs: {
    follow: 'follow / pause the tail',
    'next-error': 'next error',
    'prev-error': 'previous error',
    'next-warning': 'next warning',
    'prev-warning': 'previous warning',
    timestamps: 'show arrival times',
    wrap: 'wrap long lines',
    'next-source': 'cycle log source (all merged, then each)',
  },
};

export type Keymap = Record<KeyContext, Map<string, string>>;
export type KeyBindings = Record<KeyContext, Record<string, string[]>>;

export interface KeymapProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key itself (a misspelt name) rather than at its value. */
  at?: 'key';
}

const NAMED_KEYS = new Set(['enter', 'escape', 'tab', 'shift+tab', 'space', 'backspace', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end']);

export function isKeyName(name: string): boolean {
  return NAMED_KEYS.has(name) || /^ctrl\+[a-z]$/.test(name) || [...name].length === 1;
}

/** Merges user overrides onto the defaults; problems carry the config key path they came from. */
export function buildKeymap(defaults: KeyBindings, overrides: Record<string, Record<string, string | string[]>>): { keymap: Keymap; bindings: KeyBindings; problems: KeymapProblem[] } {
  const problems: KeymapProblem[] = [];
  // A conflict is reported on the line the user wrote, not on the default it collides with.
  const overridden = new Set<string>();
  const blame = (a: [KeyContext, string], b: [KeyContext, string]): (string | number)[] => {
    const [ctx, action] = overridden.has(b.join('.')) || !overridden.has(a.join('.')) ? b : a;
    return ['keys', ctx, action];
  };
  const bindings = Object.fromEntries(KEY_CONTEXTS.map((c) => [c, { ...defaults[c] }])) as KeyBindings;
  for (const [context, actions] of Object.entries(overrides)) {
    if (!(KEY_CONTEXTS as readonly string[]).includes(context)) {
      problems.push({ path: ['keys', context], at: 'key', message: `unknown key context "${context}"; did you mean "${closest(context, [...KEY_CONTEXTS])}"? (contexts: ${KEY_CONTEXTS.join(', ')})` });
      continue;
    }
    const ctx = context as KeyContext;
    for (const [action, keys] of Object.entries(actions)) {
      if (!(action in ACTIONS[ctx])) {
        problems.push({ path: ['keys', ctx, action], at: 'key', message: `unknown action "${action}"; did you mean "${closest(action, Object.keys(ACTIONS[ctx]))}"?` });
        continue;
      }
      const list = Array.isArray(keys) ? keys : [keys];
      list.forEach((key, i) => {
        if (!isKeyName(key)) problems.push({ path: ['keys', ctx, action, ...(Array.isArray(keys) ? [i] : [])], message: `"${key}" is not a key name (one character, enter, escape, tab, shift+tab, space, up, down, pageup, home, ctrl+x…)` });
      });
      bindings[ctx][action] = list;
      overridden.add(`${ctx}.${action}`);
    }
  }
  const keymap = Object.fromEntries(KEY_CONTEXTS.map((c) => [c, new Map<string, string>()])) as Keymap;
  for (const ctx of KEY_CONTEXTS) {
    for (const [action, keys] of Object.entries(bindings[ctx])) {
      for (const key of keys) {
        const taken = keymap[ctx].get(key);
        if (taken && taken !== action) problems.push({ path: blame([ctx, taken], [ctx, action]), message: `key "${key}" is bound to both ${ctx}.${taken} and ${ctx}.${action}` });
        keymap[ctx].set(key, action);
      }
    }
  }
  // A pane's context is read before list and global (Logs: logs, list, global), so a binding there that
  // hides one of theirs is a conflict too. Pane contexts are never active together.
  const stacked: [KeyContext, KeyContext][] = [['global', 'list'], ...(['hosts', 'databases', 'logs'] as const).flatMap((pane): [KeyContext, KeyContext][] => [['global', pane], ['list', pane]])];
  for (const [outer, inner] of stacked) {
    for (const [key, action] of keymap[inner]) {
      const hidden = keymap[outer].get(key);
      if (hidden) problems.push({ path: blame([outer, hidden], [inner, action]), message: `key "${key}" is bound to both ${outer}.${hidden} and ${inner}.${action}` });
    }
  }
  return { keymap, bindings, problems };
}
