// The rows of the list panes, filtered: one derivation shared by the panes (what is drawn) and the
// key handlers (how far the cursor may go, what Enter selects).
import { worstLevel } from '../domain/thresholds.js';
import type { ConnectionState, Level, OpsEvent, SourceState, UnitState } from '../domain/model.js';
import { databaseView, type DatabaseView } from './database-view.js';
import { databaseRows } from './database-rows.js';
import { textFilter } from './text-filter.js';
import { scopeHosts } from './scope.js';
import type { CheckView, DataState, HostView, PaneId, UiState } from './store.js';

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
  connection?: ConnectionState;
  failedUnits: number;
}

export function hostSources(data: DataState, host: string): SourceState[] {
  return Object.values(data.sources).filter((s) => s.host === host);
}

/**
 * A host's health is its connection and its resources probe: if those work the host is up. Other
 * sources failing (no systemd, a missing log file) are issues shown beside it, not a host down.
 */
export function hostHealth(data: DataState, host: HostView): { health: HostHealth; problem?: SourceState | ConnectionState; issues: SourceState[] } {
  const issues = hostSources(data, host.name).filter((s) => s.kind !== 'resources' && (s.status === 'error' || s.status === 'stale'));
  const connection = host.connection;
  if (connection?.status === 'connecting') {
    // What the handshake waits for is why the host is still pending: reports name it like a failure.
    return { health: 'pending', problem: { ...connection, error: connection.stage }, issues };
  }
  if (connection && connection.status !== 'ok') return { health: 'error', problem: connection, issues };
  const resources = data.sources[`${host.name}:resources`];
  if (!resources) return { health: 'pending', issues };
  const failing = resources.status === 'stale' || resources.status === 'error';
  return { health: resources.status, problem: failing ? resources : undefined, issues };
}

export function hostRows(data: DataState, ui: UiState): HostRow[] {
  const keep = textFilter(ui.filters.hosts);
  return data.hostOrder.flatMap((name) => {
    const host = data.hosts[name];
    if (!host || !keep(`${name} ${host.group ?? ''} ${host.address}`)) return [];
    const { health, problem, issues } = hostHealth(data, host);
    return [
      {
        host,
        health,
        problem,
        issues,
        connection: host.connection,
        level: worstLevel([...Object.values(host.levels), ...Object.values(data.databases).filter((db) => db.host === name).map((db) => db.level)]),
        failedUnits: host.services?.units.filter((u) => u.active === 'failed').length ?? 0,
      },
    ];
  });
}

/** What the Databases pane draws: each database's entry joined with its poll state. */
export function databaseViews(data: DataState): DatabaseView[] {
  return Object.values(data.databases).map((e) => databaseView(e, data.sources[`db:${e.name}`], e.sample));
}

export interface CheckRow {
  check: CheckView;
  source?: SourceState;
}

export function checkRows(data: DataState): CheckRow[] {
  return Object.values(data.checks).map((check) => ({ check, source: data.sources[`check:${check.name}`] }));
}

export interface ServiceRow {
  host: string;
  unit: UnitState;
}

export function serviceRows(data: DataState, ui: UiState): ServiceRow[] {
  const keep = textFilter(ui.filters.services);
  return scopeHosts(data, ui).flatMap((host) =>
    (data.hosts[host]?.services?.units ?? []).filter((u) => keep(`${host} ${u.name} ${u.active} ${u.sub} ${u.description}`)).map((unit) => ({ host, unit })),
  );
}

/** Newest first, like an incident timeline read from the top. */
export function eventRows(data: DataState, ui: UiState): OpsEvent[] {
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
      return hostRows(data, ui).length;
    case 'services':
      return serviceRows(data, ui).length;
    case 'events':
      return eventRows(data, ui).length;
    case 'databases':
      return databaseRows(databaseViews(data), ui.filters.databases).length;
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
