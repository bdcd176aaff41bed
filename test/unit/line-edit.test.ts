import { describe, expect, it } from 'vitest';
import { editLine } from '../../src/app/line-edit.js';

describe('editing a prompt line', () => {
  it('Backspace takes the last character whole: an emoji, a letter with its accent, a CJK character', () => {
    expect(editLine('ERROR 🔥', 'backspace', '')).toBe('ERROR ');
    expect(editLine('cafe\u0301', 'backspace', '')).toBe('caf');
    expect(editLine('決済', 'backspace', '')).toBe('決');
    expect(editLine('', 'backspace', '')).toBe('');
  });

  it('Ctrl-W takes the last word and the spaces after it, Ctrl-U the whole line', () => {
    expect(editLine('host web-1  ', 'ctrl+w', '\u0017')).toBe('host ');
    expect(editLine('host web-1', 'ctrl+w', '\u0017')).toBe('host ');
    expect(editLine('refresh 5s', 'ctrl+u', '\u0015')).toBe('');
  });

  it('text is appended; other keys are not edits', () => {
    expect(editLine('ERR', 'O', 'O')).toBe('ERRO');
    expect(editLine('a', 'space', ' ')).toBe('a ');
    expect(editLine('a', 'ctrl+x', '\u0018')).toBeUndefined();
    expect(editLine('a', 'up', '')).toBeUndefined();
    expect(editLine('a', undefined, '\u001b[A')).toBeUndefined();
  });
});
