// The postmortem draft (`opsdeck report`, the cockpit's report key): Garden DX's template (their
// runbook's ポストモータム: basic information, summary, timeline, root cause, impact, response,
// prevention, action items, lessons), its placeholders left for people, and filled with what opsdeck
// knows: the impact window, what was seen (the lasting timeline) and done (the audit log, with who
// and what it verified), the state of every pane when the incident opened and when it closed, and
// the error lines of each log around the start.
import type { AuditRecord } from '../domain/audit.js';
import { formatDuration } from '../domain/duration.js';
import { SEVERITY_MEANING, type Incident } from '../domain/incident.js';
import { levelOf } from '../domain/log-level.js';
import type { OpsEvent } from '../domain/model.js';
import { readAudit } from '../services/audit.js';
import type { IncidentStore } from '../services/incidents.js';
import { readTimeline } from '../services/timeline-file.js';
import type { OpsConfig } from './config/resolve.js';
import { markdownTable } from './markdown-table.js';
import { ofThisConfig } from './timeline.js';
import { snapshotMarkdown } from './snapshot.js';
import type { DataState } from './store.js';

/** The timeline starts this long before the incident: what led up to it. */
export const LEAD_IN_MS = 10 * 60 * 1000;
/** Error lines kept per log in a capture. */
const ERROR_LINES_PER_LOG = 20;

const utc = (at: number): string => new Date(at).toISOString().replace('T', ' ').slice(0, 19);
const MARKS: Record<OpsEvent['level'], string> = { ok: '●', info: '●', warn: '▲', crit: '✖' };

/**
 * What the screen shows at one moment, as Markdown: every host's row, resources, units, databases,
 * backups and checks (the snapshot's sections) and the error lines of each log since `errorsFrom`.
 */
export function stateCapture(data: DataState, config: OpsConfig, at: number, errorsFrom: number, by: string): string {
  // The snapshot's own title goes; its sections sit under the report's headings, two levels down.
  const body = snapshotMarkdown(data, config)
    .split('\n')
    .slice(1)
    .map((line) => (line.startsWith('#') ? `##${line}` : line));
  const out = [`_As ${by} saw it at ${utc(at)} UTC._`, ...body];
  out.push('', '#### Error lines in the logs', '', `_From ${utc(errorsFrom)} to ${utc(at)} UTC, at most ${ERROR_LINES_PER_LOG} per log._`);
  let any = false;
  for (const log of Object.values(data.logs)) {
    const errors = [...log.lines].filter((l) => levelOf(l) === 'error' && l.at >= errorsFrom && l.at <= at).slice(-ERROR_LINES_PER_LOG);
    if (errors.length === 0) continue;
    any = true;
    out.push('', `${log.host} ${log.label}${log.file ? ` (${log.file})` : ''}:`, '', '```', ...errors.map((l) => `${utc(l.at).slice(11)} ${l.text}${l.count > 1 ? ` (×${l.count})` : ''}`), '```');
  }
  if (!any) out.push('', 'No error lines.');
  return `${out.join('\n')}\n`;
}

export interface ReportInput {
  incident?: Incident;
  /** The impact window: the incident's, or --since to now. */
  from: number;
  to: number;
  /** From the timeline file, LEAD_IN_MS before `from` to `to`. */
  events: readonly OpsEvent[];
  audit: readonly AuditRecord[];
  startState?: string;
  endState?: string;
  generatedAt: number;
}

interface Row {
  at: number;
  what: 'seen' | 'done' | 'incident';
  who: string;
  text: string;
}

/** Each operation once, by its audit id: when it started, who ran it, its outcome and what it verified (the Events line, when the cockpit ran it). */
function operationRows(audit: readonly AuditRecord[], events: readonly OpsEvent[]): Row[] {
  const said = new Map(events.flatMap((e) => (e.auditId ? [[e.auditId, e.message] as const] : [])));
  const byId = new Map<string, { started?: AuditRecord; outcome?: AuditRecord }>();
  for (const r of audit) {
    const entry = byId.get(r.id) ?? {};
    if (r.outcome === 'started') entry.started = r;
    else entry.outcome = r;
    byId.set(r.id, entry);
  }
  return [...byId.entries()].map(([id, { started, outcome }]) => {
    const first = (started ?? outcome)!;
    const result = outcome ? `${outcome.outcome}${said.has(id) ? `: ${said.get(id)}` : outcome.error ? `: ${outcome.error}` : ''}` : 'no outcome recorded (still running, or opsdeck stopped)';
    return { at: Date.parse(first.at), what: 'done', who: first.user, text: `${first.action} ${first.target} → ${result} (audit ${id})` };
  });
}

function timelineRows(input: ReportInput): Row[] {
  // An operation is told once, from the audit log (who, outcome); an incident's opening and closing
  // from its records, which also know who when it was done from the command line.
  const seen: Row[] = input.events
    .filter((e) => !(e.kind === 'action' && e.auditId) && e.kind !== 'incident')
    .map((e) => ({ at: e.at, what: 'seen', who: e.kind === 'action' ? 'opsdeck' : '', text: `${MARKS[e.level]} ${e.level} ${e.host ? `${e.host}: ` : ''}${e.message}` }));
  const incident: Row[] = [];
  if (input.incident) {
    const i = input.incident;
    incident.push({ at: i.startedAt, what: 'incident', who: i.startedBy, text: `incident ${i.id} opened: ${i.severity} ${i.title}` });
    if (i.stoppedAt !== undefined) incident.push({ at: i.stoppedAt, what: 'incident', who: i.stoppedBy ?? '', text: `incident ${i.id} closed` });
  }
  return [...seen, ...operationRows(input.audit, input.events), ...incident].sort((a, b) => a.at - b.at);
}

export function postmortemMarkdown(input: ReportInput): string {
  const i = input.incident;
  const severity = i ? `${i.severity}: ${SEVERITY_MEANING[i.severity].meaning} (respond within ${SEVERITY_MEANING[i.severity].respondWithin}; ${SEVERITY_MEANING[i.severity].who})` : '<!-- P1..P4 -->';
  const ended = i ? (i.stoppedAt !== undefined ? `${utc(i.stoppedAt)} UTC (closed by ${i.stoppedBy})` : `still open at ${utc(input.to)} UTC`) : `${utc(input.to)} UTC (report time)`;
  const rows = timelineRows(input);
  const operations = input.audit.filter((r) => r.outcome !== 'started');
  const out: string[] = [
    `# Postmortem: ${i ? i.title : `since ${utc(input.from)} UTC`}`,
    '',
    `_Draft written by opsdeck at ${utc(input.generatedAt)} UTC, following the Garden DX postmortem template (インシデント事後分析レポート). Fill in the comments._`,
    '',
    '## Basic information (基本情報)',
    '',
    `- **Incident ID**: ${i?.id ?? '<!-- none opened -->'}`,
    `- **Started**: ${utc(input.from)} UTC${i ? ` (opened by ${i.startedBy})` : ''}`,
    `- **Resolved**: ${ended}`,
    `- **Impact window**: ${utc(input.from)} – ${utc(input.to)} UTC (${formatDuration(Math.max(0, input.to - input.from))})`,
    `- **Severity**: ${severity}`,
    '',
    '## Summary (概要)',
    '',
    '<!-- What happened, in two or three sentences. -->',
    '',
    '## Timeline (タイムライン)',
    '',
    `_Seen (the cockpit's events) and done (the audit log: who, and what it verified), from ${formatDuration(LEAD_IN_MS)} before the start. Times in UTC._`,
    '',
    ...(rows.length > 0 ? markdownTable(['time', 'what', 'who', 'detail'], rows.map((r) => [utc(r.at), r.what, r.who || '–', r.text])) : ['Nothing was recorded in this window.']),
    '',
    '## Root cause (根本原因)',
    '',
    '<!-- Why it happened. -->',
    '',
    '## Impact (影響範囲)',
    '',
    '- **Users affected**: <!-- -->',
    '- **Functions affected**: <!-- -->',
    '- **Business impact**: <!-- -->',
    '',
    '## Response (対応内容)',
    '',
    '### Operations (from the audit log)',
    '',
    ...(operations.length > 0
      ? markdownTable(['time', 'who', 'action', 'target', 'outcome', 'audit id'], operations.map((r) => [utc(Date.parse(r.at)), r.user, r.action, r.target, r.outcome + (r.error ? `: ${r.error}` : ''), r.id]))
      : ['No operation was recorded in this window.']),
    '',
    '### Temporary response (暫定対応)',
    '',
    '<!-- What was done to stop the bleeding. -->',
    '',
    '### Permanent fix (根本対応)',
    '',
    '<!-- What fixes the cause. -->',
    '',
    '## State at start (開始時の状態)',
    '',
    input.startState ?? '_Not captured: no incident was opened at the start of this window._',
    '',
    '## State at end (終了時の状態)',
    '',
    input.endState ?? '_Not captured._',
    '',
    '## Prevention (予防策)',
    '',
    '<!-- How it does not happen again. -->',
    '',
    '## Action items (アクションアイテム)',
    '',
    '- [ ] <!-- action --> - <!-- owner --> - <!-- due -->',
    '',
    '## Lessons learned (学んだこと)',
    '',
    '<!-- What we learned. -->',
  ];
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** Which window a report covers: an incident by id, the open or latest one, or since a time. */
export type ReportSelection = { incident?: string } | { since: number };

export interface ReportSources {
  incidents: IncidentStore;
  timelineDir: string;
  auditPath: string;
  /** The state now, for an incident still open or a --since window (the cockpit's screen, or a snapshot). */
  stateNow(errorsFrom: number): Promise<string>;
  /** This config's hosts: the timeline is the user's, and another config's hosts are not this report's (configHosts). */
  hosts: ReadonlySet<string> | undefined;
}

/** Reads what a report needs and writes it; an Error when the incident asked for does not exist. */
export async function buildPostmortem(sources: ReportSources, selection: ReportSelection, now = Date.now()): Promise<{ markdown: string; incident?: Incident }> {
  const { incidents } = await sources.incidents.list();
  let incident: Incident | undefined;
  if ('since' in selection) incident = undefined;
  else if (selection.incident) {
    incident = incidents.find((x) => x.id === selection.incident);
    if (!incident) throw new Error(`no incident ${selection.incident} (incidents: ${incidents.map((x) => x.id).join(', ') || 'none yet'})`);
  } else {
    incident = incidents.findLast((x) => x.stoppedAt === undefined) ?? incidents.at(-1);
    if (!incident) throw new Error('no incident has been opened: give --since TIME (or open one with `opsdeck incident start`)');
  }
  const from = incident ? incident.startedAt : (selection as { since: number }).since;
  const to = incident?.stoppedAt ?? now;
  const [timeline, { records }] = await Promise.all([readTimeline(sources.timelineDir, from - LEAD_IN_MS, to), readAudit(from - LEAD_IN_MS, to, sources.auditPath)]);
  const events = timeline.events.filter((event) => ofThisConfig(event, sources.hosts));
  const startState = incident ? await sources.incidents.capture(incident.id, 'start') : undefined;
  const endState = incident?.stoppedAt !== undefined ? await sources.incidents.capture(incident.id, 'end') : await sources.stateNow(from);
  const markdown = postmortemMarkdown({ incident, from, to, events, audit: records, startState, endState, generatedAt: now });
  return { markdown, incident };
}
