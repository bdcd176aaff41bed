// Debian's node_exporter, Prometheus and Alertmanager for the metrics and alert sources' tests, each on
// a free loopback port with a temporary data directory, unpacked by scripts/test-tools.sh (never
// installed: their postinst scripts expect systemd). node_exporter's systemd collector needs systemd's
// D-Bus socket (it fails here with "couldn't get dbus connection"), so unit states come from its
// textfile collector: a fixture file in node_systemd_unit_state's own format.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { spawnListening, type ListeningChild } from './ports.js';

const BIN = resolve(import.meta.dirname, '../../.tmp/prometheus/root/usr/bin');

/** The last lines a server wrote, for the error when it does not start. */
function tail(child: ChildProcess): () => string {
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => output;
}

async function startServer(what: string, program: string, args: (port: number) => string[]): Promise<ListeningChild> {
  let describe = () => '';
  return spawnListening(
    what,
    (port) => {
      const child = spawn(join(BIN, program), args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
      describe = tail(child);
      return child;
    },
    () => describe(),
  );
}

async function stopChild(server: ListeningChild | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGKILL');
  await server.exited;
}

/** A unit as node_exporter's systemd collector reports it: one series per state, 1 for the current one. */
export interface FixtureUnit {
  name: string;
  state: 'active' | 'activating' | 'deactivating' | 'failed' | 'inactive';
}

const UNIT_STATES = ['activating', 'active', 'deactivating', 'failed', 'inactive'] as const;

/** node_systemd_unit_state lines as the systemd collector writes them. */
export function unitStateText(units: readonly FixtureUnit[]): string {
  const lines = ['# HELP node_systemd_unit_state Systemd unit', '# TYPE node_systemd_unit_state gauge'];
  for (const unit of units) for (const state of UNIT_STATES) lines.push(`node_systemd_unit_state{name="${unit.name}",state="${state}",type="simple"} ${state === unit.state ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

export interface Exporter {
  port: number;
  /** Its /metrics text now. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface NodeExporter extends Exporter {
  /** Replaces the units its textfile collector reports. */
  setUnits(units: readonly FixtureUnit[]): Promise<void>;
}

/**
 * node_exporter with the collectors opsdeck reads and no others (500 synthetic targets scrape it every
 * 15 s: each scrape must be cheap on a shared 2-core machine).
 */
export async function startNodeExporter(units: readonly FixtureUnit[] = []): Promise<NodeExporter> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-node-exporter-'));
  const textfiles = join(dir, 'textfile');
  await mkdir(textfiles);
  const setUnits = async (list: readonly FixtureUnit[]) => {
    // Renamed into place: the collector never reads half a file.
    await writeFile(join(textfiles, 'units.prom.tmp'), unitStateText(list));
    await rename(join(textfiles, 'units.prom.tmp'), join(textfiles, 'units.prom'));
  };
  await setUnits(units);
  const collectors = ['cpu', 'meminfo', 'filesystem', 'loadavg', 'netdev', 'stat', 'time', 'textfile'];
  const server = await startServer('node_exporter', 'prometheus-node-exporter', (port) => [
    `--web.listen-address=127.0.0.1:${port}`,
    '--collector.disable-defaults',
    ...collectors.map((c) => `--collector.${c}`),
    `--collector.textfile.directory=${textfiles}`,
  ]);
  return {
    port: server.port,
    metrics: async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`, { signal: AbortSignal.timeout(10_000) });
      return response.text();
    },
    setUnits,
    stop: async () => {
      await stopChild(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Percent of one core each /proc/stat mode takes (summing to 100): jiffies gained per second at USER_HZ 100. */
export interface CoreShares {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

const STAT_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/**
 * Serves /proc/stat through a FIFO: blocks until a reader opens it, then writes every core's counters
 * as of that moment (each mode its share of the seconds since start), so they are as fresh at
 * node_exporter's read as the kernel's are. A process of its own: the test's event loop may be late.
 */
const STAT_WRITER = `
const { closeSync, openSync, writeSync } = require('node:fs');
const [fifo, shares] = [process.argv[1], JSON.parse(process.argv[2])];
const modes = ${JSON.stringify(STAT_MODES)};
const started = performance.now();
for (;;) {
  const fd = openSync(fifo, 'w');
  const seconds = (performance.now() - started) / 1000;
  const cores = shares.map((core) => modes.map((mode) => Math.floor(core[mode] * seconds)));
  const all = modes.map((_, m) => cores.reduce((sum, core) => sum + core[m], 0));
  const lines = ['cpu  ' + all.join(' ') + ' 0 0', ...cores.map((core, i) => 'cpu' + i + ' ' + core.join(' ') + ' 0 0'), 'btime 0', 'procs_running 1', 'procs_blocked 0'];
  try {
    writeSync(fd, lines.join('\\n') + '\\n');
  } catch {
    // The reader went away (a scrape timed out): the next one opens it again.
  }
  closeSync(fd);
}
`;

/**
 * node_exporter's cpu and meminfo collectors on a fixture /proc (`--path.procfs`) whose stat counters
 * advance at known shares of each core: a host whose busy fraction is known exactly, whatever this
 * machine's own load.
 */
export async function startCpuFixtureExporter(cores: readonly CoreShares[]): Promise<Exporter> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-proc-'));
  await writeFile(join(dir, 'meminfo'), 'MemTotal:        1048576 kB\nMemFree:          262144 kB\nMemAvailable:     524288 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n');
  await promisify(execFile)('mkfifo', [join(dir, 'stat')]);
  const writer = spawn(process.execPath, ['-e', STAT_WRITER, join(dir, 'stat'), JSON.stringify(cores)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const writerExited = new Promise<void>((done) => writer.once('exit', () => done()));
  const server = await startServer('node_exporter (fixture /proc)', 'prometheus-node-exporter', (port) => [
    `--web.listen-address=127.0.0.1:${port}`,
    `--path.procfs=${dir}`,
    '--collector.disable-defaults',
    '--collector.cpu',
    '--collector.meminfo',
  ]);
  return {
    port: server.port,
    metrics: async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text(),
    stop: async () => {
      await stopChild(server);
      writer.kill('SIGKILL');
      await writerExited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PrometheusOptions {
  /** node_exporter's port. */
  nodePort: number;
  /**
   * Synthetic hosts: node_exporter scraped once per name, each target's `synthetic` label relabelled
   * into `instance`, and `rack` kept as a label to group by; `port` scrapes another node_exporter
   * under that name. Absent: one target, instance 127.0.0.1:PORT.
   */
  instances?: { name: string; rack?: string; port?: number }[];
  scrapeInterval: string;
  /** Alerting rules file content (YAML). */
  rules?: string;
  alertmanagerPort?: number;
  /** Keeps Prometheus's query log, for queries(). */
  queryLog?: boolean;
}

export interface PrometheusServer {
  port: number;
  url: string;
  /** Kills it (the test's "Prometheus is down"); the data directory stays for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Every query it has evaluated, from its query log (`queryLog: true`): the expression, when (epoch ms) and the step (0: instant). */
  queries(): Promise<{ query: string; at: number; stepSec: number }[]>;
  /** How many requests it has answered on an API path, from its own prometheus_http_requests_total. */
  requests(handler: string): Promise<number>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

function prometheusConfig(options: PrometheusOptions, sdFile: string, rulesFile: string | undefined, queryLog: string | undefined): string {
  const lines = [
    'global:',
    `  scrape_interval: ${options.scrapeInterval}`,
    `  evaluation_interval: ${options.scrapeInterval}`,
    ...(queryLog ? [`  query_log_file: ${JSON.stringify(queryLog)}`] : []),
    ...(rulesFile ? ['rule_files:', `  - ${JSON.stringify(rulesFile)}`] : []),
    ...(options.alertmanagerPort ? ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ["127.0.0.1:${options.alertmanagerPort}"]`] : []),
    'scrape_configs:',
    '  - job_name: node',
    `    scrape_timeout: ${options.scrapeInterval}`,
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(sdFile)}]`,
    '    relabel_configs:',
    '      - source_labels: [synthetic]',
    '        regex: (.+)',
    '        target_label: instance',
    '      - regex: synthetic',
    '        action: labeldrop',
  ];
  return `${lines.join('\n')}\n`;
}

/** Prometheus scraping node_exporter as one host or as many synthetic ones. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-prometheus-'));
  const sdFile = join(dir, 'targets.json');
  const address = `127.0.0.1:${options.nodePort}`;
  const groups = options.instances
    ? options.instances.map((i) => ({ targets: [i.port ? `127.0.0.1:${i.port}` : address], labels: { synthetic: i.name, ...(i.rack ? { rack: i.rack } : {}) } }))
    : [{ targets: [address], labels: {} }];
  await writeFile(sdFile, JSON.stringify(groups));
  let rulesFile: string | undefined;
  if (options.rules) {
    rulesFile = join(dir, 'rules.yml');
    await writeFile(rulesFile, options.rules);
  }
  const configFile = join(dir, 'prometheus.yml');
  const queryLog = options.queryLog ? join(dir, 'queries.log') : undefined;
  await writeFile(configFile, prometheusConfig(options, sdFile, rulesFile, queryLog));
  const args = (port: number) => [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  let server: ListeningChild | undefined = await startServer('prometheus', 'prometheus', args);
  const port = server.port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await stopChild(server);
      server = undefined;
    },
    start: async () => {
      if (server) return;
      // The same port, so the config pointing at it stays right: it was ours until a moment ago.
      const child = spawn(join(BIN, 'prometheus'), args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = tail(child);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      const until = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`prometheus did not start again on ${port}:\n${output()}`);
        const ready = await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
        if (ready) break;
        if (Date.now() > until) throw new Error(`prometheus not ready again on ${port} within 30 s:\n${output()}`);
        await new Promise((done) => setTimeout(done, 100));
      }
      server = { child, port, exited };
    },
    queries: async () => {
      if (!queryLog) throw new Error('startPrometheus without queryLog: true keeps no query log');
      const lines = (await readFile(queryLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      return lines.map((line) => {
        const { params } = JSON.parse(line) as { params: { query: string; end: string; step: number } };
        return { query: params.query, at: Date.parse(params.end), stepSec: params.step };
      });
    },
    requests: async (handler) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      let total = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('prometheus_http_requests_total{') && line.includes(`handler="${handler}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    },
    close: async () => {
      await stopChild(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The single number an instant query answers, or undefined while it answers nothing. */
async function scalarQuery(url: string, query: string): Promise<number | undefined> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

/** One series of a range selector: its labels and the samples Prometheus scraped, [epoch seconds, value], oldest first. */
export interface ScrapedSeries {
  labels: Record<string, string>;
  samples: [number, number][];
}

/** The raw samples a range selector (`node_cpu_seconds_total{instance="web-1"}[4s]`) holds when evaluated at `atMs`. */
export async function scrapedSamples(url: string, selector: string, atMs: number): Promise<ScrapedSeries[]> {
  const params = new URLSearchParams({ query: selector, time: (atMs / 1000).toFixed(3) });
  const response = await fetch(`${url}/api/v1/query?${params.toString()}`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { data?: { resultType?: string; result?: { metric: Record<string, string>; values: [number, string][] }[] } };
  if (body.data?.resultType !== 'matrix') throw new Error(`${selector}: expected a matrix, got ${JSON.stringify(body).slice(0, 300)}`);
  return (body.data.result ?? []).map((r) => ({ labels: r.metric, samples: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
}

/** Waits until every one of `count` targets is up and has been scraped `scrapes` times (a past for range queries). */
export async function waitForTargets(url: string, count: number, scrapes = 1, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const up = await scalarQuery(url, 'count(up{job="node"} == 1)');
      const scraped = await scalarQuery(url, 'min(count_over_time(up{job="node"}[10m]))');
      last = `${up ?? 0} of ${count} targets up, at least ${scraped ?? 0} scrapes each`;
      if ((up ?? 0) >= count && (scraped ?? 0) >= scrapes) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`prometheus at ${url}: ${last} after ${timeoutMs} ms`);
}

export interface AlertmanagerServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Alertmanager alone (no cluster), routing every alert to a receiver that sends nothing. */
export async function startAlertmanager(): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, ['route:', '  receiver: quiet', '  group_by: [alertname]', '  group_wait: 0s', 'receivers:', '  - name: quiet', ''].join('\n'));
  const server = await startServer('alertmanager', 'prometheus-alertmanager', (port) => [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    close: async () => {
      await stopChild(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
