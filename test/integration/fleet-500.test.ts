// Issue 14, acceptance 2: 500 synthetic targets (node_exporter scraped under 500 instance labels by
// relabelling, in 10 racks) at a 15 s scrape interval. Each tick asks Prometheus the same fixed number
// of queries, counted by Prometheus itself, and the fleet overview renders at 80x24: groups with their
// trouble, worst first, a filter, and :group narrowing to one rack. CPU and memory figures for
// docs/PERFORMANCE.md come from scripts/bench-fleet.ts, not from here.
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import { hostRows } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { PROMETHEUS_SOURCE } from '../../src/app/sources/prometheus/index.js';
import { createOpsStore, emptyData, type OpsStore } from '../../src/app/store.js';
import { sourceKey } from '../../src/domain/source-id.js';
import { instantQueries } from '../../src/services/prometheus/fleet.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { waitFor } from '../helpers/wait.js';
import { startNodeExporter, startPrometheus, waitForTargets, type NodeExporter, type PrometheusServer } from '../harness/prometheus.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';

const HOSTS = 500;
const instances = Array.from({ length: HOSTS }, (_, i) => ({ name: `node-${String(i + 1).padStart(3, '0')}`, rack: `r${String(Math.floor(i / 50)).padStart(2, '0')}` }));

let node: NodeExporter;
let prometheus: PrometheusServer;
let config: OpsConfig;
let store: OpsStore;
let runtime: Runtime;
let app: AppHarness | undefined;

const fleetSample = () => store.getState().data.sources[sourceKey(PROMETHEUS_SOURCE)]?.lastOkAt;

beforeAll(async () => {
  node = await startNodeExporter([{ name: 'app.service', state: 'active' }]);
  prometheus = await startPrometheus({ nodePort: node.port, scrapeInterval: '15s', instances, queryLog: true });
  // Prometheus spreads the first scrapes over the interval.
  await waitForTargets(prometheus.url, HOSTS, 1, 90_000);
  config = resolveConfig(
    // A tick every 2 s (the scrape interval does not bound it): several ticks to count in a short test.
    { refresh: '2s', databases: {}, prometheus: { url: prometheus.url, groupLabel: 'rack', timeout: '10s' }, hosts: { local: { local: true, logs: [], services: [] } } },
    null,
    loadDefaultBindings(),
  ).config;
  store = createOpsStore(emptyData(), { refreshMs: 2000, hostSort: 'worst' });
  runtime = new Runtime(config, store, { local: new LocalHostAdapter() });
  await runtime.prepare();
  runtime.start();
  await waitFor('all 500 hosts in', () => store.getState().data.hostOrder.length === HOSTS + 1, 60_000);
}, 180_000);

afterAll(async () => {
  app?.unmount();
  runtime?.stop();
  await prometheus?.close();
  await node?.stop();
});

describe('500 hosts from Prometheus', () => {
  test('each tick sends the same few queries, whatever the number of hosts', { timeout: 90_000 }, async () => {
    // Each tick's instant queries are evaluated at the tick's own instant, so Prometheus's query log
    // groups them by tick, however the ticks overlap with reading the log on a loaded machine.
    const landed = async (after: number | undefined) => waitFor('the next tick', () => (fleetSample() !== after ? fleetSample() : undefined), 30_000);
    // Ticks do not overlap: the three that landed after `first` asked at instants in (first, last].
    const first = await landed(fleetSample());
    let last = first;
    for (let i = 0; i < 3; i++) last = await landed(last);
    const perTick = new Map<number, string[]>();
    for (const q of await prometheus.queries()) {
      if (q.stepSec === 0 && q.at > first! && q.at <= last!) perTick.set(q.at, [...(perTick.get(q.at) ?? []), q.query]);
    }
    const expected = Object.values(instantQueries(config.prometheus!)).sort();
    expect(perTick.size).toBe(3);
    for (const queries of perTick.values()) expect(queries.sort()).toEqual(expected);
    // The range queries were sent once, at the start, not per tick.
    expect(await prometheus.requests('/api/v1/query_range')).toBe(4);
  });

  test('the fleet overview at 80x24: a strip of racks, rows grouped by rack, a filter, and :group to one rack', { timeout: 60_000 }, async () => {
    const data = store.getState().data;
    expect(hostRows(data, { filters: { hosts: '' }, hostSort: 'worst' })).toHaveLength(HOSTS + 1);
    app = await renderApp(config, data, { columns: 80, rows: 24, ui: { hostSort: 'worst' } });
    const screen = () => stripVTControlCharacters(app!.frame());
    const shownHosts = () => [...screen().matchAll(/node-(\d{3})/g)].map((m) => Number(m[1]));
    // Every rack in the strip, with its size; every row a host of the rack shown first.
    expect(screen()).toMatch(/r00 50/);
    expect(screen().split('\n').length).toBeLessThanOrEqual(24);
    expect(screen()).toMatch(/Hosts.*501\/501/);
    await app.press('/', ...'node-4', KEYS.enter);
    // 100 hosts match; the pane shows the first of them and says so.
    expect(screen()).toMatch(/\/node-4 1–\d+ of 100\/501/);
    // Which hosts come first depends on their live figures (worst first); every one shown must match.
    expect(shownHosts().length).toBeGreaterThan(0);
    expect(shownHosts().every((n) => n >= 400 && n <= 499), `${shownHosts()}`).toBe(true);
    await app.press(KEYS.escape);
    await app.press(':', ...'group r07', KEYS.enter);
    expect(screen()).toMatch(/Hosts.*50\/501/);
    // r07 holds node-351 to node-400.
    expect(shownHosts().length).toBeGreaterThan(0);
    expect(shownHosts().every((n) => n >= 351 && n <= 400), `${shownHosts()}`).toBe(true);
  });
});
