// The one store: services' results land here (data), keys change the view (ui); panes only read it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackupInventory } from '../domain/backup.js';
import type { DatabaseKind, DatabaseSample, DatabaseThresholds, PgDetails } from '../domain/database.js';
import type { DatabaseLevels } from '../domain/database-levels.js';
import type { MaintenanceFlagNote } from '../domain/maintenance.js';
import type { QueryText } from '../domain/explain.js';
import type { Incident } from '../domain/incident.js';
import type { LevelFilter } from '../domain/timeline.js';
import type { DatabaseRow } from './database-rows.js';
import type { Operation } from './operations/registry.js';
import type { OutputPanel } from './output-panel.js';
import type { Confirmation, OperationDescription } from './operations/types.js';
import type { ConnectionState, HostLevels, Level, LogLines, OpsEvent, ProcessSample, ResourceSample, ServicesSample, SourceState, ThresholdPair, Thresholds } from '../domain/model.js';
import type { SourceId } from '../domain/source-id.js';
import type { Alert } from '../domain/alerts.js';
import type { AccessLogSpec, AccessMetrics } from '../domain/access-metrics.js';
import type { LogRuleSpec } from '../domain/log-rules.js';
import type { KeyCount } from '../domain/sliding-window.js';
import type { CheckKind, CheckResult, CheckState } from '../domain/check.js';

export const PANES = ['hosts', 'resources', 'services', 'logs', 'events', 'databases', 'alerts'] as const;
export type PaneId = (typeof PANES)[number];

export const PANE_TITLES: Record<PaneId, string> = {
  hosts: 'Hosts',
  resources: 'Resources',
  services: 'Services',
  logs: 'Logs',
  events: 'Events',
  databases: 'Databases',
  alerts: 'Alerts',
};

export interface HostView {
  name: string;
  local: boolean;
  address: string;
  group?: string;
  color?: string;
  maintenancePath?: string;
  maintenanceOn?: boolean;
  /** What the flag file says while it is set (who, when, why, expiry), as far as it says it. */
  maintenanceNote?: MaintenanceFlagNote;
  /** The flag had expired when last read: its Events line is written once, when this turns true. */
  maintenanceExpired?: boolean;
  /** The expiry `m` offers (config `maintenanceExpiry`). */
  maintenanceExpiryMs?: number;
  /** How its units are acted on (the confirmation shows the exact command). */
  systemctl: string;
  sudo: boolean;
  resources?: ResourceSample;
  processes?: ProcessSample;
  services?: ServicesSample;
  /** The host's limits from the config. */
  thresholds: Thresholds;
  /** Judged by the resources reducer with hold ticks: what every view colours by. */
  levels: HostLevels;
  /** Remote hosts: the SSH connection's state; absent for the local machine. */
  connection?: ConnectionState;
  /** Since when the connection has been down, across reconnects, until it is up again (its events' outage). */
  downSince?: number;
  /** Its connection has been up since opsdeck started: coming up after a failure is then a return, not a first connection. */
  everConnected?: true;
  /** Its resources and units are read from Prometheus (`prometheus:`), not from the host itself. */
  metricsFrom?: 'prometheus';
  /** Its Prometheus target's labels (job, instance, and what relabelling added). */
  labels?: Readonly<Record<string, string>>;
  /** Names of the alerts firing on it and not silenced (`alertmanager:`). */
  firingAlerts?: readonly string[];
}

/** An alert as the Alerts view shows it: which host it names, if opsdeck watches that host. */
export interface AlertView extends Alert {
  /** Its `alertname` label. */
  name: string;
  severity: string;
  host?: string;
}

export interface AlertsView {
  url: string;
  /** By alert name, then host: the view's rows in order. */
  list: readonly AlertView[];
}

/** The `prometheus:` source as the Hosts pane and the fleet's reducer need it. */
export interface PrometheusView {
  url: string;
  /** The label whose value is a discovered host's group. */
  groupLabel?: string;
  /** Host label value -> configured host name (`hosts.NAME.prometheus`). */
  links: Readonly<Record<string, string>>;
  /** Thresholds for the hosts its targets add. */
  thresholds: Thresholds;
  /** Its hosts were marked stale because Prometheus itself failed (not their targets). */
  outage: boolean;
}

export interface HostHistory {
  cpu: readonly number[];
  memory: readonly number[];
  rx: readonly number[];
  tx: readonly number[];
}

/** A database being watched: what it is, its last sample and its threshold levels. */
export interface DatabaseEntry {
  name: string;
  kind: DatabaseKind;
  /** Where it points, without secrets. */
  target: string;
  /** The host it is reached from ('local' or its via: host): its level feeds that host's row. */
  host: string;
  thresholds: DatabaseThresholds;
  sample?: DatabaseSample;
  levels: DatabaseLevels;
}

/** A database's backups (`databases.NAME.backup`): what its directory holds and how old the newest verified one is. */
export interface BackupView {
  /** The database's name in the config. */
  database: string;
  kind: DatabaseKind;
  /** The host its database belongs to: the level feeds that host's row. */
  host: string;
  dir: string;
  /** Hosts whose maintenance flag a restore over the live database sets for its duration. */
  apps: string[];
  /** Seconds since the newest verified backup: warn / crit. */
  thresholds: ThresholdPair;
  inventory?: BackupInventory;
  /** When the newest verified backup was taken; absent when there is none. */
  latestVerifiedAt?: number;
  /** The latest backup's age judged with hold ticks (crit when there is no verified backup, or the directory could not be read). */
  level: Level;
  /** Why the last read of the directory failed (its path and errno text); absent once a read succeeds. */
  error?: string;
}

/** A configured check (`checks:`), its last run and its state as the check reducer judged it. */
export interface CheckView {
  name: string;
  kind: CheckKind;
  /** The URL (without any credentials in it) or host:port. */
  target: string;
  /** The host whose SSH connection it runs through; absent: from this machine. */
  from?: string;
  /** The host row it is listed with. */
  host?: string;
  /** Milliseconds, warn / crit. */
  latency?: ThresholdPair;
  /** Days left on the certificate, warn / crit (fewer is worse). */
  days: ThresholdPair;
  result?: CheckResult;
  /** Failing at once; warn and crit (latency, days left) with hold ticks. */
  state: CheckState;
  /** Why it is not ok, in words. */
  reason?: string;
  /** When the state began. */
  since?: number;
  /** The latest latencies in ms, oldest first (the Checks view's sparkline). */
  latencies: readonly number[];
}

export interface LogView {
  id: SourceId<'logs'>;
  host: string;
  label: string;
  /** The file followed, when it is a configured file. */
  file?: string;
  lines: LogLines;
  /** A unit's log opened from Services (Enter): shown alone while that view is open, never among the host's logs. */
  unit?: string;
  /** Where a unit's log comes from ("journal", or the daemonless systemctl's log file). */
  from?: string;
  /** An access log's figures (`format:` in the config) and its error rate's level. */
  access?: AccessView;
  /** The rules counting on this log's lines. */
  rules?: readonly RuleView[];
}

export interface AccessView {
  spec: AccessLogSpec;
  metrics?: AccessMetrics;
  /** The 5xx share over the window, judged with hold ticks once the window holds minRequests. */
  level: Level;
}

export interface RuleView {
  spec: LogRuleSpec;
  /** The busiest keys in the window. */
  top: readonly KeyCount[];
  /** The keys at or over the threshold, or still held there by the hold ticks, each with its level. */
  alerts: readonly { key: string; count: number; level: Level }[];
}

export interface DataState {
  hostOrder: readonly string[];
  hosts: Record<string, HostView>;
  history: Record<string, HostHistory>;
  /** By sourceKey(id). */
  sources: Record<string, SourceState>;
  /** By sourceKey(id). */
  logs: Record<string, LogView>;
  checks: Record<string, CheckView>;
  /** Absent without a `prometheus:` section. */
  prometheus?: PrometheusView;
  /** Absent without an `alertmanager:` section. */
  alerts?: AlertsView;
  databases: Record<string, DatabaseEntry>;
  /** By database name: those with `backup:` in the config. */
  backups: Record<string, BackupView>;
  /** Why a pane is empty when no source could be set up for it (e.g. "no system log found"). */
  notes: Partial<Record<PaneId, string>>;
  /** Sources are still being looked for (this machine's databases): an empty pane may not stay empty. */
  discovering: boolean;
  events: readonly OpsEvent[];
  /** The incident open now (opened here or by `opsdeck incident start`): new events are tagged with it. */
  incident: Incident | null;
  self: { cpuPercent: number; rssBytes: number };
}

export interface LogViewState {
  /** The seq of the line the paused window is placed by, drawn inverse: its bottom line unless `jumped`; null while following. */
  anchor: number | null;
  /**
   * The anchor is where an e/E/w/W jump landed: shown a third from the top, not at the bottom, so the
   * lines after it (a traceback's) are in view. Kept while j/k and the pages scroll on; read only while paused.
   */
  jumped: boolean;
  wrap: boolean;
  timestamps: boolean;
  /** Index into the host's log sources; -1 for all of them merged. */
  source: number;
}

/** An operation waiting for the operator's answer: data only, the executor runs it. */
export interface PendingOperation {
  operation: Operation;
  description: OperationDescription;
  confirmation: Exclude<Confirmation, { kind: 'none' }>;
  changesOutside: boolean;
}

/** A read the screen waits for: under way, its value, or why it failed. */
export type Pending<T> = { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; error: string; hint?: string };

/** The query details view: one backend's whole text, read on opening, and its plan, read on demand. */
export interface QueryDetailsState {
  database: string;
  pid: number;
  /** The row as it was on opening: shown as last seen once the backend has moved on. */
  row: DatabaseRow;
  /** undefined value: the backend was gone by the time its text was asked for. */
  text: Pending<QueryText | undefined>;
  /** null until asked for (e). */
  plan: Pending<string[]> | null;
  /** First line shown, where the view does not fit the screen. */
  scroll: number;
}

export interface TimelineViewState {
  /** '' for every host. */
  host: string;
  level: LevelFilter;
  text: string;
  /** Rows scrolled up from the newest (0: the newest at the bottom, following). */
  back: number;
  /** `/` pressed: typed characters go to `text` until Enter (keep) or Esc (clear). */
  editing: boolean;
}

/** The event details view (Enter on an Events row): the event as it was on opening, whatever arrives or is dropped after. */
export interface EventDetailsState {
  event: OpsEvent;
  /** First line shown, where the view does not fit the screen. */
  scroll: number;
}

/** The database details view (i in Databases): its statistics, read on opening and on r. */
export interface DatabaseDetailsState {
  database: string;
  details: Pending<PgDetails>;
  /** First line shown, where the view does not fit the screen. */
  scroll: number;
}

export interface Message {
  text: string;
  level: 'info' | 'error';
  at: number;
  /** Said by a `:` command: the next command that goes as asked takes it down (an operation's failure stays until Esc). */
  fromCommand?: true;
  /** A running operation's step: up, with its time, until the next step or the result replaces it. */
  progress?: true;
}

export interface UiState {
  focus: PaneId;
  zoomed: boolean;
  /** The host Resources, Services and Logs show (Enter on a Hosts row). */
  host: string;
  /** When set, Hosts lists only this group's hosts, and Resources, Services and Logs show them all at once. */
  group: string;
  /** Hosts in config order, or the fleet overview's: grouped, worst first (o toggles; worst with `prometheus:`). */
  hostSort: 'config' | 'worst';
  cursor: Record<PaneId, number>;
  /** The event selected in Events (its id); null follows the newest, which new events push down. */
  eventSelection: number | null;
  /** What the Hosts pane shows: the hosts (with the checks not ok under them), or the Checks view. */
  hostsView: 'hosts' | 'checks';
  /** What the Databases pane shows: its busy queries, or each database's backups. */
  databaseView: 'activity' | 'backups';
  /** The query selected in the Databases pane, followed across re-sorts of the busy list. */
  databaseSelection: { database: string; pid: number } | null;
  /** The unit whose log the Logs pane shows (Enter on a unit in Services); it lasts while Logs has the focus. */
  unitLog: { host: string; unit: string } | null;
  /** The process selected in the Resources pane's top list, followed across re-sorts. */
  processSelection: { host: string; pid: number } | null;
  overlay: 'none' | 'help' | 'command' | 'filter' | 'confirm' | 'output' | 'query' | 'database' | 'timeline' | 'event';
  /** The full-screen timeline's filters and scroll (overlay 'timeline'). */
  timeline: TimelineViewState;
  /** The query details view (Enter on a Databases row), while overlay is 'query'. */
  query: QueryDetailsState | null;
  /** The database details view (i in Databases), while overlay is 'database'. */
  databaseDetails: DatabaseDetailsState | null;
  /** The event details view (Enter on an Events row), while overlay is 'event'. */
  eventDetails: EventDetailsState | null;
  /** First help line shown, where the help does not fit the screen. */
  helpScroll: number;
  /** The operation waiting for the operator's answer, while overlay is 'confirm'. */
  confirm: PendingOperation | null;
  /** The last operator command's output, kept after its panel is closed (`:output` opens it again). */
  output: OutputPanel | null;
  input: string;
  completions: readonly string[];
  history: readonly string[];
  historyIndex: number;
  filters: Record<PaneId, string>;
  refreshMs: number;
  paused: boolean;
  /** The data as it was when the screen was paused; collection goes on underneath. */
  frozen: DataState | null;
  logs: LogViewState;
  message: Message | null;
  /** What each running operation last said of its progress, by its target ("backup:main"): views show it beside what it acts on. */
  progress: Readonly<Record<string, string>>;
}

export interface OpsState {
  data: DataState;
  ui: UiState;
}

export type OpsStore = StoreApi<OpsState>;

export function emptyData(): DataState {
  return { hostOrder: [], hosts: {}, history: {}, sources: {}, logs: {}, checks: {}, databases: {}, backups: {}, notes: {}, discovering: false, events: [], incident: null, self: { cpuPercent: 0, rssBytes: 0 } };
}

export function initialUi(overrides: Partial<UiState> = {}): UiState {
  return {
    focus: 'hosts',
    zoomed: false,
    host: '',
    group: '',
    hostSort: 'config',
    cursor: { hosts: 0, resources: 0, services: 0, logs: 0, events: 0, databases: 0, alerts: 0 },
    hostsView: 'hosts',
    databaseView: 'activity',
    databaseSelection: null,
    processSelection: null,
    unitLog: null,
    eventSelection: null,
    overlay: 'none',
    query: null,
    timeline: { host: '', level: 'all', text: '', back: 0, editing: false },
    databaseDetails: null,
    eventDetails: null,
    helpScroll: 0,
    confirm: null,
    output: null,
    input: '',
    completions: [],
    history: [],
    historyIndex: -1,
    filters: { hosts: '', resources: '', services: '', logs: '', events: '', databases: '', alerts: '' },
    refreshMs: 2000,
    paused: false,
    frozen: null,
    logs: { anchor: null, jumped: false, wrap: false, timestamps: false, source: -1 },
    message: null,
    progress: {},
    ...overrides,
  };
}

export function createOpsStore(data: DataState = emptyData(), ui: Partial<UiState> = {}): OpsStore {
  return createStore<OpsState>()(() => ({ data, ui: initialUi(ui) }));
}

/** The panes that have something to show, in order: Databases only with databases, Alerts only with an Alertmanager (or while focused). */
export function shownPanes(data: Pick<DataState, 'databases' | 'alerts'>, focus: PaneId): PaneId[] {
  return PANES.filter((p) => (p !== 'databases' || Object.keys(data.databases).length > 0 || focus === p) && (p !== 'alerts' || data.alerts !== undefined || focus === p));
}

/**
 * The data a paused screen keeps: as it is, but each log's lines kept apart from its buffer, which
 * goes on taking lines and would drop the oldest of a window it handed out (services/logs/buffer.ts).
 */
export function frozenCopy(data: DataState): DataState {
  const logs: DataState['logs'] = {};
  for (const [key, view] of Object.entries(data.logs)) logs[key] = { ...view, lines: view.lines.detached?.() ?? view.lines };
  return { ...data, logs };
}

/** What panes draw: the live data, or the frozen copy while paused. */
export function visibleData(state: OpsState): DataState {
  return state.ui.frozen ?? state.data;
}
