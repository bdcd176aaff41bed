import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/services/ring.js';

describe('RingBuffer', () => {
  it('keeps only the newest items once full', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
  });

  it('replaces the newest item in place', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.push('b');
    ring.replaceLast('B');
    expect(ring.toArray()).toEqual(['a', 'B']);
  });

  it('refuses a capacity that would hold nothing', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});
