// Store contents for UI tests: built through the same reducers the runtime uses.
import { applySourceError, applySourceOk, hostView, pendingSource } from '../../src/app/apply.js';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { DEFAULT_THRESHOLDS, resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import { reduceResult, type SourceResult } from '../../src/app/sources/registry.js';
import { emptyData, type DataState } from '../../src/app/store.js';
import type { HostConfig, LogLevel, LogLine, ResourceSample } from '../../src/domain/model.js';
import { hostSourceId, sourceKey, type SourceId } from '../../src/domain/source-id.js';
import type { SourceKind } from '../../src/app/sources/registry.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { DEFAULT_DATABASE_THRESHOLDS, type PgBackend, type PostgresSample } from '../../src/services/db/index.js';
import type { HostWatch } from '../../src/services/host-adapter.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';

export const NOW = Date.parse('2026-11-23T12:03:11Z');

export function sample(cpu: number, memory: number, disk: number, at = NOW): ResourceSample {
  return {
    at,
    cpu: { totalPercent: cpu, perCorePercent: [cpu, cpu] },
    memory: { totalBytes: 8 * 1024 ** 3, usedBytes: (memory / 100) * 8 * 1024 ** 3, usedPercent: memory, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks: [{ mount: '/', fs: '/dev/vda1', type: 'ext4', sizeBytes: 100 * 1024 ** 3, usedBytes: disk * 1024 ** 3, usedPercent: disk }],
    load: [0.5, 0.4, 0.3],
    net: { rxBytesPerSec: 1024, txBytesPerSec: 2048 },
    uptimeSec: 3600,
  };
}

/** A source as the runtime adds it: pending since `at`. */
export function withPendingSource(data: DataState, id: SourceId, label: string, at = NOW): DataState {
  return { ...data, sources: { ...data.sources, [sourceKey(id)]: pendingSource({ id, label }, at) } };
}

/** One result as the runtime delivers it: the source marked ok, then its kind's reducer. */
export function deliver<K extends SourceKind>(data: DataState, id: SourceId<K>, result: SourceResult<K>, tracker: ThresholdTracker, at = NOW): DataState {
  return reduceResult(applySourceOk(data, id, at), id, result, { at, tracker });
}

/** The hosts of a config as the runtime seeds them, each with its resources source pending. */
export function hostsData(config: OpsConfig): DataState {
  let data: DataState = { ...emptyData(), hostOrder: config.hosts.map((h) => h.name), hosts: Object.fromEntries(config.hosts.map((h) => [h.name, hostView(h)])) };
  for (const h of config.hosts) data = withPendingSource(data, hostSourceId(h.name, 'resources'), 'resources', NOW - 5000);
  return data;
}

/** One SSH host as the config resolves it, for reducer tests. */
export const WEB1: HostConfig = {
  name: 'web-1',
  local: false,
  ssh: 'deploy@10.0.0.5:22',
  services: ['garden-backend.service', 'nginx.service'],
  systemctl: 'systemctl',
  sudo: false,
  logs: 'auto',
  thresholds: DEFAULT_THRESHOLDS,
  readOnly: false,
};

/** A store holding just this host, before any result. */
export function withHost(config: HostConfig = WEB1): DataState {
  return { ...emptyData(), hostOrder: [config.name], hosts: { [config.name]: hostView(config) } };
}

export function fleetConfig(): OpsConfig {
  return resolveConfig(
    {
      hold: 1,
      hosts: {
        'web-1': { ssh: 'deploy@10.0.0.5', group: 'web', color: 'red', services: ['garden-backend.service', 'nginx.service'] },
        'db-1': { ssh: 'deploy@10.0.0.6', group: 'db' },
        edge: { ssh: 'deploy@10.0.0.7', group: 'web' },
        local: { local: true },
      },
    },
    '/etc/opsdeck/config.yaml',
    loadDefaultBindings(),
  ).config;
}

function line(seq: number, text: string, level: LogLevel): LogLine {
  return { seq, at: NOW + seq, text, knownLevel: level, count: 1 };
}

/** web-1 at cpu warn with a failed unit, db-1 at disk crit, edge unreachable, local ok with logs. */
export function fleetData(config = fleetConfig()): DataState {
  const tracker = new ThresholdTracker(config.holdTicks);
  let data = hostsData(config);
  const feed = (name: string, s: ResourceSample) => {
    data = deliver(data, hostSourceId(name, 'resources'), s, tracker, s.at);
  };
  feed('web-1', sample(76, 40, 30));
  feed('db-1', sample(20, 50, 93));
  feed('local', sample(5, 10, 22));
  data = applySourceError(data, hostSourceId('edge', 'resources'), 'connection refused', NOW);
  data = withPendingSource(data, hostSourceId('web-1', 'services'), 'services');
  data = deliver(data, hostSourceId('web-1', 'services'), {
    at: NOW,
    units: [
      { name: 'garden-backend.service', description: 'Garden DX backend', load: 'loaded', active: 'failed', sub: 'failed', restarts: 3 },
      { name: 'nginx.service', description: 'nginx', load: 'loaded', active: 'active', sub: 'running', since: NOW - 3_600_000, restarts: 0 },
    ],
  }, tracker);
  const lines = [
    line(1, 'GET /health 200', 'info'),
    line(2, 'WARN slow query 1200ms', 'warn'),
    line(3, 'ERROR upstream timed out', 'error'),
    line(4, 'GET /api/plans 200', 'info'),
    line(5, 'GET /api/plans 502', 'error'),
    line(6, 'GET /health 200', 'info'),
  ];
  const log: SourceId<'logs'> = { host: 'local', kind: 'logs', name: '0' };
  data = { ...data, logs: { [sourceKey(log)]: { id: log, host: 'local', label: '/var/log/app.log', lines } } };
  return data;
}

/** The fleet plus one PostgreSQL database with a sleeping query (pid 4242) waiting on a lock held by 4241. */
export function fleetWithDatabase(): DataState {
  const data = fleetData();
  const backend = (pid: number, query: string, over: Partial<PgBackend> = {}): PgBackend => ({
    pid, user: 'app', database: 'garden_dx', application: 'api', client: '10.0.0.7', state: 'active', durationSec: 42, query, blockedBy: [], ...over,
  });
  const holder = backend(4241, 'UPDATE plans SET status = 1 WHERE id = 7', { state: 'idle in transaction', durationSec: 90 });
  const waiter = backend(4242, 'UPDATE plans SET status = 2 WHERE id = 7', { waitEventType: 'Lock', waitEvent: 'transactionid', blockedBy: [4241] });
  const sample: PostgresSample = {
    kind: 'postgres', at: NOW, intervalSec: 2, version: '15.4', connections: { total: 12, max: 100, byState: { active: 2, idle: 9, 'idle in transaction': 1 } },
    counters: { commits: 0, rollbacks: 0, blksHit: 0, blksRead: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0 },
    tps: 12.5, cacheHitPercent: 99.5, hitReads: 4000, deadlocksSinceLast: 0, tempFilesSinceLast: 0, tempBytesSinceLast: 0,
    queries: [holder, waiter], blocking: [{ blocker: holder, blocked: waiter }], idleInTransaction: { count: 1, longestSec: 90 },
    databases: [{ name: 'garden_dx', sizeBytes: 1024 ** 3 }], replication: { role: 'primary', replicas: [] },
  };
  const id: SourceId<'database'> = { host: 'local', kind: 'database', name: 'main' };
  const seeded = withPendingSource(
    { ...data, databases: { main: { name: 'main', kind: 'postgres', target: 'postgres://monitor@db-1:5432/garden_dx', host: 'local', thresholds: DEFAULT_DATABASE_THRESHOLDS, levels: { overall: 'ok' } } } },
    id,
    'db main',
  );
  return deliver(seeded, id, sample, new ThresholdTracker(1));
}

/**
 * A host whose sources answer at once with quiet figures (for tests of something else: its databases,
 * the runtime's timing), and whose doors are this machine's own.
 */
export function quietWatch(host: HostConfig, sources: Partial<HostWatch> = {}, timeoutMs = 1000): HostWatch {
  return {
    ...new LocalHostAdapter().controls(host),
    resources: { timeoutMs, collect: async () => sample(5, 10, 20, Date.now()) },
    processes: { timeoutMs, collect: async () => ({ at: Date.now(), byCpu: [], byMemory: [] }) },
    services: { timeoutMs, collect: async () => ({ at: Date.now(), units: [] }) },
    logStreams: [],
    followLog: () => {
      throw new Error('this test opens no unit log');
    },
    ...sources,
  };
}
