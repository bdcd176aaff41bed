// A whole fleet's resources and unit states from Prometheus, read from node_exporter's metrics: a fixed
// set of instant queries per tick whatever the number of hosts (each answers for every host at once,
// split by the host label), and range queries once at the start for the sparklines.
import type { DiskStat, ResourceSample, UnitState } from '../../domain/model.js';
import { usefulDisks } from '../local/resources.js';
import type { PollSource } from '../scheduler.js';
import { PrometheusClient, type RangeSample, type Sample } from './client.js';
import type { HttpEndpoint } from './http.js';

export interface FleetSpec {
  /** The config's name for this Prometheus. */
  name: string;
  endpoint: HttpEndpoint;
  /** A label selector, braces included: `{job="node"}`. */
  selector: string;
  /** The label whose value names a host (`instance`). */
  hostLabel: string;
  /** The window rates are taken over (`1m`): at least two scrapes long. */
  rateWindow: string;
  timeoutMs: number;
}

export interface FleetHost {
  /** The host label's value. */
  name: string;
  /** The target's labels from `up` (job, instance and any the relabelling added). */
  labels: Readonly<Record<string, string>>;
  /** Prometheus's last scrape of it worked (`up == 1`). */
  up: boolean;
  /** Absent while the target is down or its metrics are not there yet. */
  resources?: ResourceSample;
  /** node_exporter's systemd collector's units in their current state; empty without that collector. */
  units: UnitState[];
}

/** Past values for the sparklines, oldest first, one per refresh. */
export interface FleetHistory {
  cpu: number[];
  memory: number[];
  rx: number[];
  tx: number[];
}

export interface FleetSample {
  at: number;
  hosts: FleetHost[];
  /** Only on the first sample: each host's recent past from range queries. */
  history?: Record<string, FleetHistory>;
}

/** The selector with more matchers added inside its braces. */
export function withMatchers(selector: string, ...matchers: string[]): string {
  const inner = selector.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  return `{${[inner, ...matchers].filter((m) => m !== '').join(', ')}}`;
}

export type InstantQuery = 'up' | 'cpu' | 'gauges' | 'filesystems' | 'rx' | 'tx' | 'units';
export type HistoryQuery = 'cpu' | 'memory' | 'rx' | 'tx';

/** Every instant query of a tick, by what it reads: docs/prometheus.md lists them. */
export function instantQueries(spec: Pick<FleetSpec, 'selector' | 'hostLabel' | 'rateWindow'>): Record<InstantQuery, string> {
  const s = (...m: string[]) => withMatchers(spec.selector, ...m);
  const by = spec.hostLabel;
  const w = spec.rateWindow;
  return {
    up: `up${s()}`,
    // Busy seconds per second per core: every mode but idle and iowait, as the SSH probe counts /proc/stat.
    cpu: `sum by (${by}, cpu) (rate(node_cpu_seconds_total${s('mode!~"idle|iowait"')}[${w}]))`,
    // Memory, swap, load and the clock in one answer: plain gauges, told apart by their names.
    gauges: s('__name__=~"node_memory_(MemTotal|MemAvailable|SwapTotal|SwapFree)_bytes|node_load(1|5|15)|node_boot_time_seconds|node_time_seconds"'),
    filesystems: s('__name__=~"node_filesystem_(size|free|avail)_bytes"'),
    rx: `sum by (${by}) (rate(node_network_receive_bytes_total${s('device!="lo"')}[${w}]))`,
    tx: `sum by (${by}) (rate(node_network_transmit_bytes_total${s('device!="lo"')}[${w}]))`,
    units: `node_systemd_unit_state${s()} == 1`,
  };
}

export function historyQueries(spec: Pick<FleetSpec, 'selector' | 'hostLabel' | 'rateWindow'>): Record<HistoryQuery, string> {
  const q = instantQueries(spec);
  const s = (...m: string[]) => withMatchers(spec.selector, ...m);
  return {
    cpu: `100 * avg by (${spec.hostLabel}) (${q.cpu})`,
    memory: `100 * (1 - node_memory_MemAvailable_bytes${s()} / node_memory_MemTotal_bytes${s()})`,
    rx: q.rx,
    tx: q.tx,
  };
}

/** Series by host, in the order they came. */
function byHost<T extends { labels: Readonly<Record<string, string>> }>(series: readonly T[], hostLabel: string): Map<string, T[]> {
  const hosts = new Map<string, T[]>();
  for (const one of series) {
    const name = one.labels[hostLabel];
    if (name === undefined || name === '') continue;
    const list = hosts.get(name);
    if (list) list.push(one);
    else hosts.set(name, [one]);
  }
  return hosts;
}

const finite = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) ? n : 0);
const percent = (fraction: number): number => Math.min(100, Math.max(0, fraction * 100));

function disksOf(series: readonly Sample[]): DiskStat[] {
  const mounts = new Map<string, { fs: string; type: string; size?: number; free?: number; avail?: number }>();
  for (const { labels, value } of series) {
    const mount = labels.mountpoint;
    if (!mount) continue;
    const entry = mounts.get(mount) ?? { fs: labels.device ?? '', type: labels.fstype ?? '' };
    const field = /^node_filesystem_(size|free|avail)_bytes$/.exec(labels.__name__ ?? '')?.[1] as 'size' | 'free' | 'avail' | undefined;
    if (field) entry[field] = value;
    mounts.set(mount, entry);
  }
  const disks: DiskStat[] = [];
  for (const [mount, m] of mounts) {
    if (m.size === undefined || m.free === undefined || m.avail === undefined) continue;
    const used = Math.max(0, m.size - m.free);
    // As df counts it: space reserved for root is neither used nor available to others.
    const usable = used + m.avail;
    disks.push({ mount, fs: m.fs, type: m.type, sizeBytes: m.size, usedBytes: used, usedPercent: usable > 0 ? (used / usable) * 100 : 0 });
  }
  return usefulDisks(disks.sort((a, b) => a.mount.localeCompare(b.mount)));
}

function gaugesOf(series: readonly Sample[]): Map<string, number> {
  return new Map(series.map((s) => [s.labels.__name__ ?? '', s.value]));
}

/** The tick's answers, host by host, into the shapes the SSH probe produces. Pure: tested on captured answers. */
export function assembleFleet(answers: Record<InstantQuery, readonly Sample[]>, hostLabel: string, at: number): FleetHost[] {
  const cpu = byHost(answers.cpu, hostLabel);
  const gauges = byHost(answers.gauges, hostLabel);
  const filesystems = byHost(answers.filesystems, hostLabel);
  const rx = byHost(answers.rx, hostLabel);
  const tx = byHost(answers.tx, hostLabel);
  const units = byHost(answers.units, hostLabel);
  const hosts: FleetHost[] = [];
  for (const [name, [target]] of byHost(answers.up, hostLabel)) {
    const up = target!.value === 1;
    const g = gaugesOf(gauges.get(name) ?? []);
    const cores = (cpu.get(name) ?? []).sort((a, b) => Number(a.labels.cpu) - Number(b.labels.cpu)).map((c) => percent(c.value));
    const total = finite(g.get('node_memory_MemTotal_bytes'));
    const usedBytes = Math.max(0, total - finite(g.get('node_memory_MemAvailable_bytes')));
    const swapTotal = finite(g.get('node_memory_SwapTotal_bytes'));
    const resources: ResourceSample | undefined =
      up && total > 0
        ? {
            at,
            cpu: { totalPercent: cores.length > 0 ? cores.reduce((a, b) => a + b, 0) / cores.length : 0, perCorePercent: cores },
            memory: { totalBytes: total, usedBytes, usedPercent: (usedBytes / total) * 100, swapTotalBytes: swapTotal, swapUsedBytes: Math.max(0, swapTotal - finite(g.get('node_memory_SwapFree_bytes'))) },
            disks: disksOf(filesystems.get(name) ?? []),
            load: [finite(g.get('node_load1')), finite(g.get('node_load5')), finite(g.get('node_load15'))],
            net: { rxBytesPerSec: finite(rx.get(name)?.[0]?.value), txBytesPerSec: finite(tx.get(name)?.[0]?.value) },
            uptimeSec: Math.max(0, finite(g.get('node_time_seconds')) - finite(g.get('node_boot_time_seconds'))),
          }
        : undefined;
    const hostUnits: UnitState[] = (units.get(name) ?? [])
      .filter((u) => u.labels.name)
      .map((u) => ({ name: u.labels.name!, description: '', load: 'loaded', active: u.labels.state ?? '', sub: u.labels.state ?? '' }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const labels = Object.fromEntries(Object.entries(target!.labels).filter(([key]) => key !== '__name__'));
    hosts.push({ name, labels, up, resources, units: hostUnits });
  }
  return hosts.sort((a, b) => a.name.localeCompare(b.name));
}

/** Range answers into each host's series; a missing point (a gap in the scrapes) repeats the one before. */
export function assembleHistory(answers: Record<HistoryQuery, readonly RangeSample[]>, hostLabel: string): Record<string, FleetHistory> {
  const history: Record<string, FleetHistory> = {};
  for (const metric of ['cpu', 'memory', 'rx', 'tx'] as const) {
    for (const [name, [series]] of byHost(answers[metric], hostLabel)) {
      const entry = (history[name] ??= { cpu: [], memory: [], rx: [], tx: [] });
      entry[metric] = series!.values.map(([, v]) => (Number.isFinite(v) ? v : 0));
    }
  }
  return history;
}

/** Every query at once; the answers under the same names. */
async function askAll<Q extends string, T>(queries: Record<Q, string>, ask: (query: string) => Promise<T>): Promise<Record<Q, T>> {
  const names = Object.keys(queries) as Q[];
  const results = await Promise.all(names.map((name) => ask(queries[name])));
  return Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<Q, T>;
}

/**
 * The fleet as one poll source: each tick the instant queries, all at once under the tick's deadline
 * (the signal); the first tick that answers also reads `points` past values `stepMs` apart.
 */
export function fleetSource(spec: FleetSpec, history: { points: number; stepMs: () => number }): PollSource<FleetSample> {
  const client = new PrometheusClient(spec.endpoint);
  const instant = instantQueries(spec);
  let filled = false;
  return {
    timeoutMs: spec.timeoutMs,
    collect: async (signal) => {
      const at = Date.now();
      const now = at / 1000;
      const stepSec = Math.max(1, Math.round(history.stepMs() / 1000));
      const [answers, past] = await Promise.all([
        askAll(instant, (query) => client.instant(query, at, signal)),
        filled ? undefined : askAll(historyQueries(spec), (query) => client.range(query, now - stepSec * history.points, now - stepSec, stepSec, signal)),
      ]);
      filled = true;
      return { at, hosts: assembleFleet(answers, spec.hostLabel, at), ...(past ? { history: assembleHistory(past, spec.hostLabel) } : {}) };
    },
  };
}
