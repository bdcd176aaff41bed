// Text shaping for fixed-width cells: every string a pane draws is cut or padded to its column.
import stringWidth from 'string-width';

/**
 * Text of characters string-width counts as one column each, none joining another into a grapheme:
 * printable ASCII and Latin-1 (not the soft hyphen), punctuation, arrows, box drawing, block elements
 * and geometric shapes (not ◽◾). The panes' borders, bars, sparklines and marks are all of these, so
 * their widths are their lengths, without walking graphemes.
 */
const NARROW = /^[\x20-\x7e\xa0-\xac\xae-\xff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u25ff]*$/;

// Short non-ASCII cells repeat from frame to frame ("18%▲", "– ", a mark, one character of a cut):
// their widths are remembered, since string-width walks graphemes through Intl.Segmenter on every
// call (a CPU profile at idle had it as the top function of opsdeck's own code).
const REMEMBER_UP_TO = 64;
const REMEMBERED = 4096;
const widths = new Map<string, number>();

function unicodeWidth(text: string): number {
  if (text.length > REMEMBER_UP_TO) return stringWidth(text);
  let width = widths.get(text);
  if (width === undefined) {
    if (widths.size >= REMEMBERED) widths.clear();
    width = stringWidth(text);
    widths.set(text, width);
  }
  return width;
}

/** Display width; printable ASCII (most log lines) and the panes' drawing characters skip string-width's Unicode tables. */
export function widthOf(text: string): number {
  return NARROW.test(text) ? text.length : unicodeWidth(text);
}

/** Cuts `text` to at most `width` columns, walking characters once. */
export function sliceToWidth(text: string, width: number): { text: string; width: number } {
  if (NARROW.test(text)) return text.length <= width ? { text, width: text.length } : { text: text.slice(0, width), width };
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = unicodeWidth(char);
    if (used + w > width) break;
    out += char;
    used += w;
  }
  return { text: out, width: used };
}

/**
 * Rows of at most `width` columns each, cut by cell width (a wide character is never split); with
 * `words`, a row ends at its last space where it has one, so words stay whole.
 */
export function wrapToWidth(text: string, width: number, words = false): string[] {
  if (width <= 0) return [''];
  const rows: string[] = [];
  let rest = text;
  while (widthOf(rest) > width) {
    let head = sliceToWidth(rest, width).text;
    if (head === '') break;
    const space = words ? head.lastIndexOf(' ') : -1;
    if (space > 0) head = head.slice(0, space + 1);
    rows.push(words ? head.trimEnd() : head);
    rest = rest.slice(head.length);
  }
  rows.push(rest);
  return rows;
}

/** Pads or cuts to exactly `width` columns; a cut ends in "…". */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const full = widthOf(text);
  if (full <= width) return text + ' '.repeat(width - full);
  const head = sliceToWidth(text, width - 1);
  return `${head.text}…${' '.repeat(Math.max(0, width - 1 - head.width))}`;
}

export function fitRight(text: string, width: number): string {
  const w = widthOf(text);
  return w >= width ? fit(text, width) : ' '.repeat(width - w) + text;
}

export function cut(text: string, width: number): string {
  return widthOf(text) <= width ? text : fit(text, width);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Cuts `text` to at most `width` columns from its start, "…" first: for text whose end says the most.
 * By grapheme, as a terminal draws them: ☺ and its emoji selector are two columns together.
 */
export function cutStart(text: string, width: number): string {
  if (widthOf(text) <= width) return text;
  if (width <= 0) return '';
  const clusters = Array.from(graphemes.segment(text), (s) => s.segment);
  let used = 1;
  let start = clusters.length;
  while (start > 0 && used + unicodeWidth(clusters[start - 1]!) <= width) used += unicodeWidth(clusters[--start]!);
  return `…${clusters.slice(start).join('')}`;
}

const SPARK = '▁▂▃▄▅▆▇█';

/** The last `width` values as block characters, scaled to `max` (or the series' own peak). */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  const shown = values.slice(-width);
  const top = max ?? Math.max(1, ...shown);
  const chars = shown.map((v) => SPARK[Math.max(0, Math.min(SPARK.length - 1, Math.round((v / top) * (SPARK.length - 1))))]);
  return ' '.repeat(Math.max(0, width - chars.length)) + chars.join('');
}

export function bar(percent: number, width: number): { filled: string; empty: string } {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return { filled: '█'.repeat(filled), empty: '░'.repeat(width - filled) };
}

/**
 * An event's message beside a host column `column` cells wide: one that starts with its host's name
 * ("web-1: app.service restarted") reads without it, where the column shows the whole name and a space.
 */
export function besideHost(message: string, host: string, column: number): string {
  if (host === '' || widthOf(host) >= column || !message.startsWith(host)) return message;
  const rest = message.slice(host.length);
  return rest.startsWith(': ') ? rest.slice(2) : rest.startsWith(' ') ? rest.slice(1) : message;
}
