// Counts over a sliding window in fixed memory, whatever the rate: a ring of buckets, each tagged
// with the slot of time it holds, so a bucket left from a lap ago is seen as stale and not summed.
// Times are whole seconds (epoch); the caller says which second it is.

export class SlidingCounts {
  /** The slot each bucket holds (-1: none yet). */
  private readonly slots: Float64Array;
  private readonly counts: Uint32Array[];
  /** The newest slot counted in: anything a whole ring older has no bucket left. */
  private newest = -1;

  /**
   * `buckets` buckets of `spanSec` seconds each, with `lanes` counts in each (requests, 4xx, 5xx):
   * the window it can answer for is buckets × spanSec seconds.
   */
  constructor(
    readonly buckets: number,
    readonly spanSec = 1,
    lanes = 1,
  ) {
    this.slots = new Float64Array(buckets).fill(-1);
    this.counts = Array.from({ length: lanes }, () => new Uint32Array(buckets));
  }

  /** Counts one (or n) in `lane` at second `sec`; false when that second is older than the ring reaches. */
  add(sec: number, lane = 0, n = 1): boolean {
    const slot = Math.floor(sec / this.spanSec);
    if (slot <= this.newest - this.buckets) return false;
    this.newest = Math.max(this.newest, slot);
    const index = slot % this.buckets;
    const held = this.slots[index]!;
    if (held > slot) return false;
    if (held < slot) {
      this.slots[index] = slot;
      for (const lane of this.counts) lane[index] = 0;
    }
    this.counts[lane]![index]! += n;
    return true;
  }

  /** The sum of `lane` over the seconds from `fromSec` to `toSec`, both included, as far as buckets go. */
  sum(fromSec: number, toSec: number, lane = 0): number {
    const from = Math.floor(fromSec / this.spanSec);
    const to = Math.floor(toSec / this.spanSec);
    let total = 0;
    for (let i = 0; i < this.buckets; i++) {
      const slot = this.slots[i]!;
      if (slot >= from && slot <= to) total += this.counts[lane]![i]!;
    }
    return total;
  }
}

export interface KeyCount {
  key: string;
  count: number;
}

/** Above this many keys in a minute, new keys count as OTHER: a scan of a million paths stays a few hundred entries. */
export const TOP_KEYS_PER_MINUTE = 500;
export const OTHER = '(other)';

/** The most frequent keys (paths, clients, statuses) over the last minutes: a bounded map per minute. */
export class TopKeys {
  private readonly minutes: { minute: number; counts: Map<string, number> }[];

  constructor(
    readonly keepMinutes: number,
    private readonly maxKeys = TOP_KEYS_PER_MINUTE,
  ) {
    this.minutes = Array.from({ length: keepMinutes }, () => ({ minute: -1, counts: new Map<string, number>() }));
  }

  add(sec: number, key: string): void {
    const minute = Math.floor(sec / 60);
    const bucket = this.minutes[minute % this.keepMinutes]!;
    if (bucket.minute > minute) return;
    if (bucket.minute < minute) {
      bucket.minute = minute;
      bucket.counts.clear();
    }
    const name = bucket.counts.has(key) || bucket.counts.size < this.maxKeys ? key : OTHER;
    bucket.counts.set(name, (bucket.counts.get(name) ?? 0) + 1);
  }

  /** The `n` most frequent keys in the minutes up to the one of `nowSec`, most frequent first (ties by name). */
  top(n: number, nowSec: number): KeyCount[] {
    const now = Math.floor(nowSec / 60);
    const merged = new Map<string, number>();
    for (const { minute, counts } of this.minutes) {
      if (minute <= now - this.keepMinutes || minute > now) continue;
      for (const [key, count] of counts) merged.set(key, (merged.get(key) ?? 0) + count);
    }
    return [...merged]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, n);
  }
}
