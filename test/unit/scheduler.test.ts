import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, type PollSource } from '../../src/services/scheduler.js';
import { waitFor } from '../helpers/wait.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source that notes when each of its collections started. */
function noting(starts: number[]): PollSource<number> {
  return { timeoutMs: 1000, collect: async () => starts.push(Date.now()) };
}

const schedulers: Scheduler[] = [];
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

describe('the scheduler', () => {
  it('polls a source added between ticks at once, then in the same ticks as the others (one frame a tick, not two)', async () => {
    const period = 300;
    const scheduler = new Scheduler(period);
    schedulers.push(scheduler);
    const first: number[] = [];
    const found: number[] = [];
    const sink = { ok: () => {}, fail: () => {} };
    scheduler.add(noting(first), sink);
    scheduler.start();
    await sleep(130);
    const addedAt = Date.now();
    scheduler.add(noting(found), sink);
    await waitFor('four runs of the source added later', async () => (found.length >= 4 ? true : undefined), 10_000);

    expect(found[0]! - addedAt).toBeLessThan(100);
    for (const at of found.slice(1)) {
      const nearest = Math.min(...first.map((f) => Math.abs(f - at)));
      expect(nearest, `a run at ${at - addedAt} ms after it was added`).toBeLessThan(60);
    }
  });

  /** Where in the period each source starts, in two periods after the first run (all at once), sorted. */
  async function tickOffsets(sources: number, period: number): Promise<number[][]> {
    vi.useFakeTimers();
    try {
      const scheduler = new Scheduler(period);
      schedulers.push(scheduler);
      const starts = Array.from({ length: sources }, () => [] as number[]);
      for (const noted of starts) scheduler.add(noting(noted), { ok: () => {}, fail: () => {} });
      const epoch = Date.now();
      scheduler.start();
      await vi.advanceTimersByTimeAsync(period * 3.5);
      for (const noted of starts) expect(noted[3]! - noted[2]!, 'a source keeps its period').toBe(period);
      return [2, 3].map((run) => starts.map((s) => (s[run]! - epoch) % period).sort((a, b) => a - b));
    } finally {
      vi.useRealTimers();
    }
  }

  it("starts a few sources (this machine, a few hosts) within one frame's wait, not all in the same instant", async () => {
    for (const offsets of await tickOffsets(20, 1000)) {
      expect(offsets[0]).toBeGreaterThanOrEqual(0);
      expect(offsets.at(-1)).toBeLessThan(150);
      // 20 sources over 100 ms: no instant holds more than two of them.
      const perMs = new Map<number, number>();
      for (const at of offsets) perMs.set(at, (perMs.get(at) ?? 0) + 1);
      expect(Math.max(...perMs.values())).toBeLessThanOrEqual(2);
    }
  });

  it("spreads a fleet's polls (200 hosts, two sources each) over the whole period", async () => {
    for (const offsets of await tickOffsets(400, 2000)) {
      expect(offsets[0]).toBeGreaterThanOrEqual(0);
      expect(offsets.at(-1)).toBeLessThan(2000);
      // Evenly: every tenth of the period starts a tenth of them, give or take a few.
      for (let tenth = 0; tenth < 10; tenth++) {
        const inTenth = offsets.filter((at) => at >= tenth * 200 && at < (tenth + 1) * 200).length;
        expect(inTenth, `starts in ${tenth * 200}-${(tenth + 1) * 200} ms`).toBeGreaterThan(30);
        expect(inTenth, `starts in ${tenth * 200}-${(tenth + 1) * 200} ms`).toBeLessThan(50);
      }
    }
  });
});

describe('a source polled only while wanted', () => {
  it('is skipped while unwanted, read at once when woken (told to resume), and a read that ends after it stopped being wanted is dropped', async () => {
    const scheduler = new Scheduler(200);
    schedulers.push(scheduler);
    let wanted = false;
    let slow = false;
    const starts: number[] = [];
    const delivered: number[] = [];
    let resumes = 0;
    const source: PollSource<number> = {
      refreshFactor: 10,
      timeoutMs: 2000,
      collect: async () => {
        starts.push(Date.now());
        if (slow) await sleep(300);
        return starts.length;
      },
      resume: () => void resumes++,
    };
    scheduler.add(source, { ok: (value) => delivered.push(value), fail: () => {} }, { wanted: () => wanted });
    scheduler.start();
    await sleep(300);
    expect(starts).toHaveLength(0);

    wanted = true;
    const wokenAt = Date.now();
    scheduler.wake(source);
    await waitFor('the read after the wake', () => (delivered.length === 1 ? true : undefined), 1000);
    expect(starts[0]! - wokenAt).toBeLessThan(50);
    expect(resumes).toBe(1);

    // A read under way when the list leaves the screen: its result is old by the time anything shows it.
    slow = true;
    scheduler.wake(source);
    await sleep(50);
    wanted = false;
    await sleep(400);
    expect(starts).toHaveLength(2);
    expect(delivered).toEqual([1]);
  });
});
