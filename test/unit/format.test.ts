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

  it('measures a long line that is not ASCII whole', () => {
    const long = `${'é'.repeat(100)}東`;
    expect(widthOf(long)).toBe(102);
  });
});
