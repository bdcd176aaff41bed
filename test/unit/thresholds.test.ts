import { describe, expect, it } from 'vitest';
import type { Level, ThresholdPair } from '../../src/domain/model.js';
import { levelOf, ThresholdTracker, worstLevel } from '../../src/domain/thresholds.js';

// The runbooks' CPU line: warn at 70 %, crit at 85 %.
const CPU: ThresholdPair = { warn: 70, crit: 85 };

/** Feeds the values in order; returns the reported changes as "from>to" at the tick they happened. */
function run(tracker: ThresholdTracker, values: number[], key = 'web-1:cpu', pair = CPU): string[] {
  const reported: string[] = [];
  values.forEach((value, tick) => {
    const change = tracker.observe(key, value, pair);
    if (change) reported.push(`${tick}:${change.from}>${change.to}`);
  });
  return reported;
}

describe('levelOf', () => {
  it('is ok below warn, warn from warn, crit from crit (the lines themselves count)', () => {
    expect(levelOf(0, CPU)).toBe('ok');
    expect(levelOf(69.9, CPU)).toBe('ok');
    expect(levelOf(70, CPU)).toBe('warn');
    expect(levelOf(84.9, CPU)).toBe('warn');
    expect(levelOf(85, CPU)).toBe('crit');
    expect(levelOf(100, CPU)).toBe('crit');
  });

  it('goes straight to crit when warn and crit are the same', () => {
    expect(levelOf(90, { warn: 90, crit: 90 })).toBe('crit');
    expect(levelOf(89, { warn: 90, crit: 90 })).toBe('ok');
  });
});

describe('worstLevel', () => {
  it('picks the most severe level', () => {
    expect(worstLevel(['ok', 'crit', 'warn'])).toBe('crit');
    expect(worstLevel(['ok', 'warn', 'ok'])).toBe('warn');
    expect(worstLevel(['ok', 'ok'])).toBe('ok');
  });

  it('is ok for nothing at all, and accepts any iterable', () => {
    expect(worstLevel([])).toBe('ok');
    expect(worstLevel(new Set<Level>(['warn', 'ok']))).toBe('warn');
  });
});

describe('ThresholdTracker', () => {
  it('reports a first sample that is already over a line', () => {
    expect(run(new ThresholdTracker(3), [92])).toEqual(['0:ok>crit']);
    expect(run(new ThresholdTracker(3), [75])).toEqual(['0:ok>warn']);
  });

  it('holds a rate\'s first sample like any other: a CPU figure taken while opsdeck itself starts is not news on its own', () => {
    const tracker = new ThresholdTracker(2);
    expect(tracker.observe('web-1:cpu', 97, CPU, 'rate')).toBeUndefined();
    expect(tracker.level('web-1:cpu')).toBe('ok');
    expect(tracker.observe('web-1:cpu', 12, CPU, 'rate')).toBeUndefined();
    // A machine that stays busy is still reported, one hold later.
    const busy = new ThresholdTracker(2);
    busy.observe('web-1:cpu', 97, CPU, 'rate');
    expect(busy.observe('web-1:cpu', 96, CPU, 'rate')).toEqual({ from: 'ok', to: 'crit' });
  });

  it('says nothing for a first sample that is ok', () => {
    expect(run(new ThresholdTracker(3), [10])).toEqual([]);
  });

  it('reports a change only once it has held for N ticks in a row', () => {
    const tracker = new ThresholdTracker(3);
    // ok, then warn for three samples: reported on the third.
    expect(run(tracker, [50, 75, 76, 77, 78])).toEqual(['3:ok>warn']);
    expect(tracker.level('web-1:cpu')).toBe('warn');
  });

  it('keeps the old level until the new one has held', () => {
    const tracker = new ThresholdTracker(3);
    run(tracker, [50, 75, 76]);
    expect(tracker.level('web-1:cpu')).toBe('ok');
  });

  it('does not flap when a value hovers across the warn line', () => {
    const tracker = new ThresholdTracker(2);
    expect(run(tracker, [50, 71, 69, 72, 68, 70, 69, 71, 60])).toEqual([]);
    expect(tracker.level('web-1:cpu')).toBe('ok');
  });

  it('does not flap around the crit line once warn is established', () => {
    const tracker = new ThresholdTracker(2);
    const reported = run(tracker, [50, 75, 75, 86, 84, 86, 84, 86, 84]);
    expect(reported).toEqual(['2:ok>warn']);
  });

  it('a sustained breach of warn is reported even when it keeps straddling crit', () => {
    // CPU never drops below warn for eight samples; whether each one is above or below crit
    // should not hide that from the operator.
    const tracker = new ThresholdTracker(2);
    const reported = run(tracker, [50, 84, 86, 84, 86, 84, 86, 84, 86]);
    expect(reported.length).toBeGreaterThan(0);
    expect(tracker.level('web-1:cpu')).not.toBe('ok');
  });

  it('reports clearing back to ok exactly once, after it has held', () => {
    const tracker = new ThresholdTracker(2);
    const reported = run(tracker, [95, 95, 40, 40, 40, 40, 40]);
    expect(reported).toEqual(['0:ok>crit', '3:crit>ok']);
  });

  it('a single dip below the line does not clear a level', () => {
    const tracker = new ThresholdTracker(3);
    const reported = run(tracker, [90, 91, 40, 92, 40, 41, 93]);
    expect(reported).toEqual(['0:ok>crit']);
    expect(tracker.level('web-1:cpu')).toBe('crit');
  });

  it('with hold 1 every crossing is reported at once', () => {
    expect(run(new ThresholdTracker(1), [10, 75, 90, 20])).toEqual(['1:ok>warn', '2:warn>crit', '3:crit>ok']);
  });

  it('tracks keys independently', () => {
    const tracker = new ThresholdTracker(2);
    tracker.observe('web-1:cpu', 95, CPU);
    tracker.observe('web-2:cpu', 10, CPU);
    expect(tracker.level('web-1:cpu')).toBe('crit');
    expect(tracker.level('web-2:cpu')).toBe('ok');
  });

  it('an unknown key is ok', () => {
    expect(new ThresholdTracker(2).level('nope')).toBe('ok');
  });
});
