// Text shaping for fixed-width cells: every string a pane draws is cut or padded to its column.
import stringWidth from 'string-width';
import type { Level } from '../services/model.js';

export const LEVEL_COLOR: Record<Level, string> = { ok: 'green', warn: 'yellow', crit: 'red' };

export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text + ' '.repeat(width - stringWidth(text));
  let out = '';
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return out + '…' + ' '.repeat(Math.max(0, width - 1 - stringWidth(out)));
}

export function fitRight(text: string, width: number): string {
  const w = stringWidth(text);
  return w >= width ? fit(text, width) : ' '.repeat(width - w) + text;
}

export function cut(text: string, width: number): string {
  return stringWidth(text) <= width ? text : fit(text, width);
}

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? value.toFixed(0) : value.toFixed(1)}${UNITS[unit]}`;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
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
