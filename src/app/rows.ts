// The rows of the list panes, filtered: one derivation shared by the panes (what is drawn) and the
// key handlers (how far the cursor may go, what Enter selects). Each takes only the fields it reads,
// so a pane can select just those from the store and memoize on exactly them.
import { worstLevel } from '../domain/thresholds.js';
import type { ConnectionState, Level, OpsEvent, SourceState, UnitState } from '../domain/model.js';
import type { CheckState } from '../domain/check.js';
import { hostSourceId, sourceKey, type SourceId } from '../domain/source-id.js';
import type { SourceKind } from './sources/registry.js';
import { checkSourceId } from './sources/check/id.js';
import { databaseSourceId } from './sources/database/id.js';
import { levelConcerns } from './sources/database/levels.js';
import { databaseView, type DatabaseView } from './database-view.js';
import { backupRows } from './backup-rows.js';
import { databaseRows } from './database-rows.js';
import { processRows } from './process-rows.js';
import { textFilter } from './text-filter.js';
import { hostLogAlerts, type LogAlert } from './log-measures.js';
import { scopeHosts } from './scope.js';
import type { AlertView, CheckView, DataState, HostView, PaneId, UiState } from './store.js';

export type HostHealth = 'pending' | 'ok' | 'stale' | 'error';

export interface HostRow {
  host: HostView;
  health: HostHealth;
  /** Worst threshold level of the host's resources. */
  level: Level;
  /** The failure shown in the row ("unreachable since 12:03:11: connection refused"). */
  problem?: SourceState | ConnectionState;
  /** Other sources of the host that are failing (services, logs, maintenance flag). */
  issues: SourceState[];
  /** What the host lacks for some of its sources ("no systemd"): said beside its state, not failing. */
  absent: string[];
  connection?: ConnectionState;
  failedUnits: number;
  /** Its logs' error rates and rules past their thresholds (held levels). */
  logAlerts: LogAlert[];
  /** The host's checks that are not ok (failing, warn or crit): the row names them. */
  checks: CheckRow[];
  /** Its databases and their backups past a threshold, named with what is wrong ("db main connections", "backup main none verified"). */
  dataConcerns: { text: string; level: Level }[];
}

/** A source's state, looked up by the id a reader builds for it. */
export function sourceState(data: Pick<DataState, 'sources'>, id: SourceId): SourceState | undefined {
  return data.sources[sourceKey(id)];
}

/** The one source of a kind a host has (its resources, its services...), by a kind the registry knows. */
export function hostSource(data: Pick<DataState, 'sources'>, host: string, kind: SourceKind): SourceState | undefined {
  return sourceState(data, hostSourceId(host, kind));
}

export function hostSources(data: Pick<DataState, 'sources'>, host: string): SourceState[] {
  return Object.values(data.sources).filter((s) => s.id.host === host);
}

/**
 * A host's health is its connection and its resources probe: if those work the host is up. Other
 * sources failing (a missing log file) are issues shown beside it, not a host down; sources it has
 * nothing for (no systemd) are not failing at all.
 */
export function hostHealth(data: Pick<DataState, 'sources'>, host: HostView, own: readonly SourceState[] = hostSources(data, host.name)): Pick<HostRow, 'health' | 'problem' | 'issues' | 'absent'> {
  const unread = own.filter((s) => s.id.kind !== 'resources' && (s.status === 'error' || s.status === 'stale'));
  const issues = unread.filter((s) => !s.absent);
  const absent = [...new Set(unread.flatMap((s) => (s.absent ? [s.absent] : [])))];
  const connection = host.connection;
  if (connection?.status === 'connecting') {
    // What the handshake waits for is why the host is still pending: reports name it like a failure.
    return { health: 'pending', problem: { ...connection, error: connection.stage }, issues, absent };
  }
  if (connection && connection.status !== 'ok') return { health: 'error', problem: connection, issues, absent };
  const resources = hostSource(data, host.name, 'resources');
  if (!resources) return { health: 'pending', issues, absent };
  const failing = resources.status === 'stale' || resources.status === 'error';
  return { health: resources.status, problem: failing ? resources : undefined, issues, absent };
}

/** Why a host is down, in a few words: "unreachable", "auth failed", "host key refused"; a failing probe by its error. */
export function downReason(problem: SourceState | ConnectionState | undefined): string {
  if (!problem) return 'down';
  if (problem.status === 'stale' || problem.status === 'error') return problem.error ?? 'down';
  return problem.status.replace('-', ' ');
}

/** How a row ranks in the fleet overview, worst first: can't read it, then its worst level, alerts, then fine, then not read yet. */
export function rowRank(row: Pick<HostRow, 'health' | 'level' | 'host'>): number {
  if (row.health === 'error') return 0;
  if (row.health === 'stale') return 1;
  if (row.health === 'pending') return 6;
  if (row.level === 'crit') return 2;
  if ((row.host.firingAlerts?.length ?? 0) > 0) return 3;
  return row.level === 'warn' ? 4 : 5;
}

/**
 * The fleet overview's order: hosts grouped by their group (the worst group first, ungrouped last
 * among equals), worst first within a group, then by name. Stable for equal hosts, so rows do not
 * jump between ticks unless their state changed.
 */
function worstFirst(rows: HostRow[]): HostRow[] {
  const groupRank = new Map<string, number>();
  for (const row of rows) {
    const group = row.host.group ?? '';
    groupRank.set(group, Math.min(groupRank.get(group) ?? 99, rowRank(row)));
  }
  const groupKey = (row: HostRow) => row.host.group ?? '';
  return [...rows].sort(
    (a, b) =>
      groupRank.get(groupKey(a))! - groupRank.get(groupKey(b))! ||
      Number(groupKey(a) === '') - Number(groupKey(b) === '') ||
      groupKey(a).localeCompare(groupKey(b)) ||
      rowRank(a) - rowRank(b) ||
      a.host.name.localeCompare(b.host.name),
  );
}

export interface GroupSummary {
  group: string;
  hosts: number;
  /** How many hosts in it are down or stale, crit, alerting, warn. */
  down: number;
  crit: number;
  alerting: number;
  warn: number;
}

/** One entry per group, in the rows' order: the overview's strip above the rows. */
export function groupSummaries(rows: readonly HostRow[]): GroupSummary[] {
  const byGroup = new Map<string, GroupSummary>();
  for (const row of rows) {
    const group = row.host.group ?? '';
    const entry = byGroup.get(group) ?? { group, hosts: 0, down: 0, crit: 0, alerting: 0, warn: 0 };
    entry.hosts++;
    const rank = rowRank(row);
    if (rank <= 1) entry.down++;
    else if (rank === 2) entry.crit++;
    else if (rank === 3) entry.alerting++;
    else if (rank === 4) entry.warn++;
    byGroup.set(group, entry);
  }
  return [...byGroup.values()];
}

/**
 * The Hosts rows: in config order, or (`hostSort: 'worst'`, the fleet overview) grouped and worst
 * first; only the group in view when `:group` chose one; filtered by name, group and address.
 */
export function hostRows(data: Pick<DataState, 'hostOrder' | 'hosts' | 'sources' | 'databases' | 'backups' | 'checks' | 'logs'>, ui: { filters: { hosts: string }; hostSort?: UiState['hostSort']; group?: string }): HostRow[] {
  const keep = textFilter(ui.filters.hosts);
  const troubled = checkRows(data).filter((row) => checkLevel(row.state) !== 'ok');
  // Each host's sources, found in one pass: a fleet has hundreds of hosts and each a few sources.
  const byHost = new Map<string, SourceState[]>();
  for (const state of Object.values(data.sources)) {
    const list = byHost.get(state.id.host);
    if (list) list.push(state);
    else byHost.set(state.id.host, [state]);
  }
  const rows = data.hostOrder.flatMap((name) => {
    const host = data.hosts[name];
    if (!host || (ui.group && host.group !== ui.group) || !keep(`${name} ${host.group ?? ''} ${host.address}`)) return [];
    const { health, problem, issues, absent } = hostHealth(data, host, byHost.get(name) ?? []);
    const logAlerts = hostLogAlerts(data.logs, name);
    const checks = troubled.filter((row) => row.check.host === name);
    const databases = Object.values(data.databases).filter((db) => db.host === name);
    const backups = Object.values(data.backups).filter((b) => b.host === name);
    const dataConcerns = [
      ...databases.filter((db) => db.levels.overall !== 'ok').map((db) => ({ level: db.levels.overall, text: `db ${db.name} ${levelConcerns(db.levels).join(', ')}` })),
      ...backups.filter((b) => b.level !== 'ok').map((b) => ({ level: b.level, text: `backup ${b.database} ${b.error ? 'unreadable' : b.latestVerifiedAt === undefined ? 'none verified' : 'overdue'}` })),
    ];
    return [
      {
        host,
        health,
        problem,
        issues,
        absent,
        connection: host.connection,
        level: worstLevel([
          host.levels.cpu,
          host.levels.memory,
          host.levels.disk,
          host.levels.load,
          ...databases.map((db) => db.levels.overall),
          ...backups.map((b) => b.level),
          ...logAlerts.map((a) => a.level),
          ...checks.map((row) => checkLevel(row.state)),
        ]),
        failedUnits: host.services?.units.filter((u) => u.active === 'failed').length ?? 0,
        logAlerts,
        checks,
        dataConcerns,
      },
    ];
  });
  return ui.hostSort === 'worst' ? worstFirst(rows) : rows;
}

/** What the Databases pane draws: each database's entry joined with its poll state. */
export function databaseViews(data: Pick<DataState, 'databases' | 'sources'>): DatabaseView[] {
  return Object.values(data.databases).map((e) => databaseView(e, sourceState(data, databaseSourceId(e)), e.sample));
}

export interface CheckRow {
  check: CheckView;
  source?: SourceState;
  /** The check's state, or failing when its run could not even finish (the source's own deadline). */
  state: CheckState;
  reason?: string;
  since?: number;
}

/** A check's state as a host's level: failing counts as crit on its host's row. */
export function checkLevel(state: CheckState): Level {
  return state === 'failing' ? 'crit' : state === 'warn' || state === 'crit' ? state : 'ok';
}

/** The checks in config order, filtered on name, kind, target, hosts and state (the Checks view's `/`). */
export function checkRows(data: Pick<DataState, 'checks' | 'sources'>, filter = ''): CheckRow[] {
  const keep = textFilter(filter);
  return Object.values(data.checks).flatMap((check) => {
    const source = sourceState(data, checkSourceId(check));
    const broken = source?.status === 'error' || source?.status === 'stale';
    const row: CheckRow = broken ? { check, source, state: 'failing', reason: source.error, since: source.since } : { check, source, state: check.state, reason: check.reason, since: check.since };
    return keep(`${check.name} ${check.kind} ${check.target} ${check.from ?? ''} ${check.host ?? ''} ${row.state}`) ? [row] : [];
  });
}

export interface ServiceRow {
  host: string;
  unit: UnitState;
}

export function serviceRows(data: Pick<DataState, 'hostOrder' | 'hosts'>, ui: Pick<UiState, 'host' | 'group'> & { filters: { services: string } }): ServiceRow[] {
  const keep = textFilter(ui.filters.services);
  return scopeHosts(data, ui).flatMap((host) =>
    (data.hosts[host]?.services?.units ?? []).filter((u) => keep(`${host} ${u.name} ${u.active} ${u.sub} ${u.description}`)).map((unit) => ({ host, unit })),
  );
}

/** The Alerts view's rows: Alertmanager's alerts by name, then host (its reducer's order), filtered. */
export function alertRows(data: Pick<DataState, 'alerts'>, ui: { filters: { alerts: string } }): AlertView[] {
  const keep = textFilter(ui.filters.alerts);
  return (data.alerts?.list ?? []).filter((a) => keep(`${a.name} ${a.host ?? ''} ${a.severity} ${a.state} ${Object.values(a.labels).join(' ')}`));
}

/** Newest first, like an incident timeline read from the top. */
export function eventRows(data: Pick<DataState, 'events'>, ui: { filters: { events: string } }): OpsEvent[] {
  const keep = textFilter(ui.filters.events);
  const rows: OpsEvent[] = [];
  for (let i = data.events.length - 1; i >= 0; i--) {
    const event = data.events[i]!;
    if (keep(`${event.host} ${event.kind} ${event.level} ${event.message}`)) rows.push(event);
  }
  return rows;
}

export function listLength(pane: PaneId, data: DataState, ui: UiState): number {
  switch (pane) {
    case 'hosts':
      return ui.hostsView === 'checks' ? checkRows(data, ui.filters.hosts).length : hostRows(data, ui).length;
    case 'services':
      return serviceRows(data, ui).length;
    case 'events':
      return eventRows(data, ui).length;
    case 'databases':
      return ui.databaseView === 'backups' ? backupRows(data.backups, ui.filters.databases).length : databaseRows(databaseViews(data), ui.filters.databases).length;
    case 'resources':
      return processRows(data, ui)?.rows.length ?? 0;
    case 'alerts':
      return alertRows(data, ui).length;
    default:
      return 0;
  }
}

/** The Events row under the cursor: the selected event wherever new ones pushed it, else the newest. */
export function selectedEventIndex(rows: readonly OpsEvent[], ui: Pick<UiState, 'eventSelection'>): number {
  if (ui.eventSelection === null) return 0;
  const found = rows.findIndex((e) => e.id === ui.eventSelection);
  return found >= 0 ? found : 0;
}
