// The refresh interval's limits: the config, the `:refresh` command and the +/- keys all keep to them.
export const DEFAULT_REFRESH_MS = 2000;
/** Below this a poll of /proc over SSH costs more than it shows. */
export const MIN_REFRESH_MS = 500;
export const MAX_REFRESH_MS = 60_000;

export function clampRefresh(ms: number): number {
  return Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, ms));
}

/** One collection's deadline: two refreshes, so a slow source does not fail on a short refresh, held between 1 s and 10 s. */
export function sourceTimeoutMs(refreshMs: number): number {
  return Math.max(1000, Math.min(10_000, refreshMs * 2));
}
