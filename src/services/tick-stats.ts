// For the benchmark (bench/run.mjs) only: with OPSDECK_TICK_STATS=FILE set, the cockpit appends one
// JSON line a second to FILE: the poll durations that ended in that second, the periods they overran
// (missed ticks) and the store commits (frames). Unset, nothing is recorded and nothing is written.
import { appendFileSync } from 'node:fs';

export interface TickStats {
  poll(durationMs: number, periodMs: number): void;
  commit(): void;
  stop(): void;
}

export function tickStatsFromEnv(env: NodeJS.ProcessEnv = process.env): TickStats | undefined {
  const file = env.OPSDECK_TICK_STATS;
  if (!file) return undefined;
  let durations: number[] = [];
  let missed = 0;
  let commits = 0;
  const timer = setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), durations, missed, commits })}\n`);
    durations = [];
    missed = 0;
    commits = 0;
  }, 1000);
  timer.unref();
  return {
    poll(durationMs, periodMs) {
      durations.push(Math.round(durationMs * 10) / 10);
      // A run longer than its period pushes the next one back: the periods it overran are ticks missed.
      missed += Math.floor(durationMs / periodMs);
    },
    commit: () => void commits++,
    stop: () => clearInterval(timer),
  };
}
