import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { besideHost, cutStart, fit, fitRight, sliceToWidth, widthOf } from '../../src/panes/format.js';

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

describe('an event message beside its host column', () => {
  it('drops the host name it starts with, only where the column shows the whole name', () => {
    expect(besideHost('web-1: app.service restarted', 'web-1', 12)).toBe('app.service restarted');
    expect(besideHost('web-1 cpu back to ok', 'web-1', 12)).toBe('cpu back to ok');
    // "web-10 …" is another host's message, not web-1's.
    expect(besideHost('web-10 cpu back to ok', 'web-1', 12)).toBe('web-10 cpu back to ok');
    // Cut by the column ("db-replica-…"), the name stays in the message.
    expect(besideHost('db-replica-eu-west-2: lag 40s', 'db-replica-eu-west-2', 12)).toBe('db-replica-eu-west-2: lag 40s');
    expect(besideHost('サーバー1: 再起動しました', 'サーバー1', 12)).toBe('再起動しました');
    expect(besideHost('checks: 2 failing', '', 12)).toBe('checks: 2 failing');
  });
});

describe('cutStart', () => {
  it('keeps the end of a text too long, "…" first, wide characters whole', () => {
    expect(cutStart('app.log FOLLOW', 20)).toBe('app.log FOLLOW');
    expect(cutStart('app.log /timeout FOLLOW', 10)).toBe('…ut FOLLOW');
    expect(cutStart('決済サービス PAUSED', 12)).toBe('…ビス PAUSED');
    expect(stringWidth(cutStart('決済サービス PAUSED', 11))).toBeLessThanOrEqual(11);
    expect(cutStart('x', 0)).toBe('');
    // ☺ with its emoji selector is one two-column cell, never counted as one column.
    expect(stringWidth(cutStart('abc ☺️☺️☺️', 5))).toBeLessThanOrEqual(5);
  });
});
