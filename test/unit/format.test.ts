import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fit, fitRight, sliceToWidth, widthOf } from '../../src/panes/format.js';

describe('cell widths', () => {
  it('counts wide characters as two columns, the same on every call', () => {
    for (let i = 0; i < 3; i++) {
      expect(widthOf('東京 ▲')).toBe(6);
      expect(widthOf('– ')).toBe(2);
      expect(widthOf('🚀')).toBe(2);
    }
  });

  it('pads and cuts wide text to exact columns', () => {
    expect(fit('データベース', 7)).toBe('データ…');
    expect(widthOf(fit('データベース', 7))).toBe(7);
    expect(fitRight('18%▲', 6)).toBe('  18%▲');
    expect(sliceToWidth('ab東京', 3)).toEqual({ text: 'ab', width: 2 });
  });

  it('measures borders, bars, marks and their neighbours in the Unicode tables as string-width does', () => {
    const blocks = [[0x20, 0x2ff], [0x2000, 0x2bff]];
    for (const [from, to] of blocks) {
      for (let code = from!; code <= to!; code++) {
        const text = `${String.fromCodePoint(code)}a${String.fromCodePoint(code)}`;
        expect(widthOf(text), `U+${code.toString(16)}`).toBe(stringWidth(text));
        expect(sliceToWidth(text, 2).width, `U+${code.toString(16)}`).toBeLessThanOrEqual(2);
      }
    }
    expect(widthOf('│● local  ▁▂▃█░ ◀ ▲ –…·')).toBe(23);
    expect(sliceToWidth('╭─ Hosts ─╮', 5)).toEqual({ text: '╭─ Ho', width: 5 });
  });

  it('measures a long line that is not ASCII whole', () => {
    const long = `${'é'.repeat(100)}東`;
    expect(widthOf(long)).toBe(102);
  });
});
