// ink's Output as patches/ink+8.0.0.patch leaves it: its shortcut for lines of SGR colours around
// one-column characters (shared cells, no tokenizer) must write what ink's own tokenizer path writes.
// The reference is that path, taken here through @alcalzone/ansi-tokenize as ink 8 does unpatched.
import { styledCharsFromTokens, styledCharsToString, tokenize, type StyledChar } from '@alcalzone/ansi-tokenize';
import stringWidth from 'string-width';
import { describe, expect, test } from 'vitest';
import Output from '../../node_modules/ink/build/output.js';
import { Random } from '../helpers/random.js';

const WIDTH = 160;

/** One row as unpatched ink writes `line` at column 0 of a blank row of WIDTH cells. */
function reference(line: string): string {
  const blank: StyledChar = { type: 'char', value: ' ', fullWidth: false, styles: [] };
  const row: StyledChar[] = [];
  const cellsOf = (text: string) => styledCharsFromTokens(tokenize(text)).filter((c) => !/^\p{Default_Ignorable_Code_Point}+$/u.test(c.value));
  // ink turns a text into lines of text first (its codes then in its own order), and the lines into cells.
  for (const cell of cellsOf(styledCharsToString(cellsOf(line)))) {
    row.push(cell);
    for (let extra = 1; extra < stringWidth(cell.value); extra++) row.push({ type: 'char', value: '', fullWidth: false, styles: cell.styles });
  }
  while (row.length < WIDTH) row.push(blank);
  return styledCharsToString(row.slice(0, WIDTH)).trimEnd();
}

function written(line: string): string {
  const output = new Output({ width: WIDTH, height: 1 });
  output.write(0, 0, line, { transformers: [] });
  return output.get().output;
}

const SGR = ['\x1b[31m', '\x1b[39m', '\x1b[1m', '\x1b[22m', '\x1b[2m', '\x1b[7m', '\x1b[27m', '\x1b[44m', '\x1b[49m', '\x1b[1;31m', '\x1b[0m', '\x1b[m', '\x1b[38;5;200m', '\x1b[38;2;10;20;30m'];
const NARROW = ['a', 'Z', ' ', '~', '0', '│', '─', '╭', '▁', '█', '●', '▲', '→', '–', 'é', '·', '«'];
// Each takes the tokenizer's path: wide, emoji, combining, ignorable, a control and a non-SGR escape.
const OTHER = ['日本', '🙂', 'e\u0301', '\u200b', '\x07', '\x1b[?25h', '▶\ufe0f', 'ｱ'];

describe("ink's output of styled text", () => {
  test('a row of colours around one-column characters is written as the tokenizer writes it', () => {
    const random = new Random(20261202);
    for (let i = 0; i < 3000; i++) {
      let line = '';
      for (let part = random.int(1, 12); part > 0; part--) line += random.chance(0.4) ? random.pick(SGR) : random.pick(NARROW).repeat(random.int(1, 6));
      expect(written(line), JSON.stringify(line)).toBe(reference(line));
    }
  });

  test('a row with wide, combining, ignorable or control characters too', () => {
    const random = new Random(7);
    for (let i = 0; i < 1000; i++) {
      let line = '';
      for (let part = random.int(1, 10); part > 0; part--) line += random.pick([SGR, NARROW, OTHER][random.int(0, 2)]!);
      expect(written(line), JSON.stringify(line)).toBe(reference(line));
    }
  });

  test('a row drawn again is the same text (its cells are shared, not rebuilt)', () => {
    const line = '\x1b[32m●\x1b[39m local   \x1b[1m 4%\x1b[22m ▁▂▃ │ ok';
    expect(written(line)).toBe(written(line));
    expect(written(line)).toBe(reference(line));
  });

  test('texts with blank cells between them, inside a clip or cut by one', () => {
    const random = new Random(1202);
    for (let i = 0; i < 500; i++) {
      const pieces: string[] = [];
      for (let part = random.int(1, 3); part > 0; part--) pieces.push(random.chance(0.5) ? random.pick(SGR) + random.pick(NARROW).repeat(random.int(1, 5)) + '\x1b[0m' : 'plain ascii text'.slice(0, random.int(1, 16)));
      const gap = ' '.repeat(random.int(1, 8));
      const output = new Output({ width: WIDTH, height: 1 });
      output.clip({ x1: 0, x2: WIDTH, y1: undefined, y2: undefined });
      output.write(0, 0, pieces[0]!, { transformers: [] });
      let x = stringWidth(pieces[0]!);
      for (const piece of pieces.slice(1)) {
        x += gap.length;
        output.write(x, 0, piece, { transformers: [] });
        x += stringWidth(piece);
      }
      output.unclip();
      expect(output.get().output, JSON.stringify(pieces)).toBe(reference(pieces.join(gap)));
    }
    const cut = new Output({ width: WIDTH, height: 1 });
    cut.clip({ x1: 2, x2: 9, y1: undefined, y2: undefined });
    cut.write(0, 0, 'abcdefghijkl', { transformers: [] });
    cut.unclip();
    expect(cut.get().output).toBe('  cdefghi');
    const end = new Output({ width: WIDTH, height: 1 });
    end.clip({ x1: 0, x2: 5, y1: undefined, y2: undefined });
    end.write(0, 0, '\x1b[31mabcdefgh\x1b[39m', { transformers: [] });
    end.unclip();
    expect(end.get().output).toBe('\x1b[31mabcde\x1b[39m');
    // A zero-width character at the end of a line that fills its clip is dropped, as a slice drops
    // it: written as a cell it would take the place of the border after the clip.
    const tab = new Output({ width: WIDTH, height: 1 });
    tab.write(9, 0, '│', { transformers: [] });
    tab.clip({ x1: 0, x2: 9, y1: undefined, y2: undefined });
    tab.write(2, 0, 'abcdefg\t', { transformers: [] });
    tab.unclip();
    expect(tab.get().output).toBe('  abcdefg│');
  });
});
