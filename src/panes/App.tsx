// The screen: tab bar, panes laid out for the terminal size, status or prompt line; keys go to dispatch.
import { memo, useMemo, useRef } from 'react';
import { Box, useApp, useInput } from 'ink';
import { keyName } from '../hooks/keys.js';
import { useOps, useOpsShallow, useOpsStore, useTerminalSize } from '../hooks/store.js';
import { EventsPane } from './EventsPane.js';
import { AlertsPane } from './AlertsPane.js';
import { ALERTS_SOURCE } from '../app/sources/alerts/id.js';
import { HostsPane } from './HostsPane.js';
import { ChecksPane } from './ChecksPane.js';
import { LogsPane } from './LogsPane.js';
import { ResourcesPane } from './ResourcesPane.js';
import { ServicesPane } from './ServicesPane.js';
import { BackupsPane } from './BackupsPane.js';
import { DatabasesPane } from './DatabasesPane.js';
import { helpLayout, HelpOverlay } from './HelpOverlay.js';
import { ConfirmDialog, confirmHeight } from './ConfirmDialog.js';
import { OutputPanel } from './OutputPanel.js';
import { outputPanelInner, outputPanelRows } from '../app/output-panel.js';
import { timelineCapacity, TimelineView } from './TimelineView.js';
import { IncidentLine } from './IncidentBanner.js';
import { filterTimeline } from '../domain/timeline.js';
import { queryDetailCapacity, queryDetailLines, QueryDetailsView } from './QueryDetails.js';
import { liveQueryRow } from '../app/query-details.js';
import { databaseDetailLines, DatabaseDetailsView } from './DatabaseDetails.js';
import { eventDetailLines, EventDetailsView } from './EventDetails.js';
import { Prompt, StatusBar, TabBar } from './Chrome.js';
import { SummaryBar } from './MaintenanceBanner.js';
import { maintenanceBanner, maintenanceSummary, type MaintenanceBanner } from '../app/maintenance-view.js';
import type { OpsConfig } from '../app/config/resolve.js';
import type { Controls } from '../app/commands.js';
import { handleKey, type Viewport } from '../app/dispatch.js';
import { computeLayout, innerRows, type PaneBox } from '../app/layout.js';
import { anchorIndex, linesOfHosts } from '../app/logview.js';
import { connectionText } from '../app/apply.js';
import { secondNow } from '../domain/duration.js';
import { measuredLogsSelector, measureLines } from '../app/log-measures.js';
import { alertRows, groupSummaries, checkRows, databaseViews, eventRows, hostRows, selectedEventIndex, serviceRows, hostSource, sourceState } from '../app/rows.js';
import { backupRows } from '../app/backup-rows.js';
import { backupTarget } from '../app/operations/backup.js';
import { databaseRows, selectedDatabaseRow } from '../app/database-rows.js';
import { processRows, selectedProcessRow } from '../app/process-rows.js';
import { scopeHosts, scopeLabel, selectedHost } from '../app/scope.js';
import { PANES, visibleData, type DataState } from '../app/store.js';
import { hostRunbooks, type RunbookIndex } from '../app/runbooks.js';

/**
 * One field of what panes draw: the live data, or the frozen copy while paused. The store commits an
 * unchanged field with the same identity, so a container selecting fields one by one re-renders, and
 * its memos recompute, only when a field it reads has changed.
 */
function useData<K extends keyof DataState>(key: K): DataState[K] {
  return useOps((s) => visibleData(s)[key]);
}

/** The log views without their lines (log-measures.ts): for what reads the logs' measures, not their tail. */
function useMeasuredLogs(): DataState['logs'] {
  const select = useMemo(measuredLogsSelector, []);
  return useOps((s) => select(visibleData(s).logs));
}

function useHostColors(): Record<string, string | undefined> {
  // Colours come from the config, the hosts they sit in change on every tick: compared by content,
  // the record stays the same object and the panes given it stay memoized.
  return useOpsShallow((s) => Object.fromEntries(s.data.hostOrder.map((h) => [h, s.data.hosts[h]?.color])));
}

/** What every pane slot gets: its box, whether it has the focus, and the key that clears a maintenance flag (for banners). */
interface PaneProps {
  box: PaneBox;
  focused: boolean;
  clearKey?: string;
}

interface SlotProps extends PaneProps {
  /** What names a runbook, and the key that opens one: failing items show it. */
  runbooks: RunbookIndex;
  runbookKey?: string;
}

/**
 * The maintenance banner of the hosts the detail panes show. Selected as text (minutes resolution), so
 * the hosts changing on every tick redraw no pane unless the banner itself changed.
 */
function useBanner(clearKey: string | undefined): MaintenanceBanner | undefined {
  const encoded = useOps((s) => {
    const data = visibleData(s);
    const banner = maintenanceBanner(scopeHosts(data, s.ui).map((name) => data.hosts[name]), secondNow(), clearKey);
    return banner ? `${banner.expired ? '!' : ' '}${banner.text}` : '';
  });
  return useMemo(() => (encoded ? { expired: encoded[0] === '!', text: encoded.slice(1) } : undefined), [encoded]);
}

function ChecksContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const checkViews = useData('checks');
  const sources = useData('sources');
  const filter = useOps((s) => s.ui.filters.hosts);
  const cursor = useOps((s) => s.ui.cursor.hosts);
  const rows = useMemo(() => checkRows({ checks: checkViews, sources }, filter), [checkViews, sources, filter]);
  return <ChecksPane rows={rows} total={Object.keys(checkViews).length} width={box.width} height={box.height} focused={focused} cursor={Math.min(cursor, Math.max(0, rows.length - 1))} filter={filter} />;
}

function HostsContainer({ box, focused, clearKey, runbooks, runbookKey }: SlotProps) {
  const showChecks = useOps((s) => s.ui.hostsView === 'checks');
  return showChecks ? <ChecksContainer box={box} focused={focused} /> : <HostListContainer box={box} focused={focused} clearKey={clearKey} runbooks={runbooks} runbookKey={runbookKey} />;
}

function HostListContainer({ box, focused, clearKey, runbooks, runbookKey }: SlotProps) {
  const hostOrder = useData('hostOrder');
  const hosts = useData('hosts');
  const sources = useData('sources');
  const databases = useData('databases');
  const backups = useData('backups');
  const logs = useMeasuredLogs();
  const checkViews = useData('checks');
  const filter = useOps((s) => s.ui.filters.hosts);
  const cursor = useOps((s) => s.ui.cursor.hosts);
  const host = useOps((s) => s.ui.host);
  const group = useOps((s) => s.ui.group);
  const hostSort = useOps((s) => s.ui.hostSort);
  const rows = useMemo(() => hostRows({ hostOrder, hosts, sources, databases, backups, checks: checkViews, logs }, { filters: { hosts: filter }, hostSort, group }), [hostOrder, hosts, sources, databases, backups, checkViews, logs, filter, hostSort, group]);
  const checks = useMemo(() => checkRows({ checks: checkViews, sources }), [checkViews, sources]);
  // The overview's strip: each group's hosts and how many are in trouble, worst group first.
  const groupStrip = useMemo(() => (hostSort === 'worst' && !group ? groupSummaries(rows) : []), [rows, hostSort, group]);
  const withRunbook = useMemo(
    () => Object.fromEntries(hostOrder.flatMap((h) => hostRunbooks(runbooks, { hosts, checks: checkViews, sources }, h).filter((r) => r.kind !== 'check').slice(0, 1).map((r) => [h, r.what]))),
    [runbooks, hostOrder, hosts, checkViews, sources],
  );
  const checkRunbooks = useMemo(() => new Set(Object.keys(runbooks.checks)), [runbooks]);
  return (
    <HostsPane
      runbooks={withRunbook}
      checkRunbooks={checkRunbooks}
      runbookKey={runbookKey}
      rows={rows}
      groups={groupStrip.length > 1 || (groupStrip.length === 1 && groupStrip[0]!.group !== '') ? groupStrip : []}
      checks={checks}
      total={hostOrder.length}
      width={box.width}
      height={box.height}
      focused={focused}
      cursor={Math.min(cursor, Math.max(0, rows.length - 1))}
      selected={group ? '' : selectedHost({ hostOrder, hosts }, { host })}
      filter={filter}
      now={secondNow()}
      clearKey={clearKey}
    />
  );
}

function ResourcesContainer({ box, focused, clearKey }: PaneProps) {
  const hostOrder = useData('hostOrder');
  const hosts = useData('hosts');
  const history = useData('history');
  const sources = useData('sources');
  const host = useOps((s) => s.ui.host);
  const group = useOps((s) => s.ui.group);
  const entries = useMemo(
    () =>
      scopeHosts({ hostOrder, hosts }, { host, group }).flatMap((name) => {
        const view = hosts[name];
        return view ? [{ host: view, history: history[name], source: hostSource({ sources }, name, 'resources') }] : [];
      }),
    [hostOrder, hosts, history, sources, host, group],
  );
  const banner = useBanner(clearKey);
  const cursor = useOps((s) => s.ui.cursor.resources);
  const processSelection = useOps((s) => s.ui.processSelection);
  const list = processRows({ hostOrder, hosts }, { host, group });
  const processCursor = list ? selectedProcessRow(list.host, list.rows, { cursor: { resources: cursor }, processSelection }).index : -1;
  return (
    <ResourcesPane
      entries={entries}
      banner={banner}
      title={scopeLabel({ hostOrder, hosts }, { host, group })}
      width={box.width}
      height={box.height}
      focused={focused}
      now={secondNow()}
      processCursor={processCursor}
    />
  );
}

function ServicesContainer({ box, focused, clearKey, runbooks, runbookKey }: SlotProps) {
  const hostColors = useHostColors();
  const hostOrder = useData('hostOrder');
  const hosts = useData('hosts');
  const sources = useData('sources');
  const host = useOps((s) => s.ui.host);
  const group = useOps((s) => s.ui.group);
  const filter = useOps((s) => s.ui.filters.services);
  const cursor = useOps((s) => s.ui.cursor.services);
  const rows = useMemo(() => serviceRows({ hostOrder, hosts }, { host, group, filters: { services: filter } }), [hostOrder, hosts, host, group, filter]);
  const states = useMemo(() => scopeHosts({ hostOrder, hosts }, { host, group }).flatMap((h) => hostSource({ sources }, h, 'services') ?? []), [hostOrder, hosts, sources, host, group]);
  const banner = useBanner(clearKey);
  const withRunbook = useMemo(() => new Set(Object.entries(runbooks.hosts).flatMap(([h, units]) => Object.keys(units).map((u) => `${h}/${u}`))), [runbooks]);
  return (
    <ServicesPane
      runbooks={withRunbook}
      runbookKey={runbookKey}
      rows={rows}
      banner={banner}
      sources={states}
      showHost={group !== ''}
      hostColors={hostColors}
      title={scopeLabel({ hostOrder, hosts }, { host, group })}
      width={box.width}
      height={box.height}
      focused={focused}
      cursor={Math.min(cursor, Math.max(0, rows.length - 1))}
      filter={filter}
      now={secondNow()}
    />
  );
}

function LogsContainer({ box, focused, clearKey }: PaneProps) {
  const hostColors = useHostColors();
  const banner = useBanner(clearKey);
  // The scope reads the hosts, which change on every resources tick; compared by content it changes
  // only with the selection or the host list, and the lines are merged again only then.
  const scope = useOpsShallow((s) => scopeHosts(visibleData(s), s.ui));
  const logs = useData('logs');
  const sources = useData('sources');
  const notes = useData('notes');
  const logView = useOps((s) => s.ui.logs);
  const filter = useOps((s) => s.ui.filters.logs);
  const unitLog = useOps((s) => s.ui.unitLog);
  const screenPaused = useOps((s) => s.ui.paused);
  const view = useMemo(() => linesOfHosts(logs, scope, { logs: { source: logView.source }, filters: { logs: filter }, unitLog }), [logs, scope, logView.source, filter, unitLog]);
  const states = useMemo(() => view.shown.flatMap((l) => sourceState({ sources }, l.id) ?? []), [view.shown, sources]);
  const one = logView.source >= 0 ? view.sources[logView.source] : undefined;
  const heading = unitLog ? `▶ ${unitLog.unit} on ${unitLog.host} · Esc back to Services · ${view.sources[0]?.from ?? 'closed'}` : undefined;
  const multiHost = new Set(view.shown.map((s) => s.host)).size > 1;
  const mergedLabels = useMemo(() => view.shown.map((s) => s.label), [view.shown]);
  const measures = useMemo(() => measureLines(view.shown, box.width >= 100), [view.shown, box.width]);
  return (
    <LogsPane
      lines={view.lines}
      banner={banner}
      heading={heading}
      measures={measures}
      anchor={anchorIndex(view.lines, logView.anchor)}
      jumped={logView.anchor !== null && logView.jumped}
      following={logView.anchor === null}
      screenPaused={screenPaused}
      sources={states}
      sourceLabel={one ? one.label : view.sources.length > 1 ? `all ${view.sources.length}` : (view.sources[0]?.label ?? '')}
      showHost={multiHost}
      mergedLabels={mergedLabels}
      hostColors={hostColors}
      highlight={view.filter.highlight}
      filter={filter}
      filterError={view.filter.error}
      wrap={logView.wrap}
      timestamps={logView.timestamps}
      note={view.sources.length === 0 ? notes.logs : undefined}
      width={box.width}
      height={box.height}
      focused={focused}
    />
  );
}

function AlertsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const alerts = useData('alerts');
  const filter = useOps((s) => s.ui.filters.alerts);
  const cursor = useOps((s) => s.ui.cursor.alerts);
  const source = useOps((s) => sourceState(visibleData(s), ALERTS_SOURCE));
  const rows = useMemo(() => alertRows({ alerts }, { filters: { alerts: filter } }), [alerts, filter]);
  const problem = source?.status === 'stale' || source?.status === 'error' ? `${source.label}: ${source.error ?? source.status}` : undefined;
  return <AlertsPane rows={rows} configured={alerts !== undefined} problem={problem} width={box.width} height={box.height} focused={focused} cursor={Math.min(cursor, Math.max(0, rows.length - 1))} filter={filter} now={secondNow()} />;
}

function EventsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const hostColors = useHostColors();
  const events = useData('events');
  const filter = useOps((s) => s.ui.filters.events);
  const eventSelection = useOps((s) => s.ui.eventSelection);
  const rows = useMemo(() => eventRows({ events }, { filters: { events: filter } }), [events, filter]);
  return <EventsPane rows={rows} hostColors={hostColors} width={box.width} height={box.height} focused={focused} cursor={selectedEventIndex(rows, { eventSelection })} filter={filter} today={new Date().setHours(0, 0, 0, 0)} />;
}

function BackupsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const backups = useData('backups');
  const filter = useOps((s) => s.ui.filters.databases);
  const cursor = useOps((s) => s.ui.cursor.databases);
  const progress = useOps((s) => s.ui.progress);
  const rows = useMemo(() => backupRows(backups, filter), [backups, filter]);
  const running = useMemo(() => Object.fromEntries(Object.keys(backups).flatMap((db) => (progress[backupTarget(db)] ? [[db, progress[backupTarget(db)]!]] : []))), [backups, progress]);
  return <BackupsPane rows={rows} running={running} width={box.width} height={box.height} focused={focused} cursor={Math.min(cursor, Math.max(0, rows.length - 1))} filter={filter} />;
}

function DatabasesContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const databases = useData('databases');
  const sources = useData('sources');
  const backups = useData('backups');
  const discovering = useData('discovering');
  const filter = useOps((s) => s.ui.filters.databases);
  const cursor = useOps((s) => s.ui.cursor.databases);
  const databaseSelection = useOps((s) => s.ui.databaseSelection);
  const showBackups = useOps((s) => s.ui.databaseView === 'backups');
  const views = useMemo(() => databaseViews({ databases, sources }), [databases, sources]);
  if (showBackups) return <BackupsContainer box={box} focused={focused} />;
  const { index } = selectedDatabaseRow(databaseRows(views, filter), { cursor: { databases: cursor }, databaseSelection });
  return <DatabasesPane databases={views} backups={backups} width={box.width} height={box.height} focused={focused} cursor={index} filter={filter} discovering={discovering} />;
}

/** Enter on a Databases row: the query's details over the panes; it also sets how far j/k may scroll. */
function QueryDetailsContainer({ width, height, viewport }: { width: number; height: number; viewport: { current: Viewport } }) {
  const q = useOps((s) => s.ui.query);
  const databases = useData('databases');
  const sources = useData('sources');
  const lines = useMemo(() => (q ? queryDetailLines(q, liveQueryRow(databaseRows(databaseViews({ databases, sources }), ''), q), width - 4) : []), [q, databases, sources, width]);
  const capacity = queryDetailCapacity(height);
  viewport.current.query = capacity;
  viewport.current.queryMax = Math.max(0, lines.length - capacity);
  if (!q) return null;
  return <QueryDetailsView q={q} lines={lines} width={width} height={height} kind={databases[q.database]?.kind ?? ''} />;
}

/** ctrl+t: the lasting timeline over the panes, filtered; it also sets how far j/k may scroll. */
function TimelineContainer({ width, height, viewport }: { width: number; height: number; viewport: { current: Viewport } }) {
  const events = useData('events');
  const view = useOps((s) => s.ui.timeline);
  const rows = useMemo(() => filterTimeline(events, view), [events, view]);
  const capacity = timelineCapacity(height);
  viewport.current.timeline = capacity;
  viewport.current.timelineMax = Math.max(0, rows.length - capacity);
  return <TimelineView rows={rows} total={events.length} view={view} width={width} height={height} />;
}

/** i in Databases: a PostgreSQL database's details over the panes; it also sets how far j/k may scroll. */
function DatabaseDetailsContainer({ width, height, viewport }: { width: number; height: number; viewport: { current: Viewport } }) {
  const view = useOps((s) => s.ui.databaseDetails);
  const lines = useMemo(() => (view ? databaseDetailLines(view, width - 4) : []), [view, width]);
  const capacity = queryDetailCapacity(height);
  viewport.current.details = capacity;
  viewport.current.detailsMax = Math.max(0, lines.length - capacity);
  if (!view) return null;
  return <DatabaseDetailsView view={view} lines={lines} width={width} height={height} />;
}

/** Enter on an Events row: the whole event over the panes; it also sets how far j/k may scroll. */
function EventDetailsContainer({ width, height, viewport }: { width: number; height: number; viewport: { current: Viewport } }) {
  const view = useOps((s) => s.ui.eventDetails);
  const lines = useMemo(() => (view ? eventDetailLines(view.event, width - 4) : []), [view, width]);
  const capacity = queryDetailCapacity(height);
  viewport.current.event = capacity;
  viewport.current.eventMax = Math.max(0, lines.length - capacity);
  if (!view) return null;
  return <EventDetailsView view={view} lines={lines} width={width} height={height} />;
}

const PaneSlot = memo(function PaneSlot({ box, focused, clearKey, runbooks, runbookKey }: SlotProps) {
  switch (box.pane) {
    case 'hosts':
      return <HostsContainer box={box} focused={focused} clearKey={clearKey} runbooks={runbooks} runbookKey={runbookKey} />;
    case 'resources':
      return <ResourcesContainer box={box} focused={focused} clearKey={clearKey} />;
    case 'services':
      return <ServicesContainer box={box} focused={focused} clearKey={clearKey} runbooks={runbooks} runbookKey={runbookKey} />;
    case 'logs':
      return <LogsContainer box={box} focused={focused} clearKey={clearKey} />;
    case 'events':
      return <EventsContainer box={box} focused={focused} />;
    case 'databases':
      return <DatabasesContainer box={box} focused={focused} />;
    case 'alerts':
      return <AlertsContainer box={box} focused={focused} />;
  }
});

function TopBar({ width }: { width: number }) {
  const hostOrder = useData('hostOrder');
  const hosts = useData('hosts');
  const sources = useData('sources');
  const databases = useData('databases');
  const backups = useData('backups');
  const logs = useMeasuredLogs();
  const checks = useData('checks');
  const focus = useOps((s) => s.ui.focus);
  const host = useOps((s) => s.ui.host);
  const group = useOps((s) => s.ui.group);
  const alerts = useMemo(() => {
    let crit = 0;
    let warn = 0;
    let down = 0;
    for (const row of hostRows({ hostOrder, hosts, sources, databases, backups, checks, logs }, { filters: { hosts: '' } })) {
      if (row.health === 'error' || row.health === 'stale') down++;
      // A failed unit is crit, as the Services pane and the snapshot's verdict say.
      else if (row.level === 'crit' || row.failedUnits > 0) crit++;
      else if (row.level === 'warn') warn++;
    }
    return { crit, warn, down };
  }, [hostOrder, hosts, sources, databases, backups, checks, logs]);
  // Alerts only with an Alertmanager: every other pane has its tab, with something to show or not.
  const withAlerts = useOps((s) => s.data.alerts !== undefined || s.ui.focus === 'alerts');
  const panes = useMemo(() => PANES.filter((p) => p !== 'alerts' || withAlerts), [withAlerts]);
  return <TabBar focus={focus} panes={panes} scope={scopeLabel({ hostOrder, hosts }, { host, group })} width={width} alerts={alerts} />;
}

/** The line under the tab bar while any host is in maintenance. */
function MaintenanceSummary({ width, clearKey }: { width: number; clearKey?: string }) {
  const hostOrder = useData('hostOrder');
  const hosts = useData('hosts');
  const banner = maintenanceSummary(hostOrder.map((name) => hosts[name]), secondNow(), clearKey);
  return banner ? <SummaryBar banner={banner} width={width} /> : null;
}

function BottomBar({ width, readOnly }: { width: number; readOnly: boolean }) {
  const ui = useOps((s) => s.ui);
  const self = useOps((s) => s.data.self);
  if (ui.overlay === 'command' || ui.overlay === 'filter') return <Prompt kind={ui.overlay} input={ui.input} completions={ui.completions} width={width} pane={ui.focus} />;
  return <StatusBar width={width} refreshMs={ui.refreshMs} paused={ui.paused} readOnly={readOnly} self={self} message={ui.message} clock={Date.now()} />;
}

export function App({ config, controls }: { config: OpsConfig; controls: Controls }) {
  const store = useOpsStore();
  const { columns, rows } = useTerminalSize();
  const focus = useOps((s) => s.ui.focus);
  const zoomed = useOps((s) => s.ui.zoomed);
  const overlay = useOps((s) => s.ui.overlay);
  const confirm = useOps((s) => s.ui.confirm);
  const confirmInput = useOps((s) => (s.ui.overlay === 'confirm' ? s.ui.input : ''));
  const helpScroll = useOps((s) => s.ui.helpScroll);
  // Checks are listed under the hosts, so they count towards the Hosts pane's height; the Checks view has only them.
  const hostCount = useOps((s) => {
    const checks = Object.keys(s.data.checks).length;
    return s.ui.hostsView === 'checks' ? Math.max(checks, 1) : s.data.hostOrder.length + (checks > 0 ? checks + 1 : 0);
  });
  // A confirmation sits above the status bar; the panes give it their bottom rows and stay in view.
  // A host that cannot be reached now: said in the dialog, before y sends what would only fail.
  const hostDown = useOps((s) => {
    const connection = confirm ? s.data.hosts[confirm.description.host]?.connection : undefined;
    return connection && connection.status !== 'ok' ? `${confirm!.description.host} is ${connectionText(connection)}` : undefined;
  });
  const dialogRows = overlay === 'confirm' && confirm ? confirmHeight(confirm, columns, rows, hostDown) : 0;
  // An operator command's output likewise, while it has the keys.
  const panelRows = useOps((s) => (s.ui.overlay === 'output' && s.ui.output ? outputPanelRows(rows) : 0));
  const databaseCount = useOps((s) => Object.keys(s.data.databases).length);
  const maintenanceRows = useOps((s) => (Object.values(visibleData(s).hosts).some((h) => h.maintenanceOn) ? 1 : 0));
  // The open incident is live state, never frozen with a paused screen.
  const incidentRows = useOps((s) => (s.data.incident ? 1 : 0));
  const summaryRows = maintenanceRows + incidentRows;
  const clearKey = config.bindings.global['maintenance-off']?.[0];
  const layout = computeLayout(columns, rows - dialogRows - panelRows - summaryRows, focus, zoomed, hostCount, databaseCount);
  // Wrapping the whole help is work for a resize or a new keymap, not for every frame the App draws.
  const helpHeight = rows - 2 - summaryRows;
  const help = useMemo(() => helpLayout(config.bindings, config.actions, columns, helpHeight), [config.bindings, config.actions, columns, helpHeight]);
  const viewport = useRef<Viewport>({});
  for (const column of layout.columns) for (const box of column) viewport.current[box.pane] = innerRows(box);
  viewport.current.help = rows - 5 - summaryRows;
  viewport.current.helpMax = help.scrollMax;
  viewport.current.output = outputPanelInner(panelRows);

  const { waitUntilRenderFlush } = useApp();
  useInput((input, key) => {
    handleKey(store, config.keymap, keyName(input, key), input, controls, viewport.current);
    // What a key changed is drawn now: the frame limit (maxFps) is for the flow of polls and log
    // lines, and waiting out its window after the last frame put up to 67 ms on every keypress.
    void waitUntilRenderFlush();
  });

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <TopBar width={columns} />
      {incidentRows > 0 ? <IncidentLine width={columns} keys={{ close: config.bindings.global.incident?.[0], report: config.bindings.global.report?.[0] }} /> : null}
      {maintenanceRows > 0 ? <MaintenanceSummary width={columns} clearKey={clearKey} /> : null}
      {overlay === 'help' ? (
        <HelpOverlay layout={help} width={columns} height={helpHeight} scroll={helpScroll} />
      ) : overlay === 'query' ? (
        <QueryDetailsContainer width={columns} height={rows - 2 - summaryRows} viewport={viewport} />
      ) : overlay === 'timeline' ? (
        <TimelineContainer width={columns} height={rows - 2 - summaryRows} viewport={viewport} />
      ) : overlay === 'database' ? (
        <DatabaseDetailsContainer width={columns} height={rows - 2 - summaryRows} viewport={viewport} />
      ) : overlay === 'event' ? (
        <EventDetailsContainer width={columns} height={rows - 2 - summaryRows} viewport={viewport} />
      ) : (
        <Box flexDirection="row" height={rows - 2 - dialogRows - panelRows - summaryRows}>
          {layout.columns.map((column, i) => (
            <Box key={i} flexDirection="column">
              {column.map((box) => (
                <PaneSlot key={box.pane} box={box} focused={box.pane === focus} clearKey={clearKey} runbooks={config.runbooks} runbookKey={config.bindings.global['open-runbook']?.[0]} />
              ))}
            </Box>
          ))}
        </Box>
      )}
      {dialogRows > 0 && confirm ? <ConfirmDialog pending={confirm} input={confirmInput} width={columns} screenRows={rows} readOnly={config.readOnly} hostDown={hostDown} /> : null}
      {panelRows > 0 ? <OutputPanel width={columns} height={panelRows} /> : null}
      <BottomBar width={columns} readOnly={config.readOnly} />
    </Box>
  );
}
