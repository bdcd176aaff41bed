// Database thresholds: how one sample is judged, and the levels the reducer stores from it.
import { describe, expect, it } from 'vitest';
import { databaseChecks, DEFAULT_DATABASE_THRESHOLDS, levelBelow, resolveThresholds, type PostgresSample, type RedisSample } from '../../src/services/db/index.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { judgedLevels } from '../helpers/levels.js';

function pgSample(over: Partial<PostgresSample> = {}): PostgresSample {
  return {
    kind: 'postgres', at: 0, version: '15', connections: { total: 50, max: 100, byState: {} },
    counters: { commits: 0, rollbacks: 0, blksHit: 0, blksRead: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0 },
    queries: [], blocking: [], idleInTransaction: { count: 0, longestSec: 0 }, databases: [], replication: { role: 'primary', replicas: [] },
    cacheHitPercent: 99.5, ...over,
  };
}

describe('database levels', () => {
  it('judges connections %, replication lag and cache hit ratio with the defaults', () => {
    expect(judgedLevels(pgSample())).toEqual({ overall: 'ok', connections: 'ok', cacheHit: 'ok' });
    expect(judgedLevels(pgSample({ connections: { total: 85, max: 100, byState: {} } })).connections).toBe('warn');
    expect(judgedLevels(pgSample({ connections: { total: 95, max: 100, byState: {} } })).overall).toBe('crit');
    expect(judgedLevels(pgSample({ replicationLagSec: 30 })).replicationLag).toBe('warn');
    expect(judgedLevels(pgSample({ replicationLagSec: 61 })).replicationLag).toBe('crit');
    expect(judgedLevels(pgSample({ cacheHitPercent: 93 })).cacheHit).toBe('warn');
    expect(judgedLevels(pgSample({ cacheHitPercent: 80 })).cacheHit).toBe('crit');
  });

  it('takes thresholds from the entry, lag as a duration', () => {
    const t = resolveThresholds({ replicationLag: { warn: '2s', crit: '1m' }, connections: { warn: 40, crit: 60 } });
    expect(t.replicationLagSec).toEqual({ warn: 2, crit: 60 });
    expect(t.cacheHit).toEqual(DEFAULT_DATABASE_THRESHOLDS.cacheHit);
    expect(judgedLevels(pgSample({ replicationLagSec: 3 }), t).replicationLag).toBe('warn');
    expect(judgedLevels(pgSample(), t).connections).toBe('warn');
  });

  it('judges Redis memory against maxmemory only when a maxmemory is set', () => {
    const base = { kind: 'redis', memory: { used: 900, max: 1000, usedPercent: 90, rss: 0, peak: 0, fragmentation: 1, policy: '' }, hitPercent: 10, replication: { role: 'master', offset: 0, replicas: [] } } as unknown as RedisSample;
    expect(judgedLevels(base)).toEqual({ overall: 'crit', memory: 'crit' });
    expect(judgedLevels({ ...base, memory: { ...base.memory, max: 0, usedPercent: undefined } })).toEqual({ overall: 'ok' });
  });

  it('hands the tracker a higher-is-worse value for the hit ratio, agreeing with levelBelow', () => {
    const tracker = new ThresholdTracker(0);
    for (const hit of [99, 95, 94, 90, 85, 97]) {
      const check = databaseChecks(pgSample({ cacheHitPercent: hit })).find((c) => c.metric === 'cacheHit')!;
      tracker.observe('hit', check.observe.value, check.observe.pair);
      expect(tracker.level('hit')).toBe(levelBelow(hit, DEFAULT_DATABASE_THRESHOLDS.cacheHit));
      expect(check.level).toBe(levelBelow(hit, DEFAULT_DATABASE_THRESHOLDS.cacheHit));
    }
    expect(databaseChecks(pgSample({ cacheHitPercent: 85 })).find((c) => c.metric === 'cacheHit')?.text).toBe('cache hit 85% (crit 90%)');
  });
});
