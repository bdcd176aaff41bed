// The log buffer's ring against a plain array of lines: random lines of every length and kind (blank,
// CJK, emoji, escapes, repeats, markers), as text and as bytes, with snapshots at random times, for
// many capacities. Seeded, so a failure names the seed that reproduces it.
import { describe, expect, it } from 'vitest';
import { sanitizeLine } from '../../src/domain/sanitize.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import { Random } from '../helpers/random.js';

const PIECES = ['GET /health 200', '起動完了', '🚀', '\u001b[31mred\u001b[0m', 'tab\there', 'x'.repeat(120), 'y'.repeat(700), ''];

function lineOf(random: Random): string {
  const parts: string[] = [];
  for (let i = random.int(0, 3); i > 0; i--) parts.push(random.pick(PIECES));
  return parts.join(' ');
}

function runSeed(seed: number): void {
  const random = new Random(seed);
  const capacity = random.int(1, 60);
  const maxLineLength = random.int(80, 979);
  const buffer = new LogBuffer(capacity, maxLineLength);
  const model: { text: string; count: number; marker: boolean }[] = [];
  const add = (raw: string) => {
    const text = sanitizeLine(raw, maxLineLength);
    const last = model.at(-1);
    if (last && !last.marker && last.text === text) last.count++;
    else model.push({ text, count: 1, marker: false });
  };
  let held: { lines: Iterable<{ text: string }>; texts: string[]; since: number } | undefined;
  for (let step = 0; step < 400; step++) {
    const roll = random.next();
    const raw = roll < 0.15 && model.length > 0 ? model.at(-1)!.text : lineOf(random);
    if (roll < 0.45) {
      buffer.append(raw);
      add(raw);
    } else if (roll < 0.9) {
      const bytes = Buffer.from(`<${raw}>`);
      buffer.appendBytes(bytes, 1, bytes.length - 1);
      add(raw);
    } else {
      buffer.mark(raw);
      model.push({ text: sanitizeLine(raw, maxLineLength), count: 1, marker: true });
    }
    if (held) held.since++;
    // A window handed out stays whole while at most half a capacity of new lines came after it.
    if (held && held.since === Math.floor(capacity / 2)) expect([...held.lines].map((l) => l.text), `seed ${seed}`).toEqual(held.texts);
    if (random.chance(0.2)) {
      const window = buffer.takeSnapshot()!;
      const expected = model.slice(-capacity);
      expect([...window].map((l) => [l.text, l.count]), `seed ${seed}`).toEqual(expected.map((l) => [l.text, l.count]));
      held = { lines: window, texts: expected.map((l) => l.text), since: 0 };
    }
  }
}

describe('LogBuffer against an array of lines', () => {
  it('holds the same lines, with the same counts, for 300 seeded runs', () => {
    for (let seed = 1; seed <= 300; seed++) runSeed(seed);
  });
});
