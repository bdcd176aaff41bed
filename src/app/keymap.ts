// Key bindings are data (keymaps/default.yaml, overridable under `keys:`); this module merges them
// over the key table (src/app/intents.ts) and reports conflicts and unknown names. No I/O: panes use
// it. src/hooks/keys.ts names ink's keypresses.
import { didYouMean } from './suggest.js';
import { PANES, type PaneId } from './store.js';

/** Where a binding applies: everywhere, in every list, or in one pane. */
export const KEY_CONTEXTS = ['global', 'list', ...PANES] as const;
export type KeyContext = (typeof KEY_CONTEXTS)[number];

/** The contexts a key is looked up in with a pane focused, first match wins. The one such list. */
export function contextsFor(pane: PaneId): readonly KeyContext[] {
  return [pane, 'list', 'global'];
}

/** Binding names per context (the help line of each is the key table's business). */
export type KeyNames = Record<KeyContext, Record<string, unknown>>;

export type Keymap = Record<KeyContext, Map<string, string>>;
export type KeyBindings = Record<KeyContext, Record<string, string[]>>;

export interface KeymapProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key itself (a misspelt name) rather than at its value. */
  at?: 'key';
}

const NAMED_KEYS = new Set(['enter', 'escape', 'tab', 'shift+tab', 'space', 'backspace', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end']);

/**
 * An operator command's key (`actions.NAME.key`) is bound in the global context under this binding
 * name; the key table has no such name, so dispatch knows it for an action by the prefix.
 */
export const ACTION_BINDING = 'action:';

export function actionOfBinding(binding: string): string | undefined {
  return binding.startsWith(ACTION_BINDING) ? binding.slice(ACTION_BINDING.length) : undefined;
}

export function isKeyName(name: string): boolean {
  return NAMED_KEYS.has(name) || /^ctrl\+[a-z]$/.test(name) || [...name].length === 1;
}

/**
 * Merges user overrides onto the defaults, then binds each action's key everywhere (global); problems
 * carry the config key path they came from.
 */
export function buildKeymap(
  table: KeyNames,
  defaults: KeyBindings,
  overrides: Record<string, Record<string, string | string[]>>,
  actions: readonly { name: string; key: string }[] = [],
): { keymap: Keymap; bindings: KeyBindings; problems: KeymapProblem[] } {
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
      problems.push({ path: ['keys', context], at: 'key', message: `unknown key context "${context}"${didYouMean(context, KEY_CONTEXTS)} (contexts: ${KEY_CONTEXTS.join(', ')})` });
      continue;
    }
    const ctx = context as KeyContext;
    for (const [action, keys] of Object.entries(actions)) {
      if (!(action in table[ctx])) {
        problems.push({ path: ['keys', ctx, action], at: 'key', message: `unknown action "${action}"${didYouMean(action, Object.keys(table[ctx]))} (actions here: ${Object.keys(table[ctx]).join(', ')})` });
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
  // A pane's context is read before list and global, so a binding there that hides one of theirs is a
  // conflict too. Pane contexts are never active together.
  const stacked: [outer: KeyContext, inner: KeyContext][] = [];
  for (const chain of PANES.map(contextsFor)) {
    chain.forEach((inner, i) => {
      for (const outer of chain.slice(i + 1)) if (!stacked.some(([o, n]) => o === outer && n === inner)) stacked.push([outer, inner]);
    });
  }
  for (const [outer, inner] of stacked) {
    for (const [key, action] of keymap[inner]) {
      const hidden = keymap[outer].get(key);
      if (hidden) problems.push({ path: blame([outer, hidden], [inner, action]), message: `key "${key}" is bound to both ${outer}.${hidden} and ${inner}.${action}` });
    }
  }
  problems.push(...bindActions(keymap, bindings, actions));
  return { keymap, bindings, problems };
}

/** An action's key works in every pane, so it may be taken by no binding of any context, nor by another action. */
function bindActions(keymap: Keymap, bindings: KeyBindings, actions: readonly { name: string; key: string }[]): KeymapProblem[] {
  const problems: KeymapProblem[] = [];
  const named = (context: KeyContext, binding: string) => {
    const action = actionOfBinding(binding);
    return action === undefined ? `${context}.${binding}` : `actions.${action}`;
  };
  for (const { name, key } of actions) {
    const path = ['actions', name, 'key'];
    if (!isKeyName(key)) {
      problems.push({ path, message: `"${key}" is not a key name (one character, enter, escape, tab, shift+tab, space, up, down, pageup, home, ctrl+x…)` });
      continue;
    }
    const taken = KEY_CONTEXTS.flatMap((context) => {
      const binding = keymap[context].get(key);
      return binding ? [named(context, binding)] : [];
    });
    if (taken.length > 0) {
      const also = taken.length > 1 ? ` (and ${taken.slice(1).join(', ')})` : '';
      problems.push({ path, message: `key "${key}" is bound to both actions.${name} and ${taken[0]}${also}: pick another key, or rebind the other under keys:` });
      continue;
    }
    keymap.global.set(key, `${ACTION_BINDING}${name}`);
    bindings.global[`${ACTION_BINDING}${name}`] = [key];
  }
  return problems;
}
