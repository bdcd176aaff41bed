// The lasting timeline: one JSON line per event, as written to the day's file and read back after a
// restart, and the filter the full-screen timeline view applies (host, level, text).
import { sanitizeLine } from './sanitize.js';
import type { EventKind, OpsEvent } from './model.js';
import { jsonObject } from './json-line.js';

// Every kind, as a record so a kind added to EventKind does not compile until it is read back too.
const KINDS: Record<EventKind, true> = { threshold: true, unit: true, source: true, action: true, log: true, check: true, incident: true, alert: true };
const LEVELS: readonly OpsEvent['level'][] = ['info', 'ok', 'warn', 'crit'];
/** What one event's message may hold once read back: the store's own limit for text from outside. */
const MESSAGE_LIMIT = 2000;

/** The line written for an event: its time as ISO 8601 (UTC), so the file reads without opsdeck. */
export function timelineLine(event: OpsEvent): string {
  const { at, host, kind, level, message, auditId, incident } = event;
  return `${JSON.stringify({ at: new Date(at).toISOString(), host, kind, level, message, ...(auditId ? { auditId } : {}), ...(incident ? { incident } : {}) })}\n`;
}

const isText = (v: unknown): v is string => typeof v === 'string';

/**
 * An event read back; undefined when the line is not one (torn by a crash, edited by hand). The file
 * is ours but lives in the user's directory: its text goes through the same sanitising as a host's.
 */
export function parseTimelineLine(line: string): OpsEvent | undefined {
  const r = jsonObject(line);
  if (!r) return undefined;
  const at = isText(r.at) ? Date.parse(r.at) : Number.NaN;
  if (Number.isNaN(at) || !isText(r.host) || !isText(r.message)) return undefined;
  if (typeof r.kind !== 'string' || !Object.hasOwn(KINDS, r.kind) || !LEVELS.includes(r.level as OpsEvent['level'])) return undefined;
  return {
    at,
    host: sanitizeLine(r.host, 100),
    kind: r.kind as EventKind,
    level: r.level as OpsEvent['level'],
    message: sanitizeLine(r.message, MESSAGE_LIMIT),
    ...(isText(r.auditId) ? { auditId: sanitizeLine(r.auditId, 100) } : {}),
    ...(isText(r.incident) ? { incident: sanitizeLine(r.incident, 100) } : {}),
  };
}

/** The timeline view's level filter: everything, or what is at least this bad. */
export const LEVEL_FILTERS = ['all', 'warn', 'crit'] as const;
export type LevelFilter = (typeof LEVEL_FILTERS)[number];

export interface TimelineFilter {
  /** '' for every host. */
  host: string;
  level: LevelFilter;
  /** Case-insensitive text in the host, message, audit id or incident. */
  text: string;
}

const RANK: Record<OpsEvent['level'], number> = { info: 0, ok: 0, warn: 1, crit: 2 };

export function filterTimeline(events: readonly OpsEvent[], filter: TimelineFilter): OpsEvent[] {
  const text = filter.text.toLowerCase();
  const least = filter.level === 'all' ? 0 : RANK[filter.level];
  return events.filter(
    (e) =>
      (filter.host === '' || e.host === filter.host) &&
      RANK[e.level] >= least &&
      (text === '' || [e.host, e.message, e.auditId ?? '', e.incident ?? ''].some((field) => field.toLowerCase().includes(text))),
  );
}
