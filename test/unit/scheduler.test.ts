import { afterEach, describe, expect, it } from 'vitest';
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
});
