// Warn/crit evaluation with hold ticks: a level changes only after it has held for N samples in a
// row, so a value hovering on a line does not flood the Events pane.
import type { Level, ThresholdPair } from './model.js';

export function levelOf(value: number, pair: ThresholdPair): Level {
  if (value >= pair.crit) return 'crit';
  if (value >= pair.warn) return 'warn';
  return 'ok';
}

const SEVERITY: Record<Level, number> = { ok: 0, warn: 1, crit: 2 };

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
  candidate: Level;
  heldFor: number;
}

export class ThresholdTracker {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly holdTicks: number) {}

  /** Records one sample; returns the change when the stable level moves. */
  observe(key: string, value: number, pair: ThresholdPair): LevelChange | undefined {
    const observed = levelOf(value, pair);
    const track = this.tracks.get(key);
    if (!track) {
      // The first sample has no history to flap against; a crossing on start-up is news.
      this.tracks.set(key, { level: observed, candidate: observed, heldFor: 0 });
      return observed === 'ok' ? undefined : { from: 'ok', to: observed };
    }
    if (observed === track.level) {
      track.candidate = observed;
      track.heldFor = 0;
      return undefined;
    }
    track.heldFor = observed === track.candidate ? track.heldFor + 1 : 1;
    track.candidate = observed;
    if (track.heldFor < this.holdTicks) return undefined;
    const change = { from: track.level, to: observed };
    track.level = observed;
    track.heldFor = 0;
    return change;
  }

  level(key: string): Level {
    return this.tracks.get(key)?.level ?? 'ok';
  }
}
