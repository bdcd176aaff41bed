// Issue 14, acceptance 1 and 4: hosts read from Debian's Prometheus scraping Debian's node_exporter
// (test/harness/prometheus.ts), one of them also an SSH host (sshd on loopback, daemonless systemctl).
// Its figures agree with node_exporter's own /metrics; Prometheus stopping marks the hosts stale with
// the reason and they recover when it returns; the SSH host's unit restarts from the keys meanwhile.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import { handleKey } from '../../src/app/dispatch.js';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import { cockpitOperations, statusLine } from '../../src/app/operations/controls.js';
import { hostRows, hostSource, serviceRows } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, emptyData, type OpsStore } from '../../src/app/store.js';
import { auditTrail } from '../../src/services/audit.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { waitFor } from '../helpers/wait.js';
import { startNodeExporter, startPrometheus, waitForTargets, type NodeExporter, type PrometheusServer } from '../harness/prometheus.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';
import { testControls } from '../helpers/controls.js';

const RATE_WINDOW_S = 4;

let node: NodeExporter;
let prometheus: PrometheusServer;
let workspace: Workspace;
let sshd: SshdHost;
let systemd: SystemdRoot;
let scratch: string;
let config: OpsConfig;
let store: OpsStore;
let runtime: Runtime;
let auditLog: string;
/** web-2's CPU sparkline when its first sample arrived. */
let firstHistory = 0;

const data = () => store.getState().data;
const executor = () => cockpitOperations(new OperationExecutor({ ports: runtime.operationPorts(), audit: auditTrail(auditLog), readOnly: false, say: statusLine(store), record: (event) => runtime.recordEvent(event) }), store);
const press = (key: string) => handleKey(store, config.keymap, key, key, testControls(executor()), {});

beforeAll(async () => {
  const user = await ensureTestUser();
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-prometheus-'));
  auditLog = join(scratch, 'audit.jsonl');
  node = await startNodeExporter([
    { name: 'app.service', state: 'active' },
    { name: 'worker.service', state: 'failed' },
  ]);
  // web-1 is the SSH host below; web-2 is known only to Prometheus.
  prometheus = await startPrometheus({ nodePort: node.port, scrapeInterval: '1s', instances: [{ name: 'web-1', rack: 'a' }, { name: 'web-2', rack: 'b' }] });
  workspace = await Workspace.create();
  sshd = await SshdHost.start(workspace, 'web1');
  await workspace.trust(sshd);
  await workspace.writeSshConfig([{ alias: 'web1', port: sshd.port, user: user.name }]);
  const dir = join(sshd.dir, 'systemd');
  await mkdir(dir, { recursive: true });
  systemd = await makeSystemdRoot(dir, { 'app.service': unitFile('App') }, user);
  await systemd.ctl('start', 'app.service');
  // A few seconds of past, for the range queries that fill the sparklines at start.
  await waitForTargets(prometheus.url, 2, 5);
  config = resolveConfig(
    {
      refresh: '1s',
      // No local databases looked for: this test is about hosts.
      databases: {},
      // Every real disk is past these, so the levels and their events show on both kinds of host alike.
      thresholds: { disk: { warn: 0, crit: 0 } },
      prometheus: { url: prometheus.url, rateWindow: `${RATE_WINDOW_S}s`, timeout: '2s', groupLabel: 'rack' },
      hosts: { 'web-1': { ssh: 'web1', systemctl: systemd.systemctl, logs: [], prometheus: 'web-1' } },
    },
    null,
    loadDefaultBindings(),
  ).config;
  store = createOpsStore(emptyData(), { refreshMs: 1000 });
  runtime = new Runtime(config, store, { local: new LocalHostAdapter(), remote: new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000 }) });
  await runtime.prepare();
  runtime.start();
  await waitFor('both hosts read from Prometheus', () => data().hosts['web-1']?.resources && data().hosts['web-2']?.resources, 30_000);
  firstHistory = data().history['web-2']?.cpu.length ?? 0;
}, 120_000);

afterAll(async () => {
  runtime?.stop();
  await systemd?.ctl('stop', 'app.service');
  await sshd?.stop();
  await workspace?.cleanup();
  await prometheus?.close();
  await node?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** node_exporter's /metrics as name{labels} -> value. */
function parseMetrics(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    return [{ name: match[1]!, labels, value: Number(match[3]) }];
  });
}

function busySeconds(metrics: ReturnType<typeof parseMetrics>): { busy: number; total: number; cores: number } {
  const cpu = metrics.filter((m) => m.name === 'node_cpu_seconds_total');
  const busy = cpu.filter((m) => m.labels.mode !== 'idle' && m.labels.mode !== 'iowait').reduce((sum, m) => sum + m.value, 0);
  return { busy, total: cpu.reduce((sum, m) => sum + m.value, 0), cores: new Set(cpu.map((m) => m.labels.cpu)).size };
}

describe('hosts from Prometheus', () => {
  test('web-1\'s CPU, memory and filesystems agree with node_exporter\'s /metrics read now (within the rate window\'s error)', { timeout: 60_000 }, async () => {
    const before = parseMetrics(await node.metrics());
    const from = Date.now();
    // A sample whose whole rate window lies after the first read.
    const sample = await waitFor('a sample a rate window later', () => {
      const r = data().hosts['web-1']?.resources;
      return r && r.at >= from + RATE_WINDOW_S * 1000 + 1000 ? r : undefined;
    }, 30_000);
    const after = parseMetrics(await node.metrics());

    const b0 = busySeconds(before);
    const b1 = busySeconds(after);
    expect(sample.cpu.perCorePercent).toHaveLength(b1.cores);
    // CPU over the two reads against Prometheus's rate over its last window: both are averages over a
    // few seconds of a shared, busy machine, so they agree only roughly.
    const measured = ((b1.busy - b0.busy) / (b1.total - b0.total)) * 100;
    expect(Math.abs(sample.cpu.totalPercent - measured)).toBeLessThan(30);

    const gauge = (name: string) => after.find((m) => m.name === name)!.value;
    const memory = (1 - gauge('node_memory_MemAvailable_bytes') / gauge('node_memory_MemTotal_bytes')) * 100;
    expect(sample.memory.totalBytes).toBe(gauge('node_memory_MemTotal_bytes'));
    expect(Math.abs(sample.memory.usedPercent - memory)).toBeLessThan(3);

    // Every filesystem opsdeck shows is one node_exporter reports, with its size, and used as df counts it.
    expect(sample.disks.length).toBeGreaterThan(0);
    for (const disk of sample.disks) {
      const of = (name: string) => after.find((m) => m.name === name && m.labels.mountpoint === disk.mount)!.value;
      expect(disk.sizeBytes).toBe(of('node_filesystem_size_bytes'));
      const used = of('node_filesystem_size_bytes') - of('node_filesystem_free_bytes');
      expect(Math.abs(disk.usedPercent - (used / (used + of('node_filesystem_avail_bytes'))) * 100)).toBeLessThan(1);
    }
  });

  test('both hosts show in the same rows, levels, units and events as SSH hosts; each row says where its figures come from', async () => {
    const rows = hostRows(data(), { filters: { hosts: '' } });
    expect(rows.map((r) => [r.host.name, r.health, r.level, r.host.metricsFrom, r.host.group ?? null])).toEqual([
      ['web-1', 'ok', 'crit', 'prometheus', null],
      ['web-2', 'ok', 'crit', 'prometheus', 'b'],
    ]);
    // web-1 is still an SSH host for actions: its connection is open.
    await waitFor('web-1 connected over SSH', () => data().hosts['web-1']?.connection?.status === 'ok', 20_000);
    expect(rows.map((r) => r.failedUnits)).toEqual([1, 1]);
    expect(serviceRows(data(), { host: 'web-2', group: '', filters: { services: '' } }).map((r) => `${r.unit.name} ${r.unit.active}`)).toEqual(['app.service active', 'worker.service failed']);
    const events = data().events.map((e) => `${e.host} ${e.kind} ${e.message}`);
    expect(events).toEqual(expect.arrayContaining(['web-2 unit worker.service is failed', expect.stringMatching(/^web-1 threshold disk \(\S+\) crit: \d+% \(crit 0%\)$/)]));
    expect(hostSource(data(), 'web-2', 'resources')?.label).toBe('metrics (prometheus)');
    // The sparklines were filled from range queries at the start, not from this run's ticks alone.
    expect(firstHistory).toBeGreaterThanOrEqual(3);
  });

  test('Prometheus stopped: its hosts go stale with the reason, web-1 restarts a unit over SSH meanwhile, and all recover when it returns', { timeout: 90_000 }, async () => {
    await prometheus.stop();
    const stale = await waitFor('hosts stale', () => {
      const rows = hostRows(data(), { filters: { hosts: '' } });
      return rows.every((r) => r.health === 'stale') ? rows : undefined;
    }, 20_000);
    for (const row of stale) expect(row.problem && 'label' in row.problem ? row.problem.error : undefined).toBe(`prometheus ${prometheus.url}: connection refused`);
    // Figures stay on screen with their age: the last values Prometheus gave.
    expect(data().hosts['web-2']?.resources).toBeDefined();
    expect(data().events.filter((e) => /prometheus .* (down|unavailable)/.test(e.message))).toHaveLength(1);

    // The restart key on web-1's app.service: over its SSH connection, Prometheus or not (the executor
    // verifies a new MainPID before it audits ok).
    store.setState((s) => ({ ...s, ui: { ...s.ui, host: 'web-1', group: '', focus: 'services' } }));
    const index = serviceRows(data(), store.getState().ui).findIndex((r) => r.unit.name === 'app.service');
    store.setState((s) => ({ ...s, ui: { ...s.ui, cursor: { ...s.ui.cursor, services: index } } }));
    press('r');
    if (store.getState().ui.confirm) press('y');
    const audit = await waitFor('the restart audited ok', async () => {
      const lines = (await readFile(auditLog, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      return lines.some((l) => l.outcome === 'ok' || l.outcome === 'failed') ? lines : undefined;
    }, 30_000);
    expect(audit.map((l) => [l.action, l.target, l.outcome])).toEqual([
      ['unit.restart', 'unit:web-1/app.service', 'started'],
      ['unit.restart', 'unit:web-1/app.service', 'ok'],
    ]);

    await prometheus.start();
    await waitFor('hosts ok again', () => hostRows(data(), { filters: { hosts: '' } }).every((r) => r.health === 'ok'), 30_000);
    expect(data().events.filter((e) => /^prometheus .* back after/.test(e.message))).toHaveLength(1);
  });
});
