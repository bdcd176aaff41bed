// `opsdeck snapshot`: every source collected once, as JSON for scripts, Markdown for an incident
// channel, or plain text for a terminal.
import { formatDuration } from '../domain/duration.js';
import type { ResourceSample, SourceState } from '../domain/model.js';
import type { DatabaseSample } from '../domain/database.js';
import type { OpsConfig } from './config/resolve.js';
import { checkRows, databaseViews, hostRows } from './rows.js';
import { Runtime } from './runtime.js';
import { createOpsStore, initialUi, type DataState, type HostView } from './store.js';

export type SnapshotFormat = 'text' | 'json' | 'markdown';

const RECENT_LOG_LINES = 20;
const LOG_GRACE_MS = 700;

export async function collectSnapshot(config: OpsConfig): Promise<DataState> {
  const store = createOpsStore();
  const runtime = new Runtime(config, store);
  try {
    await runtime.prepare();
    await runtime.collectOnce(LOG_GRACE_MS);
  } finally {
    // No SSH connection, follower or database connection outlives the report.
    runtime.stop();
  }
  return store.getState().data;
}

function iso(at: number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

function sourceJson(s: SourceState) {
  return { host: s.host, kind: s.kind, label: s.label, status: s.status, since: iso(s.since), lastOkAt: iso(s.lastOkAt), error: s.error ?? null, hint: s.hint ?? null };
}

function resourcesJson(r: ResourceSample | undefined) {
  if (!r) return null;
  return { at: iso(r.at), cpu: r.cpu, memory: r.memory, disks: r.disks, load: r.load, net: r.net, uptimeSec: r.uptimeSec };
}

export function snapshotJson(data: DataState, config: OpsConfig): unknown {
  const rows = hostRows(data, initialUi());
  return {
    generatedAt: new Date().toISOString(),
    config: config.file,
    hosts: Object.fromEntries(
      rows.map((row) => {
        const h = row.host;
        return [
          h.name,
          {
            address: h.address,
            group: h.group ?? null,
            status: row.health,
            problem: row.problem?.error ?? null,
            connection: h.connection ?? null,
            level: row.level,
            levels: h.levels,
            thresholds: config.hosts.find((c) => c.name === h.name)?.thresholds,
            maintenance: h.maintenancePath ? { path: h.maintenancePath, on: h.maintenanceOn ?? null } : null,
            resources: resourcesJson(h.resources),
            processes: h.processes ?? null,
            services: h.services?.units ?? null,
            logs: Object.values(data.logs)
              .filter((l) => l.host === h.name)
              .map((l) => ({ label: l.label, recent: l.lines.slice(-RECENT_LOG_LINES).map((line) => ({ level: line.level, text: line.text, count: line.count })) })),
          },
        ];
      }),
    ),
    checks: Object.fromEntries(
      checkRows(data).map(({ check, source }) => [check.name, { url: check.url, host: check.host ?? null, status: source?.status ?? 'pending', httpStatus: check.result?.status ?? null, latencyMs: check.result ? Math.round(check.result.latencyMs) : null, error: source?.error ?? null }]),
    ),
    databases: Object.fromEntries(
      databaseViews(data).map((view) => [
        view.name,
        { kind: view.kind, target: view.target, status: view.status, since: iso(view.since), error: view.error ?? null, hint: view.hint ?? null, level: data.databases[view.name]?.level ?? 'ok', sample: view.sample ?? null },
      ]),
    ),
    sources: Object.fromEntries(Object.entries(data.sources).map(([id, s]) => [id, sourceJson(s)])),
    events: data.events.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(0)}%`);
const worstDisk = (h: HostView) => (h.resources ? Math.max(0, ...h.resources.disks.map((d) => d.usedPercent)) : undefined);
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function snapshotMarkdown(data: DataState, config: OpsConfig): string {
  const out: string[] = [];
  const rows = hostRows(data, initialUi());
  out.push(`# opsdeck snapshot — ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC`, '');
  out.push('| host | status | worst | CPU | memory | disk | load 1m | flags |', '|---|---|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const h = row.host;
    const flags = [h.maintenanceOn ? 'maintenance' : '', row.failedUnits > 0 ? `${row.failedUnits} failed unit(s)` : ''].filter(Boolean).join(', ');
    const status = row.health === 'ok' ? 'ok' : `**${row.health}**${row.problem?.error ? `: ${row.problem.error}` : ''}`;
    out.push(`| ${h.name} | ${status} | ${row.level === 'ok' ? 'ok' : `**${row.level}**`} | ${pct(h.resources?.cpu.totalPercent)} | ${pct(h.resources?.memory.usedPercent)} | ${pct(worstDisk(h))} | ${h.resources?.load[0].toFixed(2) ?? '–'} | ${flags} |`);
  }
  for (const row of rows) {
    const h = row.host;
    out.push('', `## ${h.name}`, '');
    const r = h.resources;
    if (r) {
      out.push(`- CPU ${r.cpu.totalPercent.toFixed(1)}% on ${r.cpu.perCorePercent.length} cores, load ${r.load.map((l) => l.toFixed(2)).join(' / ')}, up ${formatDuration(r.uptimeSec * 1000)}`);
      out.push(`- Memory ${r.memory.usedPercent.toFixed(1)}% (${gib(r.memory.usedBytes)} of ${gib(r.memory.totalBytes)}), swap ${gib(r.memory.swapUsedBytes)} of ${gib(r.memory.swapTotalBytes)}`);
      out.push('', '| mount | used | size |', '|---|---:|---:|');
      for (const d of r.disks) out.push(`| ${d.mount} | ${d.usedPercent.toFixed(0)}% | ${gib(d.sizeBytes)} |`);
    }
    const units = h.services?.units ?? [];
    if (units.length > 0) {
      out.push('', '| unit | active | sub | restarts |', '|---|---|---|---:|');
      for (const u of [...units].sort((a, b) => Number(b.active === 'failed') - Number(a.active === 'failed'))) out.push(`| ${u.name} | ${u.active === 'failed' ? '**failed**' : u.active} | ${u.sub} | ${u.restarts ?? '–'} |`);
    }
    const errors = Object.values(data.logs)
      .filter((l) => l.host === h.name)
      .flatMap((l) => l.lines.filter((line) => line.level === 'error').map((line) => `${l.label}: ${line.text}`))
      .slice(-10);
    if (errors.length > 0) out.push('', 'Recent error lines:', '', '```', ...errors, '```');
  }
  const databases = databaseViews(data);
  if (databases.length > 0) {
    out.push('', '## Databases', '', '| database | state | figures |', '|---|---|---|');
    for (const view of databases) {
      const state = view.status === 'ok' ? (data.databases[view.name]?.level === 'ok' ? 'ok' : `**${data.databases[view.name]?.level}**`) : `**${view.status}**${view.error ? `: ${view.error}` : ''}`;
      out.push(`| ${view.name} (${view.kind}, ${view.target}) | ${state} | ${view.sample ? databaseFigures(view.sample) : ''} |`);
    }
  }
  const checks = checkRows(data);
  if (checks.length > 0) {
    out.push('', '## Checks', '', '| check | state | url |', '|---|---|---|');
    for (const { check, source } of checks) {
      const state = source?.status === 'ok' ? `ok, HTTP ${check.result?.status} in ${check.result?.latencyMs.toFixed(0)} ms` : `**${source?.status ?? 'pending'}**${source?.error ? `: ${source.error}` : ''}`;
      out.push(`| ${check.name} | ${state} | ${check.url} |`);
    }
  }
  const troubled = Object.values(data.sources).filter((s) => s.status !== 'ok');
  if (troubled.length > 0) {
    out.push('', '## Sources not ok', '');
    for (const s of troubled) out.push(`- ${s.host} ${s.label}: ${s.status}${s.error ? ` — ${s.error}` : ''}${s.hint ? ` (${s.hint})` : ''}`);
  }
  if (config.file) out.push('', `_config: ${config.file}_`);
  return `${out.join('\n')}\n`;
}

export function snapshotText(data: DataState): string {
  const out: string[] = [];
  for (const row of hostRows(data, initialUi())) {
    const h = row.host;
    const r = h.resources;
    out.push(`${h.name} (${h.address}): ${row.health}${row.problem?.error ? ` — ${row.problem.error}` : ''}${row.level !== 'ok' ? ` [${row.level}]` : ''}`);
    if (r) {
      out.push(`  cpu ${pct(r.cpu.totalPercent)}  mem ${pct(r.memory.usedPercent)}  load ${r.load.map((l) => l.toFixed(2)).join(' ')}`);
      for (const d of r.disks) out.push(`  disk ${d.mount} ${pct(d.usedPercent)} of ${gib(d.sizeBytes)}`);
    }
    for (const u of h.services?.units ?? []) out.push(`  unit ${u.name} ${u.active}/${u.sub}`);
  }
  for (const s of Object.values(data.sources)) if (s.status !== 'ok') out.push(`source ${s.id}: ${s.status}${s.error ? ` — ${s.error}` : ''}`);
  return `${out.join('\n')}\n`;
}

/** One line of a database's key figures, as an incident report would quote them. */
function databaseFigures(sample: DatabaseSample): string {
  const n = (v: number | undefined, digits = 1) => (v === undefined ? '–' : v.toFixed(digits));
  switch (sample.kind) {
    case 'postgres':
      return `${sample.connections.total}/${sample.connections.max} connections, ${n(sample.tps)} TPS, cache hit ${n(sample.cacheHitPercent)}%, ${sample.blocking.length} blocked, ${sample.idleInTransaction.count} idle in transaction`;
    case 'mysql':
      return `${sample.threads.connected}/${sample.threads.max} threads (${sample.threads.running} running), ${n(sample.qps)} QPS, ${n(sample.slowSinceLast, 0)} slow, buffer pool hit ${n(sample.bufferPoolHitPercent)}%`;
    case 'redis':
      return `${n(sample.opsPerSec, 0)} ops/s, ${sample.clients.connected} clients (${sample.clients.blocked} blocked), memory ${n(sample.memory.used / 1048576)} MiB, hit ${n(sample.hitPercent)}%, ping ${n(sample.pingMs, 2)} ms`;
  }
}
