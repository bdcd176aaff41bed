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

// SGR parameters that set a colour: 30-38 and 90-97 foreground, 40-48 and 100-107 background (38/48
// start a 256-colour or RGB one). 39 and 49 restore the terminal's default colours: tmux writes them
// after every reset of attributes, coloured or not, so they are not a colour.
const COLOUR_PARAMETER = /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/;

/** Every SGR sequence in `text` that sets a colour (bold, dim, inverse and the like are not colour). */
export function colourSequences(text: string): string[] {
  return [...text.matchAll(/\u001b\[([\d;:]*)m/g)].filter((m) => m[1]!.split(/[;:]/).some((p) => COLOUR_PARAMETER.test(p))).map((m) => m[0]);
}
