// Per-second rates from cumulative server counters: a counter that went down (server restart,
// stats reset) gives no rate for that interval rather than a negative or huge one.

/** Increase of a counter since the previous reading, less opsdeck's own share; undefined after a reset. */
export function increase(current: number, previous: number | undefined, own = 0): number | undefined {
  if (previous === undefined || !Number.isFinite(current) || !Number.isFinite(previous) || current < previous) return undefined;
  return Math.max(0, current - previous - own);
}

export function perSecond(current: number, previous: number | undefined, intervalSec: number | undefined, own = 0): number | undefined {
  if (intervalSec === undefined || intervalSec <= 0) return undefined;
  const grown = increase(current, previous, own);
  return grown === undefined ? undefined : grown / intervalSec;
}

/**
 * hits / (hits + misses) in percent over the interval since the previous reading, and how many reads
 * that was. Nothing on the first reading or after a reset: a ratio over the counters' lifetime says
 * how the server started (its first reads all miss), not how it does now. No percent over no reads.
 */
export function intervalHitRatio(hits: number, misses: number, previous: { hits: number; misses: number } | undefined): { percent?: number; reads?: number } {
  if (!previous) return {};
  const dh = increase(hits, previous.hits);
  const dm = increase(misses, previous.misses);
  if (dh === undefined || dm === undefined) return {};
  return dh + dm > 0 ? { percent: (dh / (dh + dm)) * 100, reads: dh + dm } : { reads: 0 };
}

/** A number from a driver value (bigint columns arrive as strings). */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return 0;
}

export function optionalNum(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = num(value);
  return Number.isFinite(n) ? n : undefined;
}
