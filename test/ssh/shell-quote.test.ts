import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { shJoin, shQuote } from '../../src/services/shell-quote.js';
import { Random } from '../helpers/random.js';

// Seeded, so a failure names an input that can be replayed.
function random(seed: number): () => number {
  const draws = new Random(seed);
  return () => draws.next();
}

const HOSTILE = ["'", '"', '\\', '$', '`', '$(', '${', '!', '*', '?', '[', ']', '~', '#', ';', '&', '|', '<', '>', '(', ')', '{', '}', '\n', '\r', '\t', ' ', '-', '--', '%s', '\x1b[2J', '\u202e', 'é', '日本', '😀', "'\\''"];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    const pick = next();
    if (pick < 0.4) text += HOSTILE[Math.floor(next() * HOSTILE.length)];
    else if (pick < 0.8) text += String.fromCodePoint(1 + Math.floor(next() * 126));
    else {
      // Any code point but NUL and the lone surrogates, which have no UTF-8 form.
      let cp = 1 + Math.floor(next() * 0x10fffe);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xe000;
      text += String.fromCodePoint(cp);
    }
  }
  return text;
}

describe('shQuote', () => {
  test('wraps in single quotes and writes a quote as \'\\\'\'', () => {
    expect(shQuote('')).toBe("''");
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(shJoin(['a b', '$x'])).toBe(`'a b' '$x'`);
  });

  test('refuses a NUL byte instead of cutting the value', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });

  for (const shell of ['dash', 'bash']) {
    test(`random strings round-trip byte for byte through printf '%s' under ${shell}`, () => {
      const next = random(shell === 'dash' ? 1 : 2);
      const values = Array.from({ length: 400 }, () => randomString(next));
      // One shell per batch: each value printed between separators that cannot occur in it.
      const script = values.map((v) => `printf '%s' ${shQuote(v)}; printf '\\000'`).join('\n');
      const result = spawnSync(shell, ['-c', script], { maxBuffer: 16 * 1024 * 1024 });
      expect(result.status).toBe(0);
      const printed = result.stdout.toString('latin1').split('\0').slice(0, -1).map((s) => Buffer.from(s, 'latin1'));
      expect(printed).toHaveLength(values.length);
      values.forEach((value, i) => expect(printed[i]!.equals(Buffer.from(value, 'utf8')), JSON.stringify(value)).toBe(true));
    });
  }

  test('a quoted word is one argument, whatever it holds', () => {
    const next = random(3);
    const values = Array.from({ length: 50 }, () => randomString(next));
    const result = spawnSync('sh', ['-c', `for a in ${shJoin(values)}; do printf 'x\\000'; done`]);
    expect(result.stdout.toString().split('\0').length - 1).toBe(values.length);
  });
});
