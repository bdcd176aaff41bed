// Durations as operators write them in config and on the command line ("2s", "500ms", "1m").
import ms from 'ms';

export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?\s*(ms|s|m|h)?$/i.test(trimmed)) return undefined;
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * 1000 : ms(trimmed as ms.StringValue);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 59.95) return Number.isInteger(seconds) ? `${seconds}s` : `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Now, to the whole second: ages on screen have that resolution, so a pane redrawn within the same second keeps its props (and its memo). */
export const secondNow = (): number => Math.floor(Date.now() / 1000) * 1000;

export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(two).join(':');
}

/** Local "MM-DD HH:MM:SS": events restored after a restart are from other days. */
export function formatDayClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${formatClock(epochMs)}`;
}

/** Whether two times fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

/**
 * What a dialog reads as "a duration, then words" ("2h deploying the fix"): the first word, its value
 * when it is a duration with a unit (a bare number would be read as seconds, never meant there), and
 * the rest.
 */
export function durationThenWords(text: string): { first: string; ms?: number; words: string } {
  const [first = '', ...rest] = text.trim().split(/\s+/);
  const ms = /[a-z]$/i.test(first) ? parseDuration(first) : undefined;
  return { first, ...(ms === undefined ? {} : { ms }), words: rest.join(' ') };
}
