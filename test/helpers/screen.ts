// Reading a rendered frame as the operator reads the screen: its text without escapes, the line that
// holds some text, and the colour a value is drawn in (colour is meaning in opsdeck).
import { stripVTControlCharacters } from 'node:util';

export const RED = '\u001b[31m';
export const YELLOW = '\u001b[33m';
export const GREEN = '\u001b[32m';

export function screenReader(frame: () => string) {
  const lineWith = (needle: string) => frame().split('\n').find((l) => stripVTControlCharacters(l).includes(needle)) ?? '';
  return {
    text: () => stripVTControlCharacters(frame()),
    lineWith,
    plainLine: (needle: string) => stripVTControlCharacters(lineWith(needle)),
    /** The colour code that opens right before `value` on the line that contains `needle`. */
    colourBefore(needle: string, value: string): string | undefined {
      const line = lineWith(needle);
      const at = line.indexOf(value);
      if (at < 0) return undefined;
      return [...line.slice(0, at).matchAll(/\u001b\[(\d+)m/g)].map((m) => m[0]).at(-1);
    },
  };
}
