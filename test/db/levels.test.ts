// Database thresholds: how one sample is judged, and the levels the reducer stores from it.
import { describe, expect, it } from 'vitest';
import { databaseChecks, DEFAULT_DATABASE_THRESHOLDS, levelBelow, resolveThresholds, type PostgresSample, type RedisSample } from '../../src/services/db/index.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { globalDatabaseThresholds, hitRatio, type DatabaseLevels } from '../../src/domain/database-levels.js';
import { judgedLevels } from '../helpers/levels.js';
import { judgeDatabase } from '../../src/app/sources/database/levels.js';
import { databaseSourceId } from '../../src/app/sources/database/id.js';

function pgSample(over: Partial<PostgresSample> = {}): PostgresSample {
  return {
    kind: 'postgres', at: 0, version: '15', connections: { total: 50, max: 100, byState: {} },
    counters: { commits: 0, rollbacks: 0, blksHit: 0, blksRead: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0 },
    queries: [], blocking: [], idleInTransaction: { count: 0, longestSec: 0 }, databases: [], replication: { role: 'primary', replicas: [] },
    cacheHitPercent: 99.5, hitReads: 5000, ...over,
  };
}

describe('database levels', () => {
  it('judges connections %, replication lag and cache hit ratio with the defaults', () => {
    expect(judgedLevels(pgSample())).toEqual({ overall: 'ok', connections: 'ok', queryDuration: 'ok', cacheHit: 'ok' });
    expect(judgedLevels(pgSample({ connections: { total: 85, max: 100, byState: {} } })).connections).toBe('warn');
    expect(judgedLevels(pgSample({ connections: { total: 95, max: 100, byState: {} } })).overall).toBe('crit');
    expect(judgedLevels(pgSample({ replicationLagSec: 30 })).replicationLag).toBe('warn');
    expect(judgedLevels(pgSample({ replicationLagSec: 61 })).replicationLag).toBe('crit');
    expect(judgedLevels(pgSample({ cacheHitPercent: 93 })).cacheHit).toBe('warn');
    expect(judgedLevels(pgSample({ cacheHitPercent: 80 })).cacheHit).toBe('crit');
  });

  it('takes thresholds from the entry, lag as a duration', () => {
    const t = resolveThresholds({ replicationLag: { warn: '2s', crit: '1m' }, connections: { warn: 40, crit: 60 } }, 'postgres');
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
      expect(tracker.level('hit')).toBe(levelBelow(hit, DEFAULT_DATABASE_THRESHOLDS.cacheHit!));
      expect(check.level).toBe(levelBelow(hit, DEFAULT_DATABASE_THRESHOLDS.cacheHit!));
    }
    expect(databaseChecks(pgSample({ cacheHitPercent: 85 })).find((c) => c.metric === 'cacheHit')?.text).toBe('cache hit 85% over 5000 reads (crit 90%)');
  });

  it('judges a hit ratio only once its interval saw enough reads (default 1,000, configurable)', () => {
    // A quiet server: 86% over 120 reads is noise, not a crit.
    expect(judgedLevels(pgSample({ cacheHitPercent: 86, hitReads: 120 }))).toEqual({ overall: 'ok', connections: 'ok', queryDuration: 'ok' });
    expect(hitRatio(pgSample({ cacheHitPercent: 86, hitReads: 120 }), DEFAULT_DATABASE_THRESHOLDS)).toEqual({ percent: 86, reads: 120, enough: false });
    // The first sample has no interval: nothing to judge.
    expect(judgedLevels(pgSample({ cacheHitPercent: undefined, hitReads: undefined })).cacheHit).toBeUndefined();
    expect(judgedLevels(pgSample({ cacheHitPercent: 86, hitReads: 1000 })).cacheHit).toBe('crit');
    const fewer = resolveThresholds({ minReads: 100 }, 'postgres');
    expect(judgedLevels(pgSample({ cacheHitPercent: 86, hitReads: 120 }), fewer).cacheHit).toBe('crit');
  });

  it('judges a Redis keyspace hit ratio only when its entry sets cacheHit', () => {
    const redis = { kind: 'redis', memory: { used: 1, max: 0, rss: 0, peak: 0, fragmentation: 1, policy: '' }, clients: { connected: 3, blocked: 0 }, hitPercent: 10, hitReads: 5000, replication: { role: 'master', offset: 0, replicas: [] } } as unknown as RedisSample;
    expect(judgedLevels(redis, resolveThresholds(undefined, 'redis'))).toEqual({ overall: 'ok' });
    // The global thresholds.database cacheHit is for PostgreSQL and MySQL.
    expect(judgedLevels(redis, resolveThresholds(undefined, 'redis', globalDatabaseThresholds({ cacheHit: { warn: 50, crit: 20 } })))).toEqual({ overall: 'ok' });
    expect(judgedLevels(redis, resolveThresholds({ cacheHit: { warn: 80, crit: 50 } }, 'redis'))).toEqual({ overall: 'crit', cacheHit: 'crit' });
    expect(judgedLevels({ ...redis, hitReads: 10 }, resolveThresholds({ cacheHit: { warn: 80, crit: 50 } }, 'redis'))).toEqual({ overall: 'ok' });
  });

  it('judges the longest running query against queryDuration (default 5s / 60s), idle in transaction aside', () => {
    const q = (durationSec: number, state = 'active') => ({ pid: durationSec, user: 'app', database: 'shop', application: '', client: '', state, durationSec, query: 'SELECT 1', blockedBy: [] });
    expect(judgedLevels(pgSample({ queries: [q(4)] })).queryDuration).toBe('ok');
    expect(judgedLevels(pgSample({ queries: [q(2), q(7)] })).queryDuration).toBe('warn');
    expect(judgedLevels(pgSample({ queries: [q(61)] })).queryDuration).toBe('crit');
    expect(judgedLevels(pgSample({ queries: [q(600, 'idle in transaction')] })).queryDuration).toBe('ok');
    const tight = resolveThresholds(undefined, 'postgres', globalDatabaseThresholds({ queryDuration: { warn: '500ms', crit: '1s' } }));
    expect(tight.queryDurationSec).toEqual({ warn: 0.5, crit: 1 });
    expect(judgedLevels(pgSample({ queries: [q(0.7)] }), tight).queryDuration).toBe('warn');
    // The entry's own over the global ones.
    expect(resolveThresholds({ queryDuration: { warn: '2s', crit: '3s' } }, 'postgres', tight).queryDurationSec).toEqual({ warn: 2, crit: 3 });
    expect(databaseChecks(pgSample({ queries: [q(61)] })).find((c) => c.metric === 'queryDuration')?.text).toBe('longest query 1m01s (crit 1m00s)');
  });

  it('judges connections as a count and the size in bytes only when they are configured', () => {
    expect(judgedLevels(pgSample()).connectionCount).toBeUndefined();
    const t = resolveThresholds({ connectionCount: { warn: 40, crit: 60 }, size: { warn: '1G', crit: '2G' } }, 'postgres');
    expect(t.sizeBytes).toEqual({ warn: 1024 ** 3, crit: 2 * 1024 ** 3 });
    expect(judgedLevels(pgSample(), t).connectionCount).toBe('warn');
    expect(databaseChecks(pgSample(), t).find((c) => c.metric === 'connectionCount')?.text).toBe('connections 50 (warn 40)');
    expect(judgedLevels(pgSample({ databases: [{ name: 'a', sizeBytes: 1.5 * 1024 ** 3 }, { name: 'b', sizeBytes: 0.6 * 1024 ** 3 }] }), t).size).toBe('crit');
    // Sizes not read yet: nothing to judge.
    expect(judgedLevels(pgSample(), t).size).toBeUndefined();
  });

  it('closes a hit-ratio alert in Events when the next interval has too few reads to judge, and judges afresh after', () => {
    const id = databaseSourceId({ name: 'maria', host: 'local' });
    const tracker = new ThresholdTracker(2);
    const busy = judgeDatabase(id, pgSample({ cacheHitPercent: 60, hitReads: 5000 }), DEFAULT_DATABASE_THRESHOLDS, tracker, { overall: 'ok' });
    expect(busy.levels.cacheHit).toBe('crit');
    const quiet = judgeDatabase(id, pgSample({ cacheHitPercent: 60, hitReads: 30 }), DEFAULT_DATABASE_THRESHOLDS, tracker, busy.levels);
    expect(quiet.levels.cacheHit).toBeUndefined();
    expect(quiet.events.map((e) => `${e.level} ${e.message}`)).toEqual(['info maria: cache hit not judged: too few reads in the interval to judge it (was crit)']);
    // Judged again from scratch: its first sample counts at once.
    const again = judgeDatabase(id, pgSample({ cacheHitPercent: 93, hitReads: 5000 }), DEFAULT_DATABASE_THRESHOLDS, tracker, quiet.levels);
    expect(again.levels.cacheHit).toBe('warn');
    expect(again.events.map((e) => e.message)).toEqual(['maria: cache hit 93% over 5000 reads (warn 95%)']);
  });

  it('says a level that eases from crit to warn, and one back to normal, as the host metrics do: the line left, where it came from', () => {
    const id = databaseSourceId({ name: 'main', host: 'local' });
    const tracker = new ThresholdTracker(1);
    const connections = (total: number) => pgSample({ connections: { total, max: 100, byState: {} } });
    const messages: string[] = [];
    let levels = judgeDatabase(id, connections(95), DEFAULT_DATABASE_THRESHOLDS, tracker, { overall: 'ok' }).levels;
    for (const total of [85, 40]) {
      const judged = judgeDatabase(id, connections(total), DEFAULT_DATABASE_THRESHOLDS, tracker, levels);
      levels = judged.levels;
      messages.push(...judged.events.map((e) => `${e.level} ${e.message}`));
    }
    expect(messages).toEqual(['warn main: connections 85% (down from crit 90%)', 'info main: connections back to normal: 40% (from warn)']);
  });

  it('names the line of the level reached (a held rise can pass crit before it is told as warn), and a ratio easing from crit went up', () => {
    const id = databaseSourceId({ name: 'main', host: 'local' });
    const said = (tracker: ThresholdTracker, samples: PostgresSample[]) => {
      let levels: DatabaseLevels = { overall: 'ok' };
      const out: string[] = [];
      for (const sample of samples) {
        const judged = judgeDatabase(id, sample, DEFAULT_DATABASE_THRESHOLDS, tracker, levels);
        levels = judged.levels;
        out.push(...judged.events.map((e) => e.message));
      }
      return out;
    };
    const rising = new ThresholdTracker(2);
    rising.observe(`local:database:main:connections`, 10, DEFAULT_DATABASE_THRESHOLDS.connections);
    expect(said(rising, [85, 95].map((total) => pgSample({ connections: { total, max: 100, byState: {} } })))).toEqual(['main: connections 95% (warn 80%)']);
    expect(said(new ThresholdTracker(1), [80, 93].map((hit) => pgSample({ cacheHitPercent: hit })))).toEqual(['main: cache hit 80% over 5000 reads (crit 90%)', 'main: cache hit 93% over 5000 reads (up from crit 90%)']);
  });
});
