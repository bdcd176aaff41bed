// How each collected value changes the data: thresholds, history and events are decided here, once,
// so the screen, the snapshot and (later) alerts all see the same thing.
import type { CheckResult } from '../services/checks/http.js';
import { formatDuration } from '../domain/duration.js';
import { sanitizeLine } from '../domain/sanitize.js';
import type { ConnectionState, HostConfig, Level, Metric, OpsEvent, ProcessSample, ResourceSample, ServicesSample, SourceState, UnitState } from '../domain/model.js';
import type { PollSource } from '../services/scheduler.js';
import { worstLevel, type ThresholdTracker } from '../domain/thresholds.js';
import { databaseChecks } from '../domain/database-levels.js';
import type { DatabaseSample } from '../domain/database.js';
import type { DataState, HostHistory, HostView } from './store.js';

export const HISTORY_LENGTH = 120;

/**
 * Every name that comes from a host (process names, mount points, unit descriptions, remote stderr
 * in errors) is terminal-safe once it is in the store: any user on a host can name a process after
 * an escape sequence.
 */
const SHORT_TEXT = 300;
const safe = (text: string): string => sanitizeLine(text, SHORT_TEXT);
const safeOptional = (text: string | undefined): string | undefined => (text === undefined ? undefined : safe(text));
export const EVENT_LIMIT = 1000;

export function hostView(host: HostConfig): HostView {
  return {
    name: host.name,
    local: host.local,
    address: host.local ? 'local' : (host.ssh ?? ''),
    group: host.group,
    color: host.color,
    maintenancePath: host.maintenance,
    levels: { cpu: 'ok', memory: 'ok', disk: 'ok' },
  };
}

export function withEvents(data: DataState, events: readonly OpsEvent[]): DataState {
  if (events.length === 0) return data;
  const last = data.events.at(-1)?.id ?? 0;
  const all = [...data.events, ...events.map((event, i) => ({ ...event, id: last + i + 1 }))];
  return { ...data, events: all.length > EVENT_LIMIT ? all.slice(all.length - EVENT_LIMIT) : all };
}

function pushCapped(series: readonly number[], value: number): number[] {
  const next = series.length >= HISTORY_LENGTH ? series.slice(series.length - HISTORY_LENGTH + 1) : [...series];
  next.push(value);
  return next;
}

function metricValues(sample: ResourceSample): Record<Metric, number> {
  return {
    cpu: sample.cpu.totalPercent,
    memory: sample.memory.usedPercent,
    disk: sample.disks.reduce((worst, d) => Math.max(worst, d.usedPercent), 0),
  };
}

function worstDisk(sample: ResourceSample): string {
  const disk = sample.disks.reduce<ResourceSample['disks'][number] | undefined>((w, d) => (!w || d.usedPercent > w.usedPercent ? d : w), undefined);
  return disk ? ` (${disk.mount})` : '';
}

export function applyResources(data: DataState, config: HostConfig, raw: ResourceSample, tracker: ThresholdTracker): DataState {
  const host = data.hosts[config.name];
  if (!host) return data;
  const sample: ResourceSample = { ...raw, disks: raw.disks.map((d) => ({ ...d, mount: safe(d.mount), fs: safe(d.fs), type: safe(d.type) })) };
  const values = metricValues(sample);
  const levels = { ...host.levels };
  const events: OpsEvent[] = [];
  for (const metric of Object.keys(values) as Metric[]) {
    const change = tracker.observe(`${config.name}:${metric}`, values[metric], config.thresholds[metric]);
    levels[metric] = tracker.level(`${config.name}:${metric}`);
    if (change) {
      const where = metric === 'disk' ? worstDisk(sample) : '';
      const pair = config.thresholds[metric];
      const message =
        change.to === 'ok'
          ? `${metric}${where} back to normal: ${values[metric].toFixed(0)}% (from ${change.from})`
          : `${metric}${where} ${change.to}: ${values[metric].toFixed(0)}% (${change.to === 'crit' ? `crit ${pair.crit}` : `warn ${pair.warn}`}%)`;
      events.push({ at: sample.at, host: config.name, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message });
    }
  }
  const previous: HostHistory = data.history[config.name] ?? { cpu: [], memory: [], rx: [], tx: [] };
  const history: HostHistory = {
    cpu: pushCapped(previous.cpu, values.cpu),
    memory: pushCapped(previous.memory, values.memory),
    rx: pushCapped(previous.rx, sample.net.rxBytesPerSec),
    tx: pushCapped(previous.tx, sample.net.txBytesPerSec),
  };
  const next: DataState = {
    ...data,
    hosts: { ...data.hosts, [config.name]: { ...host, resources: sample, levels } },
    history: { ...data.history, [config.name]: history },
  };
  return withEvents(next, events);
}

export function applyProcesses(data: DataState, hostName: string, raw: ProcessSample): DataState {
  const host = data.hosts[hostName];
  const clean = (list: ProcessSample['byCpu']) => list.map((p) => ({ ...p, name: safe(p.name), user: safe(p.user) }));
  const sample: ProcessSample = { ...raw, byCpu: clean(raw.byCpu), byMemory: clean(raw.byMemory) };
  return host ? { ...data, hosts: { ...data.hosts, [hostName]: { ...host, processes: sample } } } : data;
}

function unitEvent(hostName: string, before: UnitState | undefined, after: UnitState, at: number): OpsEvent | undefined {
  if (!before || before.active === after.active) {
    if (before && (after.restarts ?? 0) > (before.restarts ?? 0)) {
      return { at, host: hostName, kind: 'unit', level: 'warn', message: `${after.name} restarted (${after.restarts} restarts)` };
    }
    return before || after.active !== 'failed' ? undefined : { at, host: hostName, kind: 'unit', level: 'crit', message: `${after.name} is failed` };
  }
  const level: Level | 'info' = after.active === 'failed' ? 'crit' : after.active === 'active' ? 'info' : 'warn';
  return { at, host: hostName, kind: 'unit', level, message: `${after.name} ${before.active} → ${after.active} (${after.sub})` };
}

export function applyServices(data: DataState, hostName: string, raw: ServicesSample): DataState {
  const host = data.hosts[hostName];
  if (!host) return data;
  const sample: ServicesSample = {
    ...raw,
    units: raw.units.map((u) => ({ ...u, name: safe(u.name), description: safe(u.description), load: safe(u.load), active: safe(u.active), sub: safe(u.sub) })),
  };
  const before = new Map(host.services?.units.map((u) => [u.name, u]));
  const events = sample.units.flatMap((unit) => unitEvent(hostName, before.get(unit.name), unit, sample.at) ?? []);
  return withEvents({ ...data, hosts: { ...data.hosts, [hostName]: { ...host, services: sample } } }, events);
}

export function applyMaintenance(data: DataState, hostName: string, on: boolean, at: number): DataState {
  const host = data.hosts[hostName];
  if (!host || host.maintenanceOn === on) return data;
  const events: OpsEvent[] =
    host.maintenanceOn === undefined && !on
      ? []
      : [{ at, host: hostName, kind: 'action', level: on ? 'warn' : 'info', message: `maintenance flag ${on ? 'set' : 'cleared'} (${host.maintenancePath})` }];
  return withEvents({ ...data, hosts: { ...data.hosts, [hostName]: { ...host, maintenanceOn: on } } }, events);
}

export function pendingSource(source: Pick<PollSource, 'id' | 'host' | 'kind' | 'label'>, at: number): SourceState {
  return { id: source.id, host: source.host, kind: source.kind, label: source.label, status: 'pending', since: at };
}

/** Marks a source healthy; coming back from a failure is an event. */
export function applySourceOk(data: DataState, id: string, at: number): DataState {
  const state = data.sources[id];
  if (!state) return data;
  if (state.status === 'ok') return { ...data, sources: { ...data.sources, [id]: { ...state, lastOkAt: at } } };
  const recovered = state.status === 'stale' || state.status === 'error';
  const next: SourceState = { ...state, status: 'ok', since: at, lastOkAt: at, error: undefined, hint: undefined };
  const events: OpsEvent[] = recovered
    ? [{ at, host: state.host, kind: 'source', level: 'info', message: `${state.label} back after ${formatDuration(at - state.since)}` }]
    : [];
  return withEvents({ ...data, sources: { ...data.sources, [id]: next } }, events);
}

/** A failed source keeps its last values (stale) or, never having had any, is in error. */
export function applySourceError(data: DataState, id: string, rawError: string, at: number, rawHint?: string): DataState {
  const error = safe(rawError);
  const hint = safeOptional(rawHint);
  const state = data.sources[id];
  if (!state) return data;
  const status = state.lastOkAt !== undefined ? 'stale' : 'error';
  if (state.status === status && state.error === error && state.hint === hint) return data;
  const wentDown = state.status !== 'stale' && state.status !== 'error';
  const next: SourceState = { ...state, status, since: wentDown ? at : state.since, error, hint };
  // A source that never worked is news once (warn); one that worked and stopped is an outage (crit).
  const events: OpsEvent[] = wentDown
    ? [{ at, host: state.host, kind: 'source', level: state.status === 'pending' ? 'warn' : 'crit', message: `${state.label} ${state.status === 'pending' ? 'unavailable' : 'down'}: ${error}` }]
    : [];
  return withEvents({ ...data, sources: { ...data.sources, [id]: next } }, events);
}

export function applyCheck(data: DataState, name: string, result: CheckResult): DataState {
  const check = data.checks[name];
  return check ? { ...data, checks: { ...data.checks, [name]: { ...check, result } } } : data;
}

const CONNECTION_WORDS: Record<ConnectionState['status'], string> = {
  connecting: 'connecting',
  ok: 'connected',
  unreachable: 'unreachable',
  'auth-failed': 'auth failed',
  'hostkey-refused': 'host key refused',
};

/** A remote host's SSH state; losing it or getting it back is an event. */
export function applyConnection(data: DataState, hostName: string, raw: ConnectionState): DataState {
  const state: ConnectionState = { ...raw, error: safeOptional(raw.error), hint: safeOptional(raw.hint) };
  const host = data.hosts[hostName];
  if (!host) return data;
  const before = host.connection;
  const next = { ...data, hosts: { ...data.hosts, [hostName]: { ...host, connection: state } } };
  if (before?.status === state.status || state.status === 'connecting') return next;
  const failed = state.status !== 'ok';
  const wasDown = before !== undefined && before.status !== 'ok' && before.status !== 'connecting';
  if (!failed && !wasDown) return next;
  const message = failed
    ? `${CONNECTION_WORDS[state.status]}${state.error ? `: ${state.error}` : ''}`
    : `connected again after ${formatDuration(state.since - before!.since)}`;
  return withEvents(next, [{ at: state.since, host: hostName, kind: 'source', level: failed ? 'crit' : 'info', message }]);
}

/** A database sample: its thresholds go through the same hold-tick tracker as a host's. */
export function applyDatabase(data: DataState, name: string, sample: DatabaseSample, tracker: ThresholdTracker): DataState {
  const entry = data.databases[name];
  if (!entry) return data;
  const events: OpsEvent[] = [];
  const levels: Level[] = [];
  for (const check of databaseChecks(sample, entry.thresholds)) {
    const key = `db:${name}:${check.metric}`;
    const change = tracker.observe(key, check.observe.value, check.observe.pair);
    levels.push(tracker.level(key));
    if (change) {
      events.push({ at: sample.at, host: entry.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message: `${name}: ${check.text}${change.to === 'ok' ? ' (back to normal)' : ''}` });
    }
  }
  return withEvents({ ...data, databases: { ...data.databases, [name]: { ...entry, sample, level: worstLevel(levels) } } }, events);
}
