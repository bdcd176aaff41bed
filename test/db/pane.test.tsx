// The Databases pane as the operator sees it: figures coloured by level, blocking chains, the
// cursor row, errors with since when, and never a line or a row more than its box.
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseRows } from '../../src/app/database-rows.js';
import { DatabasesPane } from '../../src/panes/DatabasesPane.js';
import { formatClock } from '../../src/domain/duration.js';
import { databaseView, type DatabaseView } from '../../src/app/database-view.js';
import { databaseSourceId } from '../../src/app/sources/database/id.js';
import { inkTerminal } from '../helpers/ink-terminal.js';
import { judgedLevels } from '../helpers/levels.js';
import {
  createDatabaseSource,
  DEFAULT_DATABASE_THRESHOLDS,
  resolveThresholds,
  type DatabaseSource,
  type DatabaseSample,
  type MysqlSample,
  type PgBackend,
  type PostgresSample,
  type RedisSample,
} from '../../src/services/db/index.js';
import { waitFor } from '../helpers/wait.js';
import { myUrl, pgUrl, redisUrl, tick } from './harness.js';

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const GREEN = '\u001b[32m';
const INVERSE = '\u001b[7m';
const NOW = Date.parse('2026-11-23T12:00:00Z');

function backend(pid: number, over: Partial<PgBackend> = {}): PgBackend {
  return { pid, user: 'app', database: 'shop', application: 'api', client: '10.0.0.7', state: 'active', durationSec: 2, query: `SELECT * FROM orders WHERE id = ${pid}`, blockedBy: [], ...over };
}

function pgSample(over: Partial<PostgresSample> = {}): PostgresSample {
  const holder = backend(101, { state: 'idle in transaction', durationSec: 65, query: 'UPDATE stock SET n = n - 1 WHERE sku = 7' });
  const waiter = backend(102, { durationSec: 12, waitEventType: 'Lock', waitEvent: 'transactionid', blockedBy: [101], query: 'UPDATE stock SET n = n - 2 WHERE sku = 7' });
  const long = backend(103, { durationSec: 300, query: `SELECT ${'very_long_column_name, '.repeat(20)}1 FROM reports` });
  return {
    kind: 'postgres', at: NOW, intervalSec: 2, version: '15.4', connections: { total: 95, max: 100, byState: { active: 3, idle: 91, 'idle in transaction': 1 } },
    counters: { commits: 0, rollbacks: 0, blksHit: 0, blksRead: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0 },
    tps: 153.4, cacheHitPercent: 99.2, hitReads: 40_000, deadlocksSinceLast: 1, tempFilesSinceLast: 0, tempBytesSinceLast: 0,
    queries: [long, holder, waiter], blocking: [{ blocker: holder, blocked: waiter }], idleInTransaction: { count: 1, longestSec: 65 },
    databases: [{ name: 'shop', sizeBytes: 3 * 1024 ** 3 }], replication: { role: 'primary', replicas: [] }, ...over,
  };
}

function mysqlSample(): MysqlSample {
  return {
    kind: 'mysql', at: NOW, intervalSec: 2, flavor: 'mariadb', version: '10.11.19-MariaDB-0+deb12u1', readOnly: false,
    threads: { connected: 20, running: 3, max: 151, maxUsed: 40 }, counters: { questions: 0, slowQueries: 0, bpReadRequests: 0, bpReads: 0 },
    qps: 1234, slowSinceLast: 2, bufferPoolHitPercent: 99.9, hitReads: 90_000,
    processes: [{ id: 7, user: 'shop', host: 'localhost', db: 'shop', command: 'Query', timeSec: 31, state: 'User sleep', query: 'SELECT SLEEP(30)', blockedBy: [] }],
    lockWaits: [], replica: { source: 'db-1:3306', ioRunning: 'Yes', sqlRunning: 'Yes', secondsBehind: 30, lastError: '' }, replicationLagSec: 30,
  };
}

function redisSample(memory: Partial<RedisSample['memory']> = {}): RedisSample {
  return {
    kind: 'redis', at: NOW, intervalSec: 2, version: '7.0.15', mode: 'standalone', uptimeSec: 1000, pingMs: 0.4,
    memory: { used: 60 * 1024 ** 2, max: 64 * 1024 ** 2, usedPercent: 93.75, rss: 0, peak: 0, fragmentation: 1.1, policy: 'allkeys-lru', ...memory },
    clients: { connected: 12, blocked: 0 }, counters: { commands: 0, hits: 0, misses: 0, evicted: 0, expired: 0 },
    opsPerSec: 2500, instantaneousOps: 2400, hitPercent: 97, hitReads: 5000, evictedPerSec: 3, expiredPerSec: 0,
    keyspace: [{ db: 0, keys: 53000, expires: 300, avgTtlMs: 0 }], replication: { role: 'master', offset: 10, replicas: [] },
    persistence: { lastSaveOk: true, lastSaveAt: NOW - 180_000, changesSinceSave: 0, saving: false, aofEnabled: false, aofLastWriteOk: true },
  };
}

/** A database as the pane gets it: its sample judged by `thresholds` (the defaults for its kind). */
function okView(name: string, target: string, sample: DatabaseSample, thresholds = resolveThresholds(undefined, sample.kind), since = NOW - 60_000): DatabaseView {
  return databaseView({ name, kind: sample.kind, target, levels: judgedLevels(sample, thresholds), thresholds }, { id: databaseSourceId({ name, host: 'local' }), label: `db ${name}`, status: 'ok', since }, sample);
}

const views = (): DatabaseView[] => [
  okView('main', 'postgres://monitor@db-1:5432/shop', pgSample()),
  okView('orders', 'mysql://monitor@db-2:3306', mysqlSample()),
  okView('cache', 'redis://cache-1:6379', redisSample()),
  { name: 'legacy', kind: 'postgres', target: 'postgres://monitor@db-9:5432/old', status: 'error', since: NOW - 120_000, error: 'connection refused (db-9:5432)', hint: 'is the server running and listening there?', levels: { overall: 'ok' }, thresholds: DEFAULT_DATABASE_THRESHOLDS },
];

function draw(props: Partial<Parameters<typeof DatabasesPane>[0]> = {}) {
  const all = { databases: views(), width: 100, height: 20, focused: true, cursor: 0, filter: '', now: NOW, ...props };
  const terminal = inkTerminal(<DatabasesPane {...all} />, { columns: Math.max(100, all.width), rows: 100 });
  const frame = terminal.lastFrame();
  terminal.unmount();
  return { frame, lines: frame.split('\n'), plain: stripVTControlCharacters(frame).split('\n') };
}

const lineWith = (lines: string[], needle: string) => lines.find((l) => stripVTControlCharacters(l).includes(needle)) ?? '';
function colourBefore(line: string, value: string): string | undefined {
  const at = line.indexOf(value);
  if (at < 0) return undefined;
  return [...line.slice(0, at).matchAll(/\u001b\[(\d+)m/g)].map((m) => m[0]).at(-1);
}

describe('DatabasesPane', () => {
  it('marks Redis fragmentation only where the memory beyond used passes Redis\'s 100 MB floor, not on an almost empty server', () => {
    const MiB = 1024 ** 2;
    const fragOf = (memory: Partial<RedisSample['memory']>) => {
      const { lines } = draw({ databases: [okView('cache', 'redis://cache-1:6379', redisSample(memory))], width: 160 });
      return stripVTControlCharacters(lineWith(lines, 'cache redis')).match(/frag [\d.]+▲?/)?.[0];
    };
    // As this machine's idle Redis: 1 MB used, 7 MB resident.
    expect(fragOf({ used: 1 * MiB, rss: 7 * MiB, fragmentation: 7 })).toBe('frag 7.00');
    expect(fragOf({ used: 400 * MiB, rss: 720 * MiB, fragmentation: 1.8 })).toBe('frag 1.80▲');
    expect(fragOf({ used: 400 * MiB, rss: 480 * MiB, fragmentation: 1.2 })).toBe('frag 1.20');
  });

  it('shows each database with its key figures, coloured and marked (▲ warn, ✖ crit) by level', () => {
    const { lines, plain } = draw({ width: 160, height: 24 });
    const main = lineWith(lines, 'main pg 15.4');
    expect(stripVTControlCharacters(main)).toMatch(/conn 95\/100✖ {2}tps 153 {2}hit 99\.2% {2}longest 5m00s✖ {2}idle-tx 1 \(1m05s\)▲ {2}blocked 1✖ {2}deadlocks \+1✖ {2}tmp \+0 {2}size 3\.0G/);
    expect(colourBefore(main, '95/100')).toBe(RED);
    expect(colourBefore(main, '99.2%')).toBe(GREEN);
    const orders = lineWith(lines, 'orders maria 10.11.19');
    expect(stripVTControlCharacters(orders)).toMatch(/thr 20\/151 {2}run 3 {2}qps 1\.2k {2}longest 31s▲ {2}slow \+2▲ {2}bp hit 99\.9% {2}replica lag 30s▲/);
    expect(colourBefore(orders, '30s')).toBe(YELLOW);
    const cache = lineWith(lines, 'cache redis 7.0.15');
    expect(stripVTControlCharacters(cache)).toMatch(/ping 0\.4ms {2}mem 60\.0M\/64\.0M 93\.8%✖ {2}frag 1\.10 {2}ops 2\.5k\/s {2}cli 12 {2}blk 0 {2}hit 97\.0% {2}evict 3\/s▲ {2}exp 0\/s {2}save ok 3m00s/);
    expect(colourBefore(cache, '60.0M/64.0M')).toBe(RED);
    expect(plain.some((l) => l.includes('keyspace db0 53k keys (300 exp)'))).toBe(true);
  });

  it('shows a hit ratio over too few reads grey, without a level', () => {
    const quiet = okView('quiet', 'mysql://root@127.0.0.1:3306', { ...mysqlSample(), processes: [], bufferPoolHitPercent: 86, hitReads: 120 });
    expect(quiet.levels).toEqual({ overall: 'warn', connections: 'ok', queryDuration: 'ok', replicationLag: 'warn' });
    const { lines } = draw({ databases: [quiet], width: 160 });
    const head = lineWith(lines, 'quiet maria');
    expect(stripVTControlCharacters(head)).toContain('bp hit 86.0% (too few reads)');
    expect(stripVTControlCharacters(head)).not.toMatch(/86\.0%[▲✖]/);
    expect(colourBefore(head, '86.0%')).toBe('\u001b[90m');
    // An interval that read nothing, and the first reading (no interval yet): grey, and saying why.
    for (const hitReads of [0, undefined]) {
      const idle = okView('idle', 'mysql://root@127.0.0.1:3306', { ...mysqlSample(), processes: [], bufferPoolHitPercent: undefined, hitReads });
      const line = lineWith(draw({ databases: [idle], width: 160 }).lines, 'idle maria');
      expect(stripVTControlCharacters(line)).toContain('bp hit – (too few reads)');
      expect(colourBefore(line, '– (too few reads)')).toBe('\u001b[90m');
    }
  });

  it('shows who blocks whom, and the busy queries with pid, user, time, state and wait', () => {
    const { plain, lines } = draw({ width: 160, height: 24 });
    expect(plain.some((l) => l.includes('⛓ 101 (app idle in transaction 1m05s) blocks 102 (12s)'))).toBe(true);
    const waiter = lineWith(lines, 'SET n = n - 2');
    expect(stripVTControlCharacters(waiter)).toMatch(/^│\s+102 app\s+shop\s+12s▲ active\s+⧗ by 101\s+UPDATE stock SET n = n - 2 WHERE sku = 7/);
    expect(colourBefore(waiter, '⧗ by 101')).toBe(RED);
    expect(stripVTControlCharacters(lineWith(lines, 'sku = 7') )).toContain('101 app');
    expect(plain.some((l) => /^│\s+7 shop\s+shop\s+31s▲ query\s+User sleep\s+SELECT SLEEP\(30\)/.test(l))).toBe(true);
  });

  it('shows a database that is down with its error, since when, and what to do', () => {
    const { lines, plain } = draw({ width: 160, height: 24 });
    const down = lineWith(lines, 'legacy');
    expect(stripVTControlCharacters(down)).toContain(`○ legacy  postgres://monitor@db-9:5432/old  down since ${formatClock(NOW - 120_000)} (2m00s): connection refused (db-9:5432)`);
    expect(colourBefore(down, 'down since')).toBe(RED);
    expect(plain.some((l) => l.includes('is the server running and listening there?'))).toBe(true);
  });

  it('cuts long queries with … and never draws wider or taller than its box', () => {
    for (const [width, height] of [[100, 20], [80, 24], [60, 8], [200, 50], [40, 5], [30, 3]] as const) {
      const { plain } = draw({ width, height });
      expect(plain).toHaveLength(height);
      for (const line of plain) expect(stringWidth(line)).toBeLessThanOrEqual(width);
    }
    const { plain } = draw({ width: 100, height: 20 });
    const long = plain.find((l) => l.includes('very_long_column_name'))!;
    expect(long.trimEnd()).toMatch(/…│$/);
    expect(stringWidth(long)).toBe(100);
  });

  it('draws the cursor row inverse and keeps it in view in a short pane', () => {
    const rows = databaseRows(views(), '');
    expect(rows.map((r) => [r.database, r.pid])).toEqual([
      ['main', 103],
      ['main', 101],
      ['main', 102],
      ['orders', 7],
    ]);
    for (const cursor of [0, 3]) {
      const { lines } = draw({ height: 8, cursor });
      const selected = lines.filter((l) => l.includes(INVERSE));
      expect(selected).toHaveLength(1);
      expect(stripVTControlCharacters(selected[0]!)).toMatch(new RegExp(`^│\\s+${rows[cursor]!.pid} `));
    }
    expect(draw({ cursor: 1, focused: false }).frame).not.toContain(INVERSE);
  });

  it('filters rows by text, keeping every row of a database whose name matches', () => {
    expect(databaseRows(views(), 'sleep').map((r) => r.pid)).toEqual([7]);
    expect(databaseRows(views(), 'main').map((r) => r.pid)).toEqual([103, 101, 102]);
    const { plain } = draw({ filter: 'sleep', width: 120 });
    expect(plain.some((l) => l.includes('SELECT SLEEP(30)'))).toBe(true);
    expect(plain.some((l) => l.includes('UPDATE stock'))).toBe(false);
    expect(plain.some((l) => l.includes('main pg'))).toBe(false);
    expect(draw({ filter: 'nothing-like-this' }).plain.some((l) => l.includes('nothing matches "nothing-like-this"'))).toBe(true);
  });

  it('draws a source from its poll state: an error with since when, before any sample', async () => {
    const source = createDatabaseSource('billing', { postgres: 'postgres://monitor@db-7:5432/billing' });
    const view = databaseView(
      { name: source.name, kind: source.dbKind, target: source.target, levels: { overall: 'ok' }, thresholds: source.thresholds },
      { id: databaseSourceId(source), label: 'db billing', status: 'error', since: NOW - 5000, error: 'connection refused (db-7:5432)', hint: 'is the server running and listening there?' },
      undefined,
    );
    expect(view).toMatchObject({ name: 'billing', kind: 'postgres', target: 'postgres://monitor@db-7:5432/billing', status: 'error', since: NOW - 5000 });
    const { plain } = draw({ databases: [view], width: 120 });
    expect(plain[1]).toContain(`○ billing  postgres://monitor@db-7:5432/billing  down since ${formatClock(NOW - 5000)} (5s): connection refused (db-7:5432)`);
    expect(plain[2]).toContain('is the server running and listening there?');
    await source.close();
  });

  it('says how to add a database when there is none', () => {
    expect(draw({ databases: [] }).plain.some((l) => l.includes('no database configured or found on this machine'))).toBe(true);
  });
});

describe('DatabasesPane on samples from the real servers', () => {
  const sources: DatabaseSource[] = [];
  const real: DatabaseView[] = [];

  beforeAll(async () => {
    sources.push(createDatabaseSource('pg', { postgres: pgUrl() }), createDatabaseSource('maria', { mysql: myUrl() }), createDatabaseSource('redis', { redis: redisUrl() }));
    for (const s of sources) await tick(s);
    // A rate is blank for an interval in which a counter went down: pg's sums over every database drop
    // when another test drops one. Read again until the rate is there, as the next tick would show it.
    const rate = (sample: DatabaseSample) => (sample.kind === 'postgres' ? sample.tps : sample.kind === 'mysql' ? sample.qps : sample.opsPerSec);
    for (const s of sources) {
      const sample = await waitFor('a sample with a rate', async () => {
        const read = await tick(s);
        return rate(read) === undefined ? undefined : read;
      });
      real.push(okView(s.name, s.target, sample, s.thresholds, Date.now()));
    }
  });

  afterAll(async () => {
    for (const s of sources) await s.close();
  });

  it('draws each within 80x8 with its rates filled in', () => {
    // One database per pane: other tests' sessions may fill the busy list meanwhile.
    const expected = { pg: /tps \d/, maria: /qps \d/, redis: /ops \d/ } as Record<string, RegExp>;
    for (const view of real) {
      const { plain } = draw({ databases: [view], width: 80, height: 8, now: Date.now() });
      expect(plain).toHaveLength(8);
      expect(plain.slice(1, 4).join('\n')).toMatch(expected[view.name]!);
      for (const line of plain) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    }
  });
});
