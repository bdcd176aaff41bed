import { describe, expect, it } from 'vitest';
import { buildKeymap, isKeyName, KEY_CONTEXTS, type KeyBindings } from '../../src/app/keymap.js';
import { KEY_TABLE } from '../../src/app/intents.js';
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
