import { createElement } from 'react';
import { Text, useInput, type Key } from 'ink';
import { describe, expect, it, vi } from 'vitest';
import { keyName } from '../../src/hooks/keys.js';
import { isKeyName } from '../../src/app/keymap.js';
import { inkTerminal } from '../helpers/ink-terminal.js';

/** Feeds raw terminal bytes through a real ink app and returns what keyName made of each keypress. */
async function namesOf(sequences: string[]): Promise<(string | undefined)[]> {
  const seen: (string | undefined)[] = [];
  const Probe = () => {
    useInput((input: string, key: Key) => {
      seen.push(keyName(input, key));
    });
    return createElement(Text, null, 'ready');
  };
  const terminal = inkTerminal(createElement(Probe));
  // useInput listens from an effect, after the first frame.
  await terminal.flush();
  try {
    for (const sequence of sequences) {
      const before = seen.length;
      terminal.type(sequence);
      await vi.waitFor(() => expect(seen.length).toBe(before + 1), { timeout: 2000, interval: 5 });
    }
  } finally {
    terminal.unmount();
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
