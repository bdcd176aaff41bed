import { describe, expect, test } from 'vitest';
import { ChannelSlots } from '../../src/services/ssh/channels.js';
import { backoffDelay } from '../../src/services/ssh/connection.js';

describe('ChannelSlots', () => {
  test('hands out at most `limit` slots and queues the rest in order', async () => {
    const slots = new ChannelSlots(3, 1);
    const releases = await Promise.all([slots.acquire('exec'), slots.acquire('exec'), slots.acquire('exec')]);
    const order: number[] = [];
    const fourth = slots.acquire('exec').then((r) => (order.push(4), r));
    const fifth = slots.acquire('exec').then((r) => (order.push(5), r));
    await Promise.resolve();
    expect(slots.busy).toBe(3);
    expect(slots.waiting).toBe(2);
    releases[0]!();
    releases[0]!(); // a second release of the same slot is ignored
    (await fourth)();
    (await fifth)();
    expect(order).toEqual([4, 5]);
    releases[1]!();
    releases[2]!();
    expect(slots.busy).toBe(0);
  });

  test('followers never take the slots probes need', async () => {
    const slots = new ChannelSlots(4, 2);
    await slots.acquire('follow');
    await slots.acquire('follow');
    let third = false;
    void slots.acquire('follow').then(() => (third = true));
    const exec = await slots.acquire('exec');
    await slots.acquire('exec');
    await Promise.resolve();
    expect(third).toBe(false);
    exec();
    await Promise.resolve();
    expect(third).toBe(false);
    expect(slots.busy).toBe(3);
  });

  test('an aborted wait leaves the queue; a closed connection fails every waiter', async () => {
    const slots = new ChannelSlots(2, 1);
    await slots.acquire('exec');
    await slots.acquire('exec');
    const controller = new AbortController();
    const aborted = slots.acquire('exec', controller.signal);
    controller.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(slots.waiting).toBe(0);
    const pending = slots.acquire('exec');
    slots.close(new Error('connection lost'));
    await expect(pending).rejects.toThrow('connection lost');
    await expect(slots.acquire('exec')).rejects.toThrow('connection lost');
  });

  test('refuses a follower limit that would leave probes nothing', () => {
    expect(() => new ChannelSlots(4, 4)).toThrow();
  });
});

describe('backoffDelay', () => {
  const backoff = { initialMs: 1000, maxMs: 30_000 };
  test('doubles from the initial delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  test('jitter keeps each delay between half and all of it, never past the cap', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(2000);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(1 + (i % 12), backoff);
      expect(delay).toBeLessThanOrEqual(30_000);
      expect(delay).toBeGreaterThanOrEqual(500);
    }
  });
});
