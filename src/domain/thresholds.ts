// Warn/crit evaluation with hold ticks: a level changes only after it has held for N samples in a
// row, so a value hovering on a line does not flood the Events pane.
import type { Level, ThresholdPair } from './model.js';

export function levelOf(value: number, pair: ThresholdPair): Level {
  if (value >= pair.crit) return 'crit';
  if (value >= pair.warn) return 'warn';
  return 'ok';
}

export const SEVERITY: Record<Level, number> = { ok: 0, warn: 1, crit: 2 };

export function worstLevel(levels: Iterable<Level>): Level {
  let worst: Level = 'ok';
  for (const level of levels) if (SEVERITY[level] > SEVERITY[worst]) worst = level;
  return worst;
}

export interface LevelChange {
  from: Level;
  to: Level;
}

interface Track {
  level: Level;
  /** Samples in a row on the same side of the stable level (all above it, or all below). */
  heldFor: number;
  /** The level to move to if the run holds: the least extreme level the run has seen. */
  target: Level;
}

/**
 * The threshold an event names beside the reading: the one crossed, or, when a level eases from crit to
 * warn (the run down held warn, while the reading may already be under warn), the one left behind.
 */
export function crossedBound(change: LevelChange, pair: ThresholdPair, suffix: string): string {
  if (change.to === 'warn' && change.from === 'crit') return `down from crit ${pair.crit}${suffix}`;
  return change.to === 'crit' ? `crit ${pair.crit}${suffix}` : `warn ${pair.warn}${suffix}`;
}

export class ThresholdTracker {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly holdTicks: number) {}

  /**
   * Records one sample; returns the change when the stable level moves. A state's first sample (a disk
   * full when opsdeck starts) is news at once; a `rate`'s first is held like any other: CPU's first is
   * measured over the quarter second opsdeck itself is busiest starting, and over the time since boot
   * where there was no earlier reading to take it against.
   */
  observe(key: string, value: number, pair: ThresholdPair, kind: 'state' | 'rate' = 'state'): LevelChange | undefined {
    const observed = levelOf(value, pair);
    let track = this.tracks.get(key);
    if (!track) {
      if (kind === 'state') {
        // No history to flap against: a crossing on start-up is news.
        this.tracks.set(key, { level: observed, heldFor: 0, target: observed });
        return observed === 'ok' ? undefined : { from: 'ok', to: observed };
      }
      track = { level: 'ok', heldFor: 0, target: 'ok' };
      this.tracks.set(key, track);
    }
    const direction = Math.sign(SEVERITY[observed] - SEVERITY[track.level]);
    if (direction === 0) {
      track.heldFor = 0;
      return undefined;
    }
    // 84, 86, 84, 86 over warn 70 / crit 85 is a run above ok: it moves to warn, the level it held.
    const previousDirection = track.heldFor === 0 ? 0 : Math.sign(SEVERITY[track.target] - SEVERITY[track.level]);
    if (previousDirection === direction) {
      track.heldFor++;
      if ((SEVERITY[observed] - SEVERITY[track.target]) * direction < 0) track.target = observed;
    } else {
      track.heldFor = 1;
      track.target = observed;
    }
    if (track.heldFor < this.holdTicks) return undefined;
    const change = { from: track.level, to: track.target };
    track.level = track.target;
    track.heldFor = 0;
    return change;
  }

  /** Drops what is known of `key`: a measure no longer judged, or a rule's key out of its window (so keys seen once do not pile up), starts afresh. */
  forget(key: string): void {
    this.tracks.delete(key);
  }

  level(key: string): Level {
    return this.tracks.get(key)?.level ?? 'ok';
  }
}
