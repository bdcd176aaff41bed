// Redis against the real server on 127.0.0.1:6379 (and private servers for eviction and
// replication): the figures must be the ones INFO gives in the same moment.
import { join } from 'node:path';
import { Redis as RedisClient, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisInfo } from '../../src/services/db/redis-info.js';
import { createDatabaseSource, type DatabaseSource, type RedisSample } from '../../src/services/db/index.js';
import { cancelQuery, terminateQuery } from '../helpers/operations.js';
import { judgedLevels } from '../helpers/levels.js';
import { waitFor } from '../helpers/wait.js';
import { redisSession, redisUrl, sleep, startRedis, tempDir, tick, type PrivateRedis } from './harness.js';

const DB = 9;

async function info(client: Redis) {
  return parseRedisInfo(await client.info());
}

describe('Redis source', () => {
  let source: DatabaseSource;
  let client: Redis;
  const audit = tempDir();

  beforeAll(async () => {
    source = createDatabaseSource('cache', { redis: redisUrl() });
    client = await redisSession();
    await client.select(DB);
    await client.flushdb();
  });

  afterAll(async () => {
    await client?.flushdb();
    client?.disconnect();
    await source?.close();
    audit.remove();
  });

  it('matches INFO read in the same moment: version, memory, clients, keyspace, role, persistence', async () => {
    // A server of its own: on the shared one, other test files connect and disconnect meanwhile, and
    // connected_clients moves between the two reads.
    const own = await startRedis();
    const ownSource = createDatabaseSource('own', { redis: redisUrl(own.port) });
    const ownClient = await redisSession(own.port);
    try {
      await ownClient.select(DB);
      for (let i = 0; i < 25; i++) await ownClient.set(`k${i}`, 'v');
      for (let i = 0; i < 5; i++) await ownClient.set(`t${i}`, 'v', 'EX', 600);
      const sample = await tick<RedisSample>(ownSource);
      const now = await info(ownClient);
      expect(sample.version).toBe(now.server?.redis_version);
      expect(sample.mode).toBe(now.server?.redis_mode);
      expect(sample.memory.max).toBe(Number(now.memory?.maxmemory));
      expect(sample.memory.policy).toBe(now.memory?.maxmemory_policy);
      expect(Math.abs(sample.memory.used - Number(now.memory?.used_memory))).toBeLessThan(256 * 1024);
      // opsdeck's connection and the test's.
      expect(sample.clients.connected).toBe(2);
      expect(sample.clients.connected).toBe(Number(now.clients?.connected_clients));
      expect(sample.clients.blocked).toBe(Number(now.clients?.blocked_clients));
      expect(sample.keyspace.find((k) => k.db === DB)).toMatchObject({ keys: 30, expires: 5 });
      expect(now.keyspace?.[`db${DB}`]).toMatch(/^keys=30,expires=5,/);
      expect(sample.replication).toMatchObject({ role: 'master', offset: Number(now.replication?.master_repl_offset) });
      expect(sample.persistence.lastSaveAt).toBe(Number(now.persistence?.rdb_last_save_time) * 1000);
      expect(sample.persistence.lastSaveOk).toBe(now.persistence?.rdb_last_bgsave_status === 'ok');
      expect(Math.abs(sample.uptimeSec - Number(now.server?.uptime_in_seconds))).toBeLessThanOrEqual(1);
      expect(sample.pingMs).toBeGreaterThan(0);
      expect(sample.pingMs).toBeLessThan(1000);
      // One connection, named for whoever reads CLIENT LIST on the server.
      expect(String(await ownClient.client('LIST')).match(/ name=opsdeck /g)).toHaveLength(1);
    } finally {
      ownClient.disconnect();
      await ownSource.close();
      await own.stop();
    }
  });

  it('shows ops/s above zero under load, agreeing with total_commands_processed over the same interval', async () => {
    const load = 500;
    await tick(source);
    const before = Number((await info(client)).stats?.total_commands_processed);
    const first = await tick<RedisSample>(source);
    for (let i = 0; i < load; i++) await client.incr('counter');
    const second = await tick<RedisSample>(source);
    const after = Number((await info(client)).stats?.total_commands_processed);

    expect(second.opsPerSec).toBeGreaterThan(0);
    const seen = Math.round((second.opsPerSec ?? 0) * (second.intervalSec ?? 0) * 1e6) / 1e6;
    // The server's count less opsdeck's own INFO and PING.
    expect(seen).toBeCloseTo(second.counters.commands - first.counters.commands - 2, 6);
    expect(seen).toBeGreaterThanOrEqual(load);
    expect(seen).toBeLessThan(after - before);
  });

  it('computes the hit ratio and expired keys per second from the interval', async () => {
    await client.set('present', '1');
    const first = await tick<RedisSample>(source);
    for (let i = 0; i < 30; i++) await client.get('present');
    for (let i = 0; i < 10; i++) await client.get(`absent${i}`);
    for (let i = 0; i < 20; i++) await client.set(`short${i}`, 'v', 'PX', 1);
    await sleep(20);
    // Reading an expired key expires it on the spot.
    for (let i = 0; i < 20; i++) await client.get(`short${i}`);
    const second = await tick<RedisSample>(source);
    const hits = second.counters.hits - first.counters.hits;
    const misses = second.counters.misses - first.counters.misses;
    expect(hits).toBeGreaterThanOrEqual(30);
    expect(misses).toBeGreaterThanOrEqual(30);
    expect(second.hitPercent).toBeCloseTo((hits / (hits + misses)) * 100, 6);
    expect(second.expiredPerSec).toBeGreaterThan(0);
    expect((second.expiredPerSec ?? 0) * (second.intervalSec ?? 0)).toBeCloseTo(second.counters.expired - first.counters.expired, 6);
  });

  it('counts a blocked client, and terminate (CLIENT KILL ID) disconnects it; cancel is refused for Redis', async () => {
    const blocker = await redisSession();
    const id = Number(await blocker.client('ID'));
    const waiting = blocker.blpop('opsdeck-never', 0).then(
      () => 'popped',
      (error: Error) => error.message,
    );
    const sample = await waitFor('a blocked client', async () => {
      const s = await tick<RedisSample>(source);
      return s.clients.blocked >= 1 ? s : undefined;
    });
    expect(sample.clients.blocked).toBeGreaterThanOrEqual(1);
    const auditLog = join(audit.path, 'audit.jsonl');
    const cancelled = await cancelQuery(source, id, { readOnly: false, auditLog });
    expect(cancelled.outcome).toBe('failed');
    expect(cancelled.message).toMatch(/Redis has no query to cancel/);
    const terminated = await terminateQuery(source, id, { readOnly: false, auditLog });
    expect(terminated.outcome).toBe('ok');
    expect(await waiting).toMatch(/Connection is closed|closed/i);
    blocker.disconnect();
  });
});

describe('Redis with maxmemory and eviction (private server)', () => {
  let server: PrivateRedis;
  let source: DatabaseSource;

  beforeAll(async () => {
    server = await startRedis(['--maxmemory', '4mb', '--maxmemory-policy', 'allkeys-lru']);
    source = createDatabaseSource('small', { redis: redisUrl(server.port), thresholds: { memory: { warn: 50, crit: 75 } } });
  });

  afterAll(async () => {
    await source?.close();
    await server?.stop();
  });

  it('shows memory against maxmemory at crit when full, and evicted keys per second', async () => {
    const client = await redisSession(server.port);
    const first = await tick<RedisSample>(source);
    expect(first.memory.max).toBe(4 * 1024 * 1024);
    const value = 'x'.repeat(10_000);
    for (let i = 0; i < 1000; i++) await client.set(`big${i}`, value);
    const second = await tick<RedisSample>(source);
    const now = parseRedisInfo(await client.info());
    expect(second.evictedPerSec).toBeGreaterThan(0);
    expect(second.counters.evicted).toBeLessThanOrEqual(Number(now.stats?.evicted_keys));
    expect(second.counters.evicted).toBeGreaterThan(0);
    expect(second.memory.usedPercent).toBeGreaterThan(75);
    expect(judgedLevels(second, source.thresholds).memory).toBe('crit');
    client.disconnect();
  });
});

describe('Redis replication (private master and replica)', () => {
  let master: PrivateRedis;
  let replica: PrivateRedis;
  let onMaster: DatabaseSource;
  let onReplica: DatabaseSource;

  beforeAll(async () => {
    master = await startRedis(['--repl-diskless-sync-delay', '0']);
    replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
    onMaster = createDatabaseSource('primary', { redis: redisUrl(master.port) });
    onReplica = createDatabaseSource('replica', { redis: redisUrl(replica.port) });
  });

  afterAll(async () => {
    await onMaster?.close();
    await onReplica?.close();
    await replica?.stop();
    await master?.stop();
  });

  it('shows the replica on the master with its offset, and the master on the replica with the link up', async () => {
    const client = await redisSession(master.port);
    for (let i = 0; i < 20; i++) await client.set(`r${i}`, 'v');
    const onM = await waitFor('the replica online and caught up, on the master', async () => {
      const s = await tick<RedisSample>(onMaster);
      return s.replication.role === 'master' && s.replication.replicas[0]?.state === 'online' && s.replication.replicas[0].lagBytes === 0 ? s : undefined;
    });
    expect(onM.replication.role === 'master' && onM.replication.replicas[0]?.address).toBe(`127.0.0.1:${replica.port}`);
    expect(onM.replicationLagSec).toBeGreaterThanOrEqual(0);
    const onR = await waitFor('the link up, on the replica', async () => {
      const s = await tick<RedisSample>(onReplica);
      return s.replication.role === 'replica' && s.replication.linkStatus === 'up' ? s : undefined;
    });
    expect(onR.replication).toMatchObject({ role: 'replica', master: `127.0.0.1:${master.port}`, linkStatus: 'up' });
    expect(onR.keyspace.find((k) => k.db === 0)?.keys).toBe(20);
    client.disconnect();
  });
});

describe('Redis credentials (private server with requirepass and an ACL user)', () => {
  let server: PrivateRedis;
  const sources: DatabaseSource[] = [];
  const open = (...args: Parameters<typeof createDatabaseSource>) => {
    const source = createDatabaseSource(...args);
    sources.push(source);
    return source;
  };

  beforeAll(async () => {
    server = await startRedis(['--requirepass', 'default-secret']);
    const admin = new RedisClient({ host: '127.0.0.1', port: server.port, password: 'default-secret', lazyConnect: true, disableClientInfo: true });
    await admin.connect();
    await admin.call('ACL', 'SETUSER', 'monitor', 'on', '>monitor-secret', '+ping', '+info');
    await admin.call('ACL', 'SETUSER', 'mute', 'on', '>mute-secret', '+ping');
    admin.disconnect();
  });

  afterAll(async () => {
    for (const s of sources) await s.close();
    await server?.stop();
  });

  it('says the server wants a password, and which key gives it', async () => {
    await expect(tick(open('nopw', { redis: redisUrl(server.port) }))).rejects.toMatchObject({
      message: `the server wants a password (127.0.0.1:${server.port})`,
      hint: expect.stringContaining('passwordEnv'),
    });
  });

  it('says a password is wrong, and takes the right one from passwordEnv, for the default or an ACL user', async () => {
    await expect(tick(open('wrong', { redis: redisUrl(server.port), passwordEnv: 'RPW' }, { env: { RPW: 'nope' } }))).rejects.toThrow(`wrong user or password (127.0.0.1:${server.port})`);
    expect((await tick(open('default', { redis: redisUrl(server.port), passwordEnv: 'RPW' }, { env: { RPW: 'default-secret' } }))).kind).toBe('redis');
    expect((await tick(open('acl', { redis: redisUrl(server.port), user: 'monitor', passwordEnv: 'RPW' }, { env: { RPW: 'monitor-secret' } }))).kind).toBe('redis');
  });

  it('names the missing permission for an ACL user that may not run INFO', async () => {
    await expect(tick(open('mute', { redis: redisUrl(server.port), user: 'mute', passwordEnv: 'RPW' }, { env: { RPW: 'mute-secret' } }))).rejects.toMatchObject({
      message: expect.stringMatching(/^NOPERM .*info.*\(127\.0\.0\.1:\d+\)$/i),
      hint: 'the ACL user needs +info +ping',
    });
  });
});
