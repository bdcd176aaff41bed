// What every source kind shares in the store: the hosts' entries, the timeline of events, source
// health (pending, ok, stale, error) and SSH connection state. How one kind's result changes the
// data is that kind's reducer (src/app/sources/<kind>/).
import { formatClock, formatDuration } from '../domain/duration.js';
import { sanitizeLine } from '../domain/sanitize.js';
import type { ConnectionState, HostConfig, OpsEvent, SourceState } from '../domain/model.js';
import { sourceKey, type SourceId } from '../domain/source-id.js';
import type { DataState, HostView } from './store.js';

/**
 * Every name that comes from a host (process names, mount points, unit descriptions, remote stderr
 * in errors) is terminal-safe once it is in the store: any user on a host can name a process after
 * an escape sequence.
 */
const SHORT_TEXT = 300;
export const safeText = (text: string): string => sanitizeLine(text, SHORT_TEXT);
const safeOptional = (text: string | undefined): string | undefined => (text === undefined ? undefined : safeText(text));
export const EVENT_LIMIT = 1000;

export function hostView(host: HostConfig): HostView {
  return {
    name: host.name,
    local: host.local,
    address: host.local ? 'local' : (host.ssh ?? ''),
    group: host.group,
    color: host.color,
    maintenancePath: host.maintenance,
    maintenanceExpiryMs: host.maintenanceExpiryMs,
    systemctl: host.systemctl,
    sudo: host.sudo,
    thresholds: host.thresholds,
    levels: { cpu: 'ok', memory: 'ok', disk: 'ok', disks: {}, load: 'ok', cores: [] },
  };
}

export function withEvents(data: DataState, events: readonly OpsEvent[]): DataState {
  if (events.length === 0) return data;
  const last = data.events.at(-1)?.id ?? 0;
  // While an incident is open, what happens is part of it (the report and the timeline file say so).
  const incident = data.incident?.id;
  // An operation's outcome carries what a host said (a failed unit's last log lines): terminal-safe here,
  // the one door into the timeline, its lines kept apart by a bar rather than run together.
  const all = [...data.events, ...events.map((event, i) => ({ ...event, message: sanitizeLine(event.message.trim().replace(/\s*\n\s*/g, ' | ')), id: last + i + 1, ...(incident && !event.incident ? { incident } : {}) }))];
  return { ...data, events: all.length > EVENT_LIMIT ? all.slice(all.length - EVENT_LIMIT) : all };
}

export function pendingSource(source: { id: SourceId; label: string }, at: number): SourceState {
  return { id: source.id, label: source.label, status: 'pending', since: at };
}

/** Marks a source healthy; coming back from a failure is an event. */
export function applySourceOk(data: DataState, id: SourceId, at: number): DataState {
  const key = sourceKey(id);
  const state = data.sources[key];
  if (!state) return data;
  if (state.status === 'ok') return { ...data, sources: { ...data.sources, [key]: { ...state, lastOkAt: at } } };
  const recovered = state.status === 'stale' || state.status === 'error';
  const next: SourceState = { ...state, status: 'ok', since: at, lastOkAt: at, error: undefined, hint: undefined, absent: undefined, byConnection: undefined };
  const events: OpsEvent[] = recovered && !state.byConnection
    ? [{ at, host: state.id.host, kind: 'source', level: 'info', message: `${state.label} back after ${formatDuration(at - state.since)}` }]
    : [];
  return withEvents({ ...data, sources: { ...data.sources, [key]: next } }, events);
}

/**
 * A failed source keeps its last values (stale) or, never having had any, is in error. `absent` says
 * what the host lacks when that is the reason ("no systemd"): recorded as information, not an outage.
 */
export function applySourceError(data: DataState, id: SourceId, rawError: string, at: number, rawHint?: string, absent?: string): DataState {
  const error = safeText(rawError);
  const hint = safeOptional(rawHint);
  const key = sourceKey(id);
  const state = data.sources[key];
  if (!state) return data;
  const status = state.lastOkAt !== undefined ? 'stale' : 'error';
  if (state.status === status && state.error === error && state.hint === hint && state.absent === absent) return data;
  const wentDown = state.status !== 'stale' && state.status !== 'error';
  // An unreachable host's sources fail with its connection's error: one event (the connection's) says it, not one per source.
  const connection = data.hosts[state.id.host]?.connection;
  const byConnection = connection !== undefined && connection.status !== 'ok' && connection.status !== 'connecting' && !!connection.error && error.includes(connection.error);
  const next: SourceState = { ...state, status, since: wentDown ? at : state.since, error, hint, absent, byConnection: wentDown ? byConnection || undefined : state.byConnection };
  // A source that never worked is news once (warn); one that worked and stopped is an outage (crit).
  const events: OpsEvent[] = !wentDown || byConnection
    ? []
    : absent
      ? [{ at, host: state.id.host, kind: 'source', level: 'info', message: `${state.label} not watched (${absent}): ${error}` }]
      : [{ at, host: state.id.host, kind: 'source', level: state.status === 'pending' ? 'warn' : 'crit', message: `${state.label} ${state.status === 'pending' ? 'unavailable' : 'down'}: ${error}` }];
  return withEvents({ ...data, sources: { ...data.sources, [key]: next } }, events);
}

export const CONNECTION_WORDS: Record<ConnectionState['status'], string> = {
  connecting: 'connecting',
  ok: 'connected',
  unreachable: 'unreachable',
  'auth-failed': 'auth failed',
  'hostkey-refused': 'host key refused',
};

/** Why a host is not connected, without the state's own words the error may begin with ("host key refused: host key refused: …"). */
export function connectionReason(state: ConnectionState): string | undefined {
  const why = state.status === 'connecting' ? state.stage : state.error;
  const words = `${CONNECTION_WORDS[state.status]}: `;
  return why?.startsWith(words) ? why.slice(words.length) : why;
}

/** "unreachable since 12:03:11: connection refused": a connection not ok, as the Hosts row and the confirmation say it. */
export function connectionText(state: ConnectionState): string {
  const why = connectionReason(state);
  return `${CONNECTION_WORDS[state.status]} since ${formatClock(state.since)}${why ? `: ${why}` : ''}`;
}

/** A remote host's SSH state; losing it or getting it back is an event. */
export function applyConnection(data: DataState, hostName: string, raw: ConnectionState): DataState {
  const state: ConnectionState = { ...raw, error: safeOptional(raw.error), hint: safeOptional(raw.hint) };
  const host = data.hosts[hostName];
  if (!host) return data;
  const before = host.connection;
  const failed = state.status !== 'ok' && state.status !== 'connecting';
  // An outage lasts from the first failure to the next connection: an operator's reconnect (R) in
  // between is part of it, whether it fails again (said once, not per R) or gets through.
  const downSince = state.status === 'ok' ? undefined : failed ? (host.downSince ?? state.since) : host.downSince;
  const everConnected = host.everConnected || state.status === 'ok' || undefined;
  const next = { ...data, hosts: { ...data.hosts, [hostName]: { ...host, connection: state, downSince, everConnected } } };
  if (before?.status === state.status || state.status === 'connecting') return next;
  if (failed && before?.status === 'connecting' && host.downSince !== undefined) return next;
  if (!failed && host.downSince === undefined) return next;
  const reason = connectionReason(state);
  const message = failed
    ? `${CONNECTION_WORDS[state.status]}${reason ? `: ${reason}` : ''}`
    : `connected ${host.everConnected ? 'again' : 'for the first time'} after ${formatDuration(state.since - host.downSince!)}`;
  return withEvents(next, [{ at: state.since, host: hostName, kind: 'source', level: failed ? 'crit' : 'info', message }]);
}
