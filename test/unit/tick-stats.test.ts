import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tickStatsFromEnv } from '../../src/services/tick-stats.js';

describe('tick statistics for the benchmark', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('records nothing without OPSDECK_TICK_STATS', () => {
    expect(tickStatsFromEnv({})).toBeUndefined();
  });

  it('writes a line a second: poll durations, the periods they overran, the commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tick-stats-'));
    dirs.push(dir);
    const file = join(dir, 'ticks.jsonl');
    const stats = tickStatsFromEnv({ OPSDECK_TICK_STATS: file })!;
    try {
      stats.poll(12, 2000);
      stats.poll(4100, 2000);
      stats.commit();
      const read = () => {
        try {
          return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { durations: number[]; missed: number; commits: number });
        } catch {
          return [];
        }
      };
      await expect.poll(read, { timeout: 10_000 }).not.toHaveLength(0);
      expect(read()[0]).toMatchObject({ durations: [12, 4100], missed: 2, commits: 1 });
    } finally {
      stats.stop();
    }
  });
});
