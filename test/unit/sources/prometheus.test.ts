// The prometheus kind on answers captured from Debian's Prometheus 2.42 scraping node_exporter 1.5 as
// two relabelled instances (test/fixtures/prometheus/): the fleet assembled from them, and its reducer
// (hosts added and grouped, the same levels and events as SSH hosts, one event when Prometheus fails).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../../src/app/config/default-keys.js';
import { DEFAULT_THRESHOLDS, resolveConfig } from '../../../src/app/config/resolve.js';
import { parseConfigText } from '../../../src/app/config/load.js';
import { prometheusKind, PROMETHEUS_SOURCE } from '../../../src/app/sources/prometheus/index.js';
import { failFleet, reduceFleet } from '../../../src/app/sources/prometheus/reduce.js';
import { applySourceError, applySourceOk, pendingSource } from '../../../src/app/apply.js';
import { hostRows } from '../../../src/app/rows.js';
import { emptyData, type DataState } from '../../../src/app/store.js';
import { sourceKey } from '../../../src/domain/source-id.js';
import { ThresholdTracker } from '../../../src/domain/thresholds.js';
import { parseMatrix, parseVector, type Sample } from '../../../src/services/prometheus/client.js';
import { assembleFleet, assembleHistory, instantQueries, withMatchers, type FleetSample, type InstantQuery } from '../../../src/services/prometheus/fleet.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/prometheus/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const instant = fixture('instant.json');
const answers = Object.fromEntries(Object.entries(instant).map(([name, answer]) => [name, parseVector(answer)])) as Record<InstantQuery, Sample[]>;
const AT = 1_796_092_000_000;

describe('the queries', () => {
  it('add their matchers inside the configured selector, and are the same few whatever the fleet', () => {
    expect(withMatchers('{job="node"}', 'mode!="idle"')).toBe('{job="node", mode!="idle"}');
    expect(withMatchers('{}', 'device!="lo"')).toBe('{device!="lo"}');
    const queries = instantQueries({ selector: '{job="node", env="prod"}', hostLabel: 'host', rateWindow: '1m' });
    expect(Object.keys(queries)).toEqual(['up', 'cpu', 'gauges', 'filesystems', 'rx', 'tx', 'units']);
    expect(queries.cpu).toBe('sum by (host, cpu) (rate(node_cpu_seconds_total{job="node", env="prod", mode!~"idle|iowait"}[1m]))');
  });

  it('a failed answer is an error with Prometheus\'s own words', () => {
    expect(() => parseVector({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' })).toThrow('query failed: parse error at char 5');
    expect(() => parseVector({ status: 'success', data: { resultType: 'scalar', result: [1, '1'] } })).toThrow('expected a vector, Prometheus answered a scalar');
  });
});

describe('assembleFleet on captured answers', () => {
  const hosts = assembleFleet(answers, 'instance', AT);

  it('makes one host per target, named by the host label, with its labels and units', () => {
    expect(hosts.map((h) => [h.name, h.up, h.labels.rack, h.labels.job])).toEqual([
      ['web-1', true, 'a', 'node'],
      ['web-2', true, 'b', 'node'],
    ]);
    expect(hosts[0]!.units.map((u) => `${u.name} ${u.active}`)).toEqual(['app.service active', 'worker.service failed']);
  });

  it('reads CPU per core, memory, load, uptime and real filesystems the way the SSH probe reports them', () => {
    const r = hosts[0]!.resources!;
    const cores = new Set(answers.cpu.map((s) => s.labels.cpu)).size;
    expect(r.cpu.perCorePercent).toHaveLength(cores);
    expect(r.cpu.totalPercent).toBeCloseTo(r.cpu.perCorePercent.reduce((a, b) => a + b, 0) / cores, 6);
    const gauge = (name: string) => answers.gauges.find((s) => s.labels.instance === 'web-1' && s.labels.__name__ === name)!.value;
    expect(r.memory.totalBytes).toBe(gauge('node_memory_MemTotal_bytes'));
    expect(r.memory.usedBytes).toBe(gauge('node_memory_MemTotal_bytes') - gauge('node_memory_MemAvailable_bytes'));
    expect(r.load).toEqual([gauge('node_load1'), gauge('node_load5'), gauge('node_load15')]);
    expect(r.uptimeSec).toBeCloseTo(gauge('node_time_seconds') - gauge('node_boot_time_seconds'), 3);
    expect(r.disks.length).toBeGreaterThan(0);
    expect(r.disks.every((d) => !['tmpfs', 'overlay', 'proc'].includes(d.type))).toBe(true);
  });

  it('a target Prometheus cannot scrape (up 0) is there, without figures', () => {
    const down = answers.up.map((s) => (s.labels.instance === 'web-2' ? { ...s, value: 0 } : s));
    const fleet = assembleFleet({ ...answers, up: down }, 'instance', AT);
    expect(fleet.map((h) => [h.name, h.up, h.resources !== undefined])).toEqual([
      ['web-1', true, true],
      ['web-2', false, false],
    ]);
  });

  it('range answers become each host\'s past, oldest first', () => {
    const range = fixture('range.json');
    const history = assembleHistory(
      { cpu: parseMatrix(range.cpu), memory: parseMatrix(range.memory), rx: parseMatrix(range.rx), tx: parseMatrix(range.tx) },
      'instance',
    );
    expect(Object.keys(history).sort()).toEqual(['web-1', 'web-2']);
    expect(history['web-1']!.memory.length).toBeGreaterThan(1);
    expect(history['web-1']!.memory.every((m) => m > 0 && m < 100)).toBe(true);
  });
});

describe('the fleet in the store', () => {
  const config = resolveConfig(
    { prometheus: { url: 'http://prom:9090', groupLabel: 'rack' }, hosts: { 'web-1': { ssh: 'web1', prometheus: 'web-1' } } },
    null,
    loadDefaultBindings(),
  ).config;

  function prepared(): DataState {
    const hosts = { 'web-1': { name: 'web-1', local: false, address: 'web1', systemctl: 'systemctl', sudo: false, thresholds: DEFAULT_THRESHOLDS, levels: { cpu: 'ok' as const, memory: 'ok' as const, disk: 'ok' as const, disks: {}, load: 'ok' as const, cores: [] } } };
    const data = prometheusKind.prepare!({ ...emptyData(), hostOrder: ['web-1'], hosts }, { config, hosts: [], timeoutMs: 1000, tunnel: () => undefined, databases: new Map() });
    return { ...data, sources: { ...data.sources, [sourceKey(PROMETHEUS_SOURCE)]: pendingSource({ id: PROMETHEUS_SOURCE, label: 'prometheus http://prom:9090' }, AT) } };
  }

  const sample = (): FleetSample => ({ at: AT, hosts: assembleFleet(answers, 'instance', AT) });

  it('links web-1 to the configured host, adds web-2 in its rack\'s group, both ok', () => {
    const data = reduceFleet(applySourceOk(prepared(), PROMETHEUS_SOURCE, AT), PROMETHEUS_SOURCE, sample(), { at: AT, tracker: new ThresholdTracker(1) });
    expect(data.hostOrder).toEqual(['web-1', 'web-2']);
    expect(hostRows(data, { filters: { hosts: '' } }).map((r) => [r.host.name, r.host.address, r.host.group ?? null, r.health, r.failedUnits])).toEqual([
      ['web-1', 'web1', null, 'ok', 1],
      ['web-2', 'prometheus', 'b', 'ok', 1],
    ]);
    expect(data.events.filter((e) => e.kind === 'unit').map((e) => `${e.host}: ${e.message}`)).toEqual(['web-1: worker.service is failed', 'web-2: worker.service is failed']);
  });

  it('Prometheus failing makes every host stale with its reason in one event, and its return one more, with no event per host', () => {
    const tracker = new ThresholdTracker(1);
    let data = reduceFleet(applySourceOk(prepared(), PROMETHEUS_SOURCE, AT), PROMETHEUS_SOURCE, sample(), { at: AT, tracker });
    const before = data.events.length;
    data = failFleet(applySourceError(data, PROMETHEUS_SOURCE, 'connection refused', AT + 1000), 'connection refused', AT + 1000);
    const rows = hostRows(data, { filters: { hosts: '' } });
    expect(rows.map((r) => [r.health, r.problem && 'error' in r.problem ? r.problem.error : undefined])).toEqual([
      ['stale', 'prometheus http://prom:9090: connection refused'],
      ['stale', 'prometheus http://prom:9090: connection refused'],
    ]);
    expect(data.events.slice(before).map((e) => e.message)).toEqual(['prometheus http://prom:9090 down: connection refused']);
    data = reduceFleet(applySourceOk(data, PROMETHEUS_SOURCE, AT + 5000), PROMETHEUS_SOURCE, { ...sample(), at: AT + 5000 }, { at: AT + 5000, tracker });
    expect(hostRows(data, { filters: { hosts: '' } }).map((r) => r.health)).toEqual(['ok', 'ok']);
    expect(data.events.slice(before + 1).map((e) => e.message)).toEqual(['prometheus http://prom:9090 back after 4s']);
  });
});

describe('the config', () => {
  it('a host linked to Prometheus without a prometheus: section is an error at its line', () => {
    expect(() => parseConfigText('hosts:\n  web-1:\n    ssh: web1\n    prometheus: web-1\n', '/etc/opsdeck.yaml')).toThrow(/opsdeck\.yaml:4:\d+.*no prometheus: section/s);
  });

  it('a selector without braces, or a client certificate without its key, is refused', () => {
    expect(() => parseConfigText('prometheus:\n  url: http://prom:9090\n  selector: job="node"\n', '/etc/opsdeck.yaml')).toThrow(/label selector in braces/);
    expect(() => parseConfigText('prometheus:\n  url: https://prom:9090\n  tls:\n    cert: /etc/c.pem\n', '/etc/opsdeck.yaml')).toThrow(/needs both cert: and key:/);
  });
});
