import { createElement } from 'react';
import { Text, useInput, type Key } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { buildKeymap, isKeyName, KEY_CONTEXTS, type KeyBindings } from '../../src/app/keymap.js';
import { KEY_TABLE } from '../../src/app/intents.js';
import { keyName } from '../../src/hooks/keys.js';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';

function bindings(partial: Partial<KeyBindings>): KeyBindings {
  return { ...(Object.fromEntries(KEY_CONTEXTS.map((c) => [c, {}])) as KeyBindings), ...partial };
}

describe('the shipped default keymap (keymaps/default.yaml)', () => {
  const defaults = loadDefaultBindings();

  it('has no conflicts', () => {
    expect(buildKeymap(KEY_TABLE, defaults, {}).problems).toEqual([]);
  });

  it('binds every action at least once, and only actions that exist', () => {
    for (const context of KEY_CONTEXTS) {
      expect(Object.keys(defaults[context]).sort()).toEqual(Object.keys(KEY_TABLE[context]).sort());
      for (const keys of Object.values(defaults[context])) expect(keys.length).toBeGreaterThan(0);
    }
  });

  it('uses only key names the dispatcher can produce', () => {
    for (const context of KEY_CONTEXTS) for (const keys of Object.values(defaults[context])) for (const key of keys) expect(isKeyName(key), key).toBe(true);
  });

  it('has the keys the README promises', () => {
    const { keymap } = buildKeymap(KEY_TABLE, defaults, {});
    expect(keymap.global.get('q')).toBe('quit');
    expect(keymap.global.get('?')).toBe('help');
    expect(keymap.global.get('tab')).toBe('focus-next');
    expect(keymap.global.get('shift+tab')).toBe('focus-prev');
    expect(keymap.global.get('z')).toBe('zoom');
    expect(keymap.global.get('/')).toBe('filter');
    expect(keymap.global.get('escape')).toBe('back');
    expect(keymap.global.get(':')).toBe('command');
    expect(keymap.list.get('j')).toBe('down');
    expect(keymap.list.get('k')).toBe('up');
    expect(keymap.list.get('enter')).toBe('select');
    expect(keymap.logs.get('e')).toBe('next-error');
    expect(keymap.logs.get('E')).toBe('prev-error');
    expect(keymap.logs.get('w')).toBe('next-warning');
    expect(keymap.logs.get('W')).toBe('prev-warning');
  });
});

describe('buildKeymap', () => {
  const defaults = bindings({
    global: { quit: ['q'], help: ['?'] },
    list: { up: ['k'], down: ['j'] },
    logs: { follow: ['f'], 'next-error': ['e'] },
  });

  it('an override replaces that action\'s keys and leaves the others alone', () => {
    const { keymap, bindings: effective, problems } = buildKeymap(KEY_TABLE, defaults, { logs: { follow: 'F' } });
    expect(problems).toEqual([]);
    expect(keymap.logs.get('F')).toBe('follow');
    expect(keymap.logs.has('f')).toBe(false);
    expect(keymap.logs.get('e')).toBe('next-error');
    expect(effective.logs.follow).toEqual(['F']);
  });

  it('does not change the defaults it was given', () => {
    buildKeymap(KEY_TABLE, defaults, { logs: { follow: ['x'] } });
    expect(defaults.logs.follow).toEqual(['f']);
  });

  it('reports the same key bound to two actions in one context', () => {
    const { problems } = buildKeymap(KEY_TABLE, defaults, { list: { up: ['j'] } });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/"j" is bound to both list\.(up|down) and list\.(up|down)/);
    expect(problems[0]!.path.slice(0, 2)).toEqual(['keys', 'list']);
  });

  it('reports a pane binding that hides a global one', () => {
    const { problems } = buildKeymap(KEY_TABLE, defaults, { logs: { follow: ['q'] } });
    expect(problems).toEqual([{ path: ['keys', 'logs', 'follow'], message: expect.stringMatching(/"q" is bound to both global\.quit and logs\.follow/) }]);
  });

  it('reports a list binding that hides a global one', () => {
    const { problems } = buildKeymap(KEY_TABLE, defaults, { list: { down: ['?'] } });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/global\.help and list\.down/);
  });

  it('reports an unknown context, action and key name with the config path', () => {
    const { problems } = buildKeymap(KEY_TABLE, defaults, {
      lgos: { follow: 'f' },
      logs: { folow: 'f', 'next-error': ['n', 'F1'] },
    });
    expect(problems.map((p) => p.path)).toEqual([
      ['keys', 'lgos'],
      ['keys', 'logs', 'folow'],
      ['keys', 'logs', 'next-error', 1],
    ]);
    expect(problems[0]!.message).toContain('did you mean "logs"');
    expect(problems[1]!.message).toContain('did you mean "follow"');
    expect(problems[2]!.message).toContain('"F1" is not a key name');
  });
});

describe('isKeyName', () => {
  it.each(['q', 'E', '?', ':', 'enter', 'escape', 'tab', 'shift+tab', 'space', 'pageup', 'ctrl+c', 'é'])('accepts %s', (name) => {
    expect(isKeyName(name)).toBe(true);
  });
  it.each(['', 'F1', 'ctrl+', 'ctrl+C', 'alt+x', 'qq', 'return'])('rejects %j', (name) => {
    expect(isKeyName(name)).toBe(false);
  });
});

/** Feeds raw terminal bytes through a real ink app and returns what keyName made of each keypress. */
async function namesOf(sequences: string[]): Promise<(string | undefined)[]> {
  const seen: (string | undefined)[] = [];
  const Probe = () => {
    useInput((input: string, key: Key) => {
      seen.push(keyName(input, key));
    });
    return createElement(Text, null, 'ready');
  };
  const app = render(createElement(Probe));
  await new Promise((r) => setTimeout(r, 20));
  try {
    for (const sequence of sequences) {
      const before = seen.length;
      app.stdin.write(sequence);
      await vi.waitFor(() => expect(seen.length).toBe(before + 1), { timeout: 2000, interval: 5 });
    }
  } finally {
    app.unmount();
  }
  return seen;
}

describe('keyName on real keypresses through ink', () => {
  it('names the special keys', async () => {
    const keys: Record<string, string> = {
      '\u001b[A': 'up',
      '\u001b[B': 'down',
      '\u001b[C': 'right',
      '\u001b[D': 'left',
      '\u001b[5~': 'pageup',
      '\u001b[6~': 'pagedown',
      '\u001b[H': 'home',
      '\u001b[F': 'end',
      '\r': 'enter',
      '\t': 'tab',
      '\u001b[Z': 'shift+tab',
      '\u007f': 'backspace',
    };
    expect(await namesOf(Object.keys(keys))).toEqual(Object.values(keys));
  });

  it('names Escape', async () => {
    expect(await namesOf(['\u001b'])).toEqual(['escape']);
  });

  it('names control keys ctrl+<letter>', async () => {
    expect(await namesOf(['\u0003', '\u0002', '\u0006'])).toEqual(['ctrl+c', 'ctrl+b', 'ctrl+f']);
  });

  it('keeps a capital letter as itself (E is prev-error, not e)', async () => {
    expect(await namesOf(['E', 'e', 'W', 'G'])).toEqual(['E', 'e', 'W', 'G']);
  });

  it('names the space bar "space" and passes punctuation through', async () => {
    expect(await namesOf([' ', '?', ':', '/', '+', '-'])).toEqual(['space', '?', ':', '/', '+', '-']);
  });

  it('gives no name to a paste of several characters', async () => {
    expect(await namesOf(['hello'])).toEqual([undefined]);
  });
});

describe('keyName on Key objects', () => {
  const none: Key = {
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    home: false,
    end: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    super: false,
    hyper: false,
    capsLock: false,
    numLock: false,
  };

  it('shift+tab, tab, ctrl+c, E, space and arrows', () => {
    expect(keyName('', { ...none, tab: true, shift: true })).toBe('shift+tab');
    expect(keyName('', { ...none, tab: true })).toBe('tab');
    expect(keyName('c', { ...none, ctrl: true })).toBe('ctrl+c');
    expect(keyName('E', { ...none, shift: true })).toBe('E');
    expect(keyName(' ', none)).toBe('space');
    expect(keyName('', { ...none, upArrow: true })).toBe('up');
    expect(keyName('', { ...none, downArrow: true })).toBe('down');
    expect(keyName('', { ...none, leftArrow: true })).toBe('left');
    expect(keyName('', { ...none, rightArrow: true })).toBe('right');
  });

  it('every name it produces is a valid binding name', () => {
    const produced = [
      keyName('', { ...none, pageUp: true }),
      keyName('', { ...none, pageDown: true }),
      keyName('', { ...none, home: true }),
      keyName('', { ...none, end: true }),
      keyName('', { ...none, return: true }),
      keyName('', { ...none, escape: true }),
      keyName('', { ...none, delete: true }),
      keyName('x', { ...none, ctrl: true }),
      keyName('é', none),
    ];
    for (const name of produced) expect(isKeyName(name ?? ''), String(name)).toBe(true);
  });
});
