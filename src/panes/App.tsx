// The screen: tab bar, panes laid out for the terminal size, status or prompt line; keys go to dispatch.
import { memo, useMemo, useRef } from 'react';
import { Box, useInput } from 'ink';
import { useOps, useOpsStore, useTerminalSize } from '../hooks/store.js';
import { EventsPane } from './EventsPane.js';
import { HostsPane } from './HostsPane.js';
import { LogsPane } from './LogsPane.js';
import { ResourcesPane } from './ResourcesPane.js';
import { ServicesPane } from './ServicesPane.js';
import { DatabasesPane } from './DatabasesPane.js';
import { helpCapacity, helpLines, HelpOverlay } from './HelpOverlay.js';
import { ConfirmDialog, confirmHeight } from './ConfirmDialog.js';
import { Prompt, StatusBar, TabBar } from './Chrome.js';
import type { OpsConfig } from '../app/config/resolve.js';
import { handleKey, type Controls, type Viewport } from '../app/dispatch.js';
import { keyName } from '../app/keymap.js';
import { computeLayout, innerRows, type PaneBox } from '../app/layout.js';
import { bottomIndex, displayLines } from '../app/logview.js';
import { checkRows, databaseViews, eventRows, hostRows, selectedEventIndex, serviceRows, sourceState } from '../app/rows.js';
import { databaseRows, selectedDatabaseRow } from '../app/database-rows.js';
import { scopeHosts, scopeLabel, selectedHost } from '../app/scope.js';
import { visibleData, type OpsState } from '../app/store.js';
import { hostSourceId } from '../domain/source-id.js';

const selectData = (s: OpsState) => visibleData(s);

/** Ages on screen have a resolution of one second, so a pane redrawn within the same second keeps its props (and its memo). */
const secondNow = (): number => Math.floor(Date.now() / 1000) * 1000;

function useHostColors(): Record<string, string | undefined> {
  const hosts = useOps((s) => s.data.hostOrder);
  const all = useOps((s) => s.data.hosts);
  // Colours come from the config and never change; recompute only when the host list does.
  return useMemo(() => Object.fromEntries(hosts.map((h) => [h, all[h]?.color])), [hosts]);
}
const selectUi = (s: OpsState) => s.ui;

function HostsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const rows = useMemo(() => hostRows(data, ui), [data.hostOrder, data.hosts, data.sources, ui.filters.hosts]);
  const checks = useMemo(() => checkRows(data), [data.checks, data.sources]);
  return (
    <HostsPane
      rows={rows}
      checks={checks}
      total={data.hostOrder.length}
      width={box.width}
      height={box.height}
      focused={focused}
      cursor={Math.min(ui.cursor.hosts, Math.max(0, rows.length - 1))}
      selected={ui.group ? '' : selectedHost(data, ui)}
      filter={ui.filters.hosts}
      now={secondNow()}
    />
  );
}

function ResourcesContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const entries = useMemo(
    () =>
      scopeHosts(data, ui).flatMap((name) => {
        const host = data.hosts[name];
        return host ? [{ host, history: data.history[name], source: sourceState(data, hostSourceId(name, 'resources')) }] : [];
      }),
    [data.hosts, data.history, data.sources, ui.host, ui.group],
  );
  return <ResourcesPane entries={entries} title={scopeLabel(data, ui)} width={box.width} height={box.height} focused={focused} now={secondNow()} />;
}

function ServicesContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const hostColors = useHostColors();
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const rows = useMemo(() => serviceRows(data, ui), [data.hosts, ui.host, ui.group, ui.filters.services]);
  const sources = useMemo(() => scopeHosts(data, ui).flatMap((h) => sourceState(data, hostSourceId(h, 'services')) ?? []), [data.sources, ui.host, ui.group]);
  return (
    <ServicesPane
      rows={rows}
      sources={sources}
      showHost={ui.group !== ''}
      hostColors={hostColors}
      title={scopeLabel(data, ui)}
      width={box.width}
      height={box.height}
      focused={focused}
      cursor={Math.min(ui.cursor.services, Math.max(0, rows.length - 1))}
      filter={ui.filters.services}
      now={secondNow()}
    />
  );
}

function LogsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const hostColors = useHostColors();
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  // Hosts' groups come from the config, so the host list (not every resources tick) decides the scope.
  const view = useMemo(() => displayLines(data, ui), [data.logs, data.hostOrder, ui.host, ui.group, ui.logs.source, ui.filters.logs]);
  const states = useMemo(() => view.shown.flatMap((l) => sourceState(data, l.id) ?? []), [view.shown, data.sources]);
  const one = ui.logs.source >= 0 ? view.sources[ui.logs.source] : undefined;
  const multiHost = new Set(view.shown.map((s) => s.host)).size > 1;
  return (
    <LogsPane
      lines={view.lines}
      bottom={bottomIndex(view.lines, ui.logs.anchor)}
      following={ui.logs.anchor === null}
      sources={states}
      sourceLabel={one ? one.label : view.sources.length > 1 ? `all ${view.sources.length}` : (view.sources[0]?.label ?? '')}
      showHost={multiHost}
      hostColors={hostColors}
      highlight={view.filter.highlight}
      filter={ui.filters.logs}
      filterError={view.filter.error}
      wrap={ui.logs.wrap}
      timestamps={ui.logs.timestamps}
      note={view.sources.length === 0 ? data.notes.logs : undefined}
      width={box.width}
      height={box.height}
      focused={focused}
    />
  );
}

function EventsContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const hostColors = useHostColors();
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const rows = useMemo(() => eventRows(data, ui), [data.events, ui.filters.events]);
  return <EventsPane rows={rows} hostColors={hostColors} width={box.width} height={box.height} focused={focused} cursor={selectedEventIndex(rows, ui)} filter={ui.filters.events} />;
}

function DatabasesContainer({ box, focused }: { box: PaneBox; focused: boolean }) {
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const views = useMemo(() => databaseViews(data), [data.databases, data.sources]);
  const { index } = selectedDatabaseRow(databaseRows(views, ui.filters.databases), ui);
  return <DatabasesPane databases={views} width={box.width} height={box.height} focused={focused} cursor={index} filter={ui.filters.databases} />;
}

const PaneSlot = memo(function PaneSlot({ box, focused }: { box: PaneBox; focused: boolean }) {
  switch (box.pane) {
    case 'hosts':
      return <HostsContainer box={box} focused={focused} />;
    case 'resources':
      return <ResourcesContainer box={box} focused={focused} />;
    case 'services':
      return <ServicesContainer box={box} focused={focused} />;
    case 'logs':
      return <LogsContainer box={box} focused={focused} />;
    case 'events':
      return <EventsContainer box={box} focused={focused} />;
    case 'databases':
      return <DatabasesContainer box={box} focused={focused} />;
  }
});

function TopBar({ width }: { width: number }) {
  const data = useOps(selectData);
  const ui = useOps(selectUi);
  const alerts = useMemo(() => {
    let crit = 0;
    let warn = 0;
    let down = 0;
    for (const row of hostRows(data, { ...ui, filters: { ...ui.filters, hosts: '' } })) {
      if (row.health === 'error' || row.health === 'stale') down++;
      else if (row.level === 'crit') crit++;
      else if (row.level === 'warn') warn++;
    }
    return { crit, warn, down };
  }, [data.hostOrder, data.hosts, data.sources]);
  return <TabBar focus={ui.focus} scope={scopeLabel(data, ui)} width={width} alerts={alerts} />;
}

function BottomBar({ width }: { width: number }) {
  const ui = useOps(selectUi);
  const self = useOps((s) => s.data.self);
  if (ui.overlay === 'command' || ui.overlay === 'filter') return <Prompt kind={ui.overlay} input={ui.input} completions={ui.completions} width={width} pane={ui.focus} />;
  return <StatusBar width={width} refreshMs={ui.refreshMs} paused={ui.paused} readOnly={ui.readOnly} self={self} message={ui.message} clock={Date.now()} />;
}

export function App({ config, controls }: { config: OpsConfig; controls: Controls }) {
  const store = useOpsStore();
  const { columns, rows } = useTerminalSize();
  const focus = useOps((s) => s.ui.focus);
  const zoomed = useOps((s) => s.ui.zoomed);
  const overlay = useOps((s) => s.ui.overlay);
  const confirm = useOps((s) => s.ui.confirm);
  const confirmInput = useOps((s) => (s.ui.overlay === 'confirm' ? s.ui.input : ''));
  const readOnly = useOps((s) => s.ui.readOnly);
  const helpScroll = useOps((s) => s.ui.helpScroll);
  // Checks are listed under the hosts, so they count towards the Hosts pane's height.
  const hostCount = useOps((s) => {
    const checks = Object.keys(s.data.checks).length;
    return s.data.hostOrder.length + (checks > 0 ? checks + 1 : 0);
  });
  // A confirmation sits above the status bar; the panes give it their bottom rows and stay in view.
  const dialogRows = overlay === 'confirm' && confirm ? confirmHeight(confirm) : 0;
  const databaseCount = useOps((s) => Object.keys(s.data.databases).length);
  const layout = computeLayout(columns, rows - dialogRows, focus, zoomed, hostCount, databaseCount);
  const viewport = useRef<Viewport>({});
  for (const column of layout.columns) for (const box of column) viewport.current[box.pane] = innerRows(box);
  viewport.current.help = rows - 5;
  viewport.current.helpMax = Math.max(0, helpLines(config.bindings).length - helpCapacity(columns, rows - 2));

  useInput((input, key) => handleKey(store, config.keymap, keyName(input, key), input, controls, viewport.current));

  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <TopBar width={columns} />
      {overlay === 'help' ? (
        <HelpOverlay bindings={config.bindings} width={columns} height={rows - 2} scroll={helpScroll} />
      ) : (
        <Box flexDirection="row" height={rows - 2 - dialogRows}>
          {layout.columns.map((column, i) => (
            <Box key={i} flexDirection="column">
              {column.map((box) => (
                <PaneSlot key={box.pane} box={box} focused={box.pane === focus} />
              ))}
            </Box>
          ))}
        </Box>
      )}
      {dialogRows > 0 && confirm ? <ConfirmDialog action={confirm} input={confirmInput} width={columns} readOnly={readOnly} /> : null}
      <BottomBar width={columns} />
    </Box>
  );
}
