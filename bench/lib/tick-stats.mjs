// Reads what opsdeck writes with OPSDECK_TICK_STATS=FILE (src/services/tick-stats.ts): a JSON line a
// second with the poll durations, the missed ticks and the store commits of that second.
import { existsSync, readFileSync } from 'node:fs';

export function readTickStats(file, from = 0, to = Infinity) {
  if (!existsSync(file)) return { durations: [], missed: 0, commits: 0, seconds: 0 };
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.at > from && l.at <= to);
  return { durations: lines.flatMap((l) => l.durations), missed: lines.reduce((a, l) => a + l.missed, 0), commits: lines.reduce((a, l) => a + l.commits, 0), seconds: lines.length };
}
