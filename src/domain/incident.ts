// An incident: opened by the operator (a key, or `opsdeck incident start`), closed by them; while it
// is open every event and operation is tagged with its id. Its severity is one of Garden DX's levels
// (their runbook's インシデント対応 table: what each means and how soon someone must answer).
import { jsonObject } from './json-line.js';

export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Garden DX's levels: meaning, response time, who answers. */
export const SEVERITY_MEANING: Record<Severity, { meaning: string; respondWithin: string; who: string }> = {
  P1: { meaning: 'system fully down', respondWithin: '15 min', who: 'everyone' },
  P2: { meaning: 'major function down', respondWithin: '1 h', who: 'on-call and manager' },
  P3: { meaning: 'minor functional fault', respondWithin: '4 h', who: 'on-call' },
  P4: { meaning: 'improvement request', respondWithin: '24 h', who: 'on-call' },
};

export const isSeverity = (text: string): text is Severity => (SEVERITIES as readonly string[]).includes(text);

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  /** Epoch ms. */
  startedAt: number;
  startedBy: string;
  stoppedAt?: number;
  stoppedBy?: string;
}

/** One line of the incidents file: an incident opened, or one closed. */
export type IncidentRecord =
  | { type: 'start'; id: string; title: string; severity: Severity; at: string; user: string }
  | { type: 'stop'; id: string; at: string; user: string };

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** A line as read from the file; undefined when it is not a record (a torn write, a hand edit). */
export function parseIncidentRecord(line: string): IncidentRecord | undefined {
  const r = jsonObject(line);
  if (!r) return undefined;
  if (!isString(r.id) || !isString(r.at) || !isString(r.user) || Number.isNaN(Date.parse(r.at))) return undefined;
  if (r.type === 'stop') return { type: 'stop', id: r.id, at: r.at, user: r.user };
  if (r.type === 'start' && isString(r.title) && typeof r.severity === 'string' && isSeverity(r.severity)) return { type: 'start', id: r.id, title: r.title, severity: r.severity, at: r.at, user: r.user };
  return undefined;
}

/** Every incident the records tell of, oldest first. */
export function incidentsOf(records: readonly IncidentRecord[]): Incident[] {
  const byId = new Map<string, Incident>();
  for (const r of records) {
    if (r.type === 'start') byId.set(r.id, { id: r.id, title: r.title, severity: r.severity, startedAt: Date.parse(r.at), startedBy: r.user });
    else {
      const incident = byId.get(r.id);
      if (incident && incident.stoppedAt === undefined) byId.set(r.id, { ...incident, stoppedAt: Date.parse(r.at), stoppedBy: r.user });
    }
  }
  return [...byId.values()].sort((a, b) => a.startedAt - b.startedAt);
}

/** The one open incident: the newest not closed (opening one while another is open is refused). */
export const openIncident = (incidents: readonly Incident[]): Incident | undefined => incidents.findLast((i) => i.stoppedAt === undefined);

/** "inc-20261201-0942": the day and minute it opened, readable in a file name and on a status line. */
export function incidentId(at: number, taken: ReadonlySet<string>): string {
  const iso = new Date(at).toISOString();
  const base = `inc-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 16).replace(':', '')}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

export function incidentLabel(incident: Incident): string {
  return `${incident.severity} ${incident.title}`;
}
