// The runbooks' database thresholds on servers of the test's own: a freshly started, idle MariaDB,
// PostgreSQL and Redis raise no cache-hit alert (too few reads to judge), a read load that genuinely
// misses their caches does; the longest query (pg_sleep) and the connection count cross configured
// levels and come back. Each sample is judged as the cockpit judges it (judgeDatabase, hold 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { Redis } from 'ioredis';
import { databaseSourceId } from '../../src/app/sources/database/id.js';
import { judgeDatabase } from '../../src/app/sources/database/levels.js';
import { hitRatio, type DatabaseLevels } from '../../src/domain/database-levels.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { DEFAULT_HOLD_TICKS } from '../../src/app/config/resolve.js';
import { createDatabaseSource, type DatabaseSample, type DatabaseSource, type DatabaseSpec } from '../../src/services/db/index.js';
import { waitFor } from '../helpers/wait.js';
import { startMariadb, startPostgresPrimary, startRedis, tick, type PrivateMariadb, type PrivatePostgres, type PrivateRedis } from './harness.js';

/** A database source and what the cockpit would store from its ticks: levels and threshold events. */
class Watched {
  readonly tracker = new ThresholdTracker(DEFAULT_HOLD_TICKS);
  levels: DatabaseLevels = { overall: 'ok' };
  readonly events: OpsEvent[] = [];
  last: DatabaseSample | undefined;
  constructor(readonly source: DatabaseSource) {}

  async next(): Promise<DatabaseSample> {
    const sample = await tick(this.source);
    const judged = judgeDatabase(databaseSourceId(this.source), sample, this.source.thresholds, this.tracker, this.levels);
    this.levels = judged.levels;
    this.events.push(...judged.events);
    this.last = sample;
    return sample;
  }

  /**
   * Ticks a second apart, as the cockpit at a 1 s refresh, until `done` holds for the levels (the load,
   * if any, running meanwhile). Back-to-back ticks would see intervals too short to hold `minReads`.
   */
  until(done: (levels: DatabaseLevels) => boolean, timeoutMs = 60_000): Promise<DatabaseLevels> {
    return waitFor('the levels the test waits for', async () => {
      await this.next();
      return done(this.levels) ? this.levels : undefined;
    }, timeoutMs, 1000);
  }

  messages(): string[] {
    return this.events.map((e) => `${e.level} ${e.message}`);
  }
}

const watch = (name: string, spec: DatabaseSpec) => new Watched(createDatabaseSource(name, spec, { timeoutMs: 20_000 }));

/** Runs `statement` over and over until stopped: the read load while the test ticks. */
function loop(run: () => Promise<unknown>): { stop(): Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) await run();
  })();
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}

describe('cache hit ratio on freshly started servers', () => {
  let pgServer: PrivatePostgres;
  let maria: PrivateMariadb;
  let redisServer: PrivateRedis;

  beforeAll(async () => {
    // shared_buffers at its minimum (16 pages): a 20 MB table cannot stay in it.
    [pgServer, maria, redisServer] = await Promise.all([startPostgresPrimary({ conf: ['shared_buffers = 128kB'] }), startMariadb(41, ['--innodb-buffer-pool-size=6M']), startRedis()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([pgServer?.stop(), maria?.stop(), redisServer?.stop()]);
  });

  it('PostgreSQL: idle, no alert and "too few reads"; under seq scans of a table larger than shared_buffers, crit', async () => {
    const db = watch('pg', { postgres: `postgres://postgres@127.0.0.1:${pgServer.port}/postgres` });
    const session = new pg.Client({ host: '127.0.0.1', port: pgServer.port, user: 'postgres', database: 'postgres' });
    await session.connect();
    try {
      for (let i = 0; i < 4; i++) await db.next();
      expect(db.levels.cacheHit).toBeUndefined();
      expect(hitRatio(db.last!, db.source.thresholds).enough).toBe(false);
      expect(db.messages().filter((m) => m.includes('cache hit'))).toEqual([]);

      await session.query("CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 100000) g");
      await session.query('SET max_parallel_workers_per_gather = 0');
      const load = loop(() => session.query('SELECT count(*) FROM big'));
      try {
        await db.until((levels) => levels.cacheHit === 'crit');
      } finally {
        await load.stop();
      }
      const hit = hitRatio(db.last!, db.source.thresholds);
      expect(hit.enough).toBe(true);
      expect(hit.percent!).toBeLessThan(90);
      expect(db.messages().find((m) => m.includes('cache hit'))).toMatch(/^crit pg: cache hit \d+(\.\d)?% over \d+ reads \(crit 90%\)$/);
    } finally {
      await session.end();
      await db.source.close();
    }
  }, 120_000);

  it('MariaDB: idle, no alert; under random primary-key reads of a table larger than the buffer pool, crit', async () => {
    const db = watch('maria', { mysql: `mysql://root@127.0.0.1:${maria.port}/mysql` });
    const session = await mysql.createConnection({ host: '127.0.0.1', port: maria.port, user: 'root' });
    try {
      for (let i = 0; i < 4; i++) await db.next();
      expect(db.levels.cacheHit).toBeUndefined();
      expect(hitRatio(db.last!, db.source.thresholds).enough).toBe(false);
      expect(db.messages().filter((m) => m.includes('cache hit'))).toEqual([]);

      await session.query('CREATE DATABASE load_test');
      // The Sequence engine's seq_1_to_N tables are there in whichever database is in use.
      await session.query('USE load_test');
      await session.query('CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(200)) ENGINE=InnoDB');
      await session.query("INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_100000");
      // Primary-key lookups spread over the whole table (linear read-ahead would hide a full scan's
      // misses); the offset is a literal, as RAND() in the join would turn it into a full join.
      let offset = 0;
      const load = loop(() => session.query(`SELECT COUNT(pad) FROM seq_1_to_3000 s JOIN big b ON b.id = (s.seq * 7919 + ${(offset += 4999)}) % 100000 + 1`));
      try {
        await db.until((levels) => levels.cacheHit === 'crit');
      } finally {
        await load.stop();
      }
      expect(hitRatio(db.last!, db.source.thresholds).percent!).toBeLessThan(90);
      expect(db.messages().find((m) => m.includes('cache hit'))).toMatch(/^crit maria: cache hit \d+(\.\d)?% over \d+ reads \(crit 90%\)$/);
    } finally {
      await session.end();
      await db.source.close();
    }
  }, 120_000);

  it('Redis: a configured keyspace hit ratio is not judged while idle; GETs of missing keys raise it', async () => {
    const db = watch('cache', { redis: `redis://127.0.0.1:${redisServer.port}`, thresholds: { cacheHit: { warn: 80, crit: 50 } } });
    const client = new Redis({ host: '127.0.0.1', port: redisServer.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      for (let i = 0; i < 3; i++) await db.next();
      expect(db.levels.cacheHit).toBeUndefined();
      const misses = loop(async () => {
        const batch = client.pipeline();
        for (let i = 0; i < 500; i++) batch.get(`missing:${i}`);
        await batch.exec();
      });
      try {
        await db.until((levels) => levels.cacheHit === 'crit');
      } finally {
        await misses.stop();
      }
      expect(db.messages().find((m) => m.includes('cache hit'))).toMatch(/^crit cache: cache hit 0\.0% over \d+ lookups \(crit 50%\)$/);
      // Quiet again: the alert is closed, not left open with nothing to clear it.
      await db.until((levels) => levels.cacheHit === undefined, 30_000);
      expect(db.messages().at(-1)).toBe('info cache: cache hit not judged: too few reads in the interval to judge it (was crit)');
    } finally {
      client.disconnect();
      await db.source.close();
    }
  }, 120_000);
});

describe('query duration and connection count on a PostgreSQL of the test\'s own', () => {
  let server: PrivatePostgres;
  const sessions: pg.Client[] = [];
  const open = async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    sessions.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startPostgresPrimary();
  }, 120_000);

  afterAll(async () => {
    for (const s of sessions) await s.end().catch(() => undefined);
    await server?.stop();
  });

  it('a pg_sleep query crosses a configured warn, and the level clears when it ends', async () => {
    const db = watch('pg', { postgres: `postgres://postgres@127.0.0.1:${server.port}/postgres`, thresholds: { queryDuration: { warn: '1s', crit: '30s' } } });
    try {
      await db.next();
      expect(db.levels.queryDuration).toBe('ok');
      const sleeper = await open();
      const sleeping = sleeper.query('SELECT pg_sleep(4)');
      await db.until((levels) => levels.queryDuration === 'warn', 20_000);
      expect(db.messages()).toContainEqual(expect.stringMatching(/^warn pg: longest query \d+(\.\d)?s \(warn 1s\)$/));
      await sleeping;
      await db.until((levels) => levels.queryDuration === 'ok', 20_000);
      expect(db.messages().at(-1)).toMatch(/^info pg: longest query back to normal: \S+ \(from warn\)$/);
    } finally {
      await db.source.close();
    }
  }, 60_000);

  it('connections as a count: warn and crit as sessions open, ok once they close', async () => {
    // opsdeck's own session counts too, and the previous test's sleeper is still connected.
    const db = watch('pg', { postgres: `postgres://postgres@127.0.0.1:${server.port}/postgres`, thresholds: { connectionCount: { warn: 4, crit: 6 } } });
    try {
      await db.next();
      expect(db.levels.connectionCount).toBe('ok');
      const opened = [await open(), await open(), await open()];
      await db.until((levels) => levels.connectionCount === 'warn', 20_000);
      opened.push(await open(), await open());
      await db.until((levels) => levels.connectionCount === 'crit', 20_000);
      expect(db.messages()).toEqual(expect.arrayContaining([expect.stringMatching(/^warn pg: connections [45] \(warn 4\)$/), expect.stringMatching(/^crit pg: connections [67] \(crit 6\)$/)]));
      for (const s of opened) await s.end();
      await db.until((levels) => levels.connectionCount === 'ok', 20_000);
    } finally {
      await db.source.close();
    }
  }, 60_000);
});
