// `opsdeck snapshot`: every source collected once, as JSON for scripts, Markdown for an incident
// channel, or plain text for a terminal. Each source kind writes its own sections (src/app/sources).
import type { SourceState } from '../domain/model.js';
import type { OpsConfig } from './config/resolve.js';
import { sourceTimeoutMs } from './refresh.js';
import { hostRows } from './rows.js';
import { Runtime } from './runtime.js';
import { iso, pct } from './snapshot-format.js';
import type { SnapshotSections } from './sources/kind.js';
import { SOURCE_KINDS } from './sources/registry.js';
import { createOpsStore, initialUi, type DataState, type HostView } from './store.js';
import { markdownTable } from './markdown-table.js';
import { findingsAtOrPast, hostSeverity, snapshotFindings, worstSeverity, type Severity } from './snapshot-verdict.js';

export type SnapshotFormat = 'text' | 'json' | 'markdown';

/** Log followers read their backlog for this long from their start, alongside the reads. */
const LOG_GRACE_MS = 700;

const SECTIONS: readonly SnapshotSections[] = Object.values(SOURCE_KINDS).flatMap((kind) => kind.snapshot ?? []);

/** Out of the second after the timeout: what printing the report and closing every connection take. */
const CLOSE_MS = 500;

/**
 * Every source once, the whole run within the per-source timeout (two refreshes, between 1 s and
 * 10 s) plus a second from `startedAt` (a `performance.now()` time; the CLI passes 0, the process's
 * start, so its start-up counts too). Each read still gets its own timeout where that fits. A source
 * that has not answered by the deadline is reported as timed out, an SSH host still connecting with
 * the step its handshake waits for.
 */
export async function collectSnapshot(config: OpsConfig, startedAt = performance.now(), adapters?: ConstructorParameters<typeof Runtime>[2]): Promise<DataState> {
  const deadline = startedAt + sourceTimeoutMs(config.refreshMs) + 1000 - CLOSE_MS;
  const store = createOpsStore();
  // One look, not a watch: each read is judged as it is (hold ticks would leave a CPU read twice at 100 % "ok").
  const runtime = new Runtime({ ...config, holdTicks: 1 }, store, adapters);
  try {
    await runtime.prepare();
    await runtime.collectOnce({ deadline, logGraceMs: LOG_GRACE_MS });
  } finally {
    // No SSH connection, follower or database connection outlives the report.
    runtime.stop();
  }
  return store.getState().data;
}

const merged = (parts: Record<string, unknown>[]): Record<string, unknown> => Object.assign({}, ...parts);

function sourceJson(s: SourceState) {
  return { host: s.id.host, kind: s.id.kind, name: s.id.name, label: s.label, status: s.status, since: iso(s.since), lastOkAt: iso(s.lastOkAt), error: s.error ?? null, hint: s.hint ?? null };
}

/** The version of the JSON shape (docs/snapshot.md): raised when a field changes meaning or goes away, not when one is added. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export function snapshotJson(data: DataState, config: OpsConfig): unknown {
  const rows = hostRows(data, initialUi());
  const findings = snapshotFindings(data);
  return {
    schema: SNAPSHOT_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    config: config.file,
    summary: { worst: worstSeverity(findings), findings },
    hosts: Object.fromEntries(
      rows.map((row) => {
        const h = row.host;
        const common = { address: h.address, group: h.group ?? null, status: row.health, problem: row.problem?.error ?? null, connection: h.connection ?? null, level: hostSeverity(row) };
        return [h.name, { ...common, ...merged(SECTIONS.map((section) => section.hostJson?.(data, h) ?? {})) }];
      }),
    ),
    ...merged(SECTIONS.map((section) => section.json?.(data) ?? {})),
    sources: Object.fromEntries(Object.entries(data.sources).map(([key, s]) => [key, sourceJson(s)])),
    events: data.events.map((e) => ({ ...e, at: iso(e.at) })),
  };
}

const worstDisk = (h: HostView) => (h.resources ? Math.max(0, ...h.resources.disks.map((d) => d.usedPercent)) : undefined);

export function snapshotMarkdown(data: DataState, config: OpsConfig): string {
  const out: string[] = [];
  const rows = hostRows(data, initialUi());
  out.push(`# opsdeck snapshot — ${new Date().toISOString().replace('T', ' ').slice(0, 19)} UTC`, '');
  const right = (name: string) => ({ name, align: 'right' as const });
  out.push(
    ...markdownTable(
      ['host', 'status', 'worst', right('CPU'), right('memory'), right('disk'), right('load 1m'), 'flags'],
      rows.map((row) => {
        const h = row.host;
        const flags = [h.maintenanceOn ? 'maintenance' : '', row.failedUnits > 0 ? `${row.failedUnits} failed unit(s)` : ''].filter(Boolean).join(', ');
        const status = row.health === 'ok' ? 'ok' : `**${row.health}**${row.problem?.error ? `: ${row.problem.error}` : ''}`;
        const level = hostSeverity(row);
        return [h.name, status, level === 'ok' ? 'ok' : `**${level}**`, pct(h.resources?.cpu.totalPercent), pct(h.resources?.memory.usedPercent), pct(worstDisk(h)), h.resources?.load[0].toFixed(2) ?? '–', flags];
      }),
    ),
  );
  for (const row of rows) {
    out.push('', `## ${row.host.name}`, '');
    for (const section of SECTIONS) out.push(...(section.hostMarkdown?.(data, row.host) ?? []));
  }
  for (const section of SECTIONS) out.push(...(section.markdown?.(data) ?? []));
  const troubled = Object.values(data.sources).filter((s) => s.status !== 'ok');
  if (troubled.length > 0) {
    out.push('', '## Sources not ok', '');
    for (const s of troubled) out.push(`- ${s.id.host} ${s.label}: ${s.status}${s.error ? ` — ${s.error}` : ''}${s.hint ? ` (${s.hint})` : ''}`);
  }
  if (config.file) out.push('', `_config: ${config.file}_`);
  return `${out.join('\n')}\n`;
}

/**
 * `--fail-on LEVEL`: exit 1 and a line on stderr naming what is at or past LEVEL (down past crit
 * past warn), else exit 0. The report itself is printed either way.
 */
export function failOnVerdict(data: DataState, threshold: Exclude<Severity, 'ok'>): { exitCode: 0 | 1; message?: string } {
  const failing = findingsAtOrPast(snapshotFindings(data), threshold);
  if (failing.length === 0) return { exitCode: 0 };
  const shown = failing.slice(0, 10).map((f) => `  ${f.level}: ${f.subject}: ${f.reason}`);
  if (failing.length > shown.length) shown.push(`  …and ${failing.length - shown.length} more`);
  return { exitCode: 1, message: `opsdeck: snapshot --fail-on ${threshold}: ${failing.length} at or past ${threshold}\n${shown.join('\n')}\n` };
}

export function snapshotText(data: DataState): string {
  const out: string[] = [];
  for (const row of hostRows(data, initialUi())) {
    const h = row.host;
    out.push(`${h.name} (${h.address}): ${row.health}${row.problem?.error ? ` — ${row.problem.error}` : ''}${row.level !== 'ok' ? ` [${row.level}]` : ''}`);
    for (const section of SECTIONS) out.push(...(section.hostText?.(data, h) ?? []));
  }
  for (const section of SECTIONS) out.push(...(section.text?.(data) ?? []));
  for (const [key, s] of Object.entries(data.sources)) if (s.status !== 'ok') out.push(`source ${key}: ${s.status}${s.error ? ` — ${s.error}` : ''}`);
  return `${out.join('\n')}\n`;
}
