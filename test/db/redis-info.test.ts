// The INFO parser on output captured from real Redis 7.0 servers (test/fixtures/redis-info-*.txt).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRedisInfo, redisSampleFromInfo } from '../../src/services/db/redis-info.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/redis-info-${name}.txt`, import.meta.url), 'utf8');

describe('parseRedisInfo', () => {
  it('splits sections and keeps values with colons intact', () => {
    const info = parseRedisInfo(fixture('standalone'));
    expect(Object.keys(info)).toEqual(expect.arrayContaining(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'keyspace']));
    expect(info.server?.redis_version).toBe('7.0.15');
    expect(info.server?.executable).toMatch(/redis-server$/);
    expect(info.server?.os).toMatch(/^Linux /);
  });
});

describe('redisSampleFromInfo', () => {
  it('reads a master with a replica: memory against maxmemory, keyspace, replica offset lag', () => {
    const sample = redisSampleFromInfo(parseRedisInfo(fixture('master-with-replica')), 1_795_435_700_000, 0.4);
    expect(sample.version).toBe('7.0.15');
    expect(sample.memory.max).toBe(67108864);
    expect(sample.memory.used).toBe(Number(/^used_memory:(\d+)/m.exec(fixture('master-with-replica'))?.[1]));
    expect(sample.memory.usedPercent).toBeCloseTo((sample.memory.used / 67108864) * 100, 6);
    expect(sample.memory.policy).toBe('allkeys-lru');
    expect(sample.keyspace).toEqual([
      { db: 0, keys: 53, expires: 3, avgTtlMs: 299030 },
      { db: 2, keys: 1, expires: 0, avgTtlMs: 0 },
    ]);
    expect(sample.replication).toEqual({
      role: 'master',
      offset: 1783,
      replicas: [{ address: '127.0.0.1:16392', state: 'online', offset: 1783, lagBytes: 0, lagSec: 1 }],
    });
    expect(sample.replicationLagSec).toBe(1);
    expect(sample.persistence.lastSaveOk).toBe(true);
    expect(sample.persistence.lastSaveAt).toBe(Number(/^rdb_last_save_time:(\d+)/m.exec(fixture('master-with-replica'))?.[1]) * 1000);
    // One reading has no interval: rates and the hit ratio wait for the next (a lifetime ratio says
    // how the server started, not how it does now).
    expect(sample.opsPerSec).toBeUndefined();
    expect(sample.hitPercent).toBeUndefined();
    expect(sample.hitReads).toBeUndefined();
  });

  it('reads a replica: its master, link status and seconds since the master last spoke', () => {
    const sample = redisSampleFromInfo(parseRedisInfo(fixture('replica')), Date.now(), 0.3);
    expect(sample.replication).toMatchObject({ role: 'replica', master: '127.0.0.1:16391', linkStatus: 'up', lastIoSecAgo: 2, offset: 1783, syncing: false });
    expect(sample.replicationLagSec).toBe(2);
    expect(sample.memory.usedPercent).toBeUndefined();
  });

  it('turns two readings into per-second rates, leaving out opsdeck\'s own commands', () => {
    const info = parseRedisInfo(fixture('standalone'));
    const first = redisSampleFromInfo(info, 10_000, 0.2);
    const later = structuredClone(info);
    later.stats!.total_commands_processed = String(first.counters.commands + 202);
    later.stats!.keyspace_hits = String(first.counters.hits + 30);
    later.stats!.keyspace_misses = String(first.counters.misses + 10);
    later.stats!.expired_keys = String(first.counters.expired + 4);
    const second = redisSampleFromInfo(later, 12_000, 0.2, { at: first.at, counters: first.counters }, 2);
    expect(second.intervalSec).toBe(2);
    expect(second.opsPerSec).toBe(100);
    expect(second.hitPercent).toBe(75);
    expect(second.hitReads).toBe(40);
    expect(second.expiredPerSec).toBe(2);
    expect(second.evictedPerSec).toBe(0);
  });

  it('gives no rate across a server restart (counters went down)', () => {
    const info = parseRedisInfo(fixture('standalone'));
    const first = redisSampleFromInfo(info, 10_000, 0.2);
    const restarted = structuredClone(info);
    restarted.stats!.total_commands_processed = '3';
    const second = redisSampleFromInfo(restarted, 12_000, 0.2, { at: first.at, counters: { ...first.counters, commands: first.counters.commands + 1000 } });
    expect(second.opsPerSec).toBeUndefined();
  });
});
