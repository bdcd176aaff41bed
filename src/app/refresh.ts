// The refresh interval's limits: the config, the `:refresh` command and the +/- keys all keep to them.
import { formatDuration } from '../domain/duration.js';

export const DEFAULT_REFRESH_MS = 2000;
/** Below this a poll of /proc over SSH costs more than it shows. */
export const MIN_REFRESH_MS = 500;
export const MAX_REFRESH_MS = 60_000;

export function clampRefresh(ms: number): number {
  return Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, ms));
}

/**
 * What the `:refresh` command and the +/- keys say when the interval is at a limit; otherwise they
 * say nothing, as the status line shows the refresh itself.
 */
export function refreshLimitText(ms: number): string | undefined {
  if (ms !== MIN_REFRESH_MS && ms !== MAX_REFRESH_MS) return undefined;
  return `refresh ${formatDuration(ms)}: the ${ms === MIN_REFRESH_MS ? 'shortest' : 'longest'} there is`;
}

/** One collection's deadline: two refreshes, so a slow source does not fail on a short refresh, held between 1 s and 10 s. */
export function sourceTimeoutMs(refreshMs: number): number {
  return Math.max(1000, Math.min(10_000, refreshMs * 2));
}
