// Starts the full-screen cockpit: alternate screen, one quit path that restores the terminal and
// stops every collector, on q, Ctrl-C, SIGTERM/SIGHUP and on a crash.
import { render, type Instance } from 'ink';
import { OpsProvider } from './hooks/store.js';
import { App } from './panes/App.js';
import { WallScreen } from './panes/Wall.js';
import { ThemeProvider } from './panes/theme.js';
import type { OpsConfig } from './app/config/resolve.js';
import { cockpitOperations, progressByTarget, statusLine } from './app/operations/controls.js';
import { OperationExecutor } from './app/operations/executor.js';
import { OutputPanelWriter } from './app/output-panel.js';
import { Runtime } from './app/runtime.js';
import { createOpsStore, emptyData, type DataState } from './app/store.js';
import { followUnitLogs } from './app/unit-log.js';
import { auditLogPath, auditTrail } from './services/audit.js';
import { IncidentStore } from './services/incidents.js';
import { timelineDir, TimelineWriter } from './services/timeline-file.js';
import { attachEventSinks } from './app/event-sink.js';
import { cockpitIncidents, watchIncident } from './app/incidents.js';
import { configHosts, restoreTimeline, timelineSink } from './app/timeline.js';
import { startAlerts } from './app/alerts.js';
import { postJson } from './services/webhook.js';
import { osc52, pagerCommand, runPager } from './services/runbook.js';
import { runbookLabel, type Runbook } from './domain/runbook.js';
import { COMMAND_HISTORY_LIMIT } from './app/commands.js';
import { commandHistory } from './services/command-history.js';

// Leave the alternate screen, show the cursor, reset attributes and mouse modes.
const RESTORE_TERMINAL = '\u001b[?1049l\u001b[?25h\u001b[0m\u001b[?1000l\u001b[?1002l\u001b[?1006l';

export async function runCockpit(config: OpsConfig): Promise<number> {
  const history = commandHistory(COMMAND_HISTORY_LIMIT);
  // A fleet from Prometheus opens on its overview: grouped, worst first.
  const store = createOpsStore(emptyData(), { refreshMs: config.refreshMs, history: history.load(), hostSort: config.prometheus ? 'worst' : 'config' });
  const say = statusLine(store);
  // The last day of events back on screen, then every new one to the day's file (and to any other sink).
  const timeline = new TimelineWriter(timelineDir(), (message) => say(message, 'error'));
  const notice = await restoreTimeline(store, timeline.dir, configHosts(config));
  if (notice) say(notice, 'error');
  const detachSinks = attachEventSinks(store, [timelineSink(timeline)]);
  const incidents = new IncidentStore();
  const runtime = new Runtime(config, store);
  const commit = (change: (data: DataState) => DataState) => runtime.commit(change);
  const stopIncidentWatch = watchIncident(commit, incidents);
  const executor = new OperationExecutor({
    ports: runtime.operationPorts(),
    audit: auditTrail(auditLogPath(), async () => (await incidents.open())?.id),
    readOnly: config.readOnly,
    readOnlyHosts: new Set(config.hosts.filter((h) => h.readOnly).map((h) => h.name)),
    say,
    progress: progressByTarget(store),
    record: (event) => runtime.recordEvent(event),
    // An operator command's output streams into the panel under the panes.
    output: () => new OutputPanelWriter(store),
  });
  const operations = cockpitOperations(executor, store);
  const incidentControls = cockpitIncidents({ store, commit, config, incidents, timeline, auditPath: auditLogPath(), say });
  const stopRecording = async () => {
    detachSinks();
    stopIncidentWatch();
    await timeline.flush();
  };
  // Read by quit and crash before the first render; assigned again after each pager run.
  let instance: Instance | undefined;
  let quitting = false;
  // Set while the screen is handed to another program (the pager): ink is unmounted, that runs, ink
  // is mounted again on the same store.
  let suspended: (() => Promise<void>) | undefined;
  const suspend = (run: () => Promise<void>) => {
    suspended = run;
    instance?.unmount();
  };
  // Ctrl-C while hosts are still being set up must not be lost: it is honoured once they are.
  const quit = () => {
    quitting = true;
    instance?.unmount();
  };
  // Installed before anything starts, so a crash while connecting also leaves a usable terminal.
  const crash = (error: unknown) => {
    try {
      runtime.stop();
      instance?.unmount();
    } finally {
      process.stdout.write(RESTORE_TERMINAL);
      // On a line of its own: ink may have left the cursor at the end of its last frame.
      process.stderr.write(`\nopsdeck crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(70);
    }
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, quit);
  // Ctrl-C in the pager reaches the whole foreground group: it is the pager's (less stops a search), not a quit.
  let paging = false;
  process.on('SIGINT', () => {
    if (!paging) quit();
  });

  await runtime.prepare();
  if (quitting) {
    runtime.stop();
    await stopRecording();
    return 0;
  }
  runtime.start();
  // Alerts go out in the background; a receiver's failures reach the status line, never the frame.
  const stopAlerts = config.alerts.receivers.length > 0 ? startAlerts(store, config.alerts, say, postJson) : () => {};
  const stopUnitLogs = followUnitLogs(store, (host, unit) => runtime.openUnitLog(host, unit));
  const openRunbook = (what: string, runbook: Runbook) => {
    if (runbook.kind === 'url') {
      if (process.env.TERM !== 'dumb') process.stdout.write(osc52(runbook.url));
      say(`runbook for ${what}: ${runbook.url} (copied with OSC 52 where the terminal allows)`, 'info');
      return;
    }
    pagerCommand(runbook.path, runbook.heading, process.env.PAGER).then(
      ({ command, missing }) =>
        suspend(async () => {
          const status = await runPager(command);
          if (missing !== undefined) say(`runbook for ${what}: no heading "${missing}" in ${runbook.path}: opened at the top`, 'error');
          else if (status !== 0) say(`runbook for ${what}: the pager exited with status ${status} (PAGER=${process.env.PAGER ?? 'less'})`, 'error');
          else say(`runbook for ${what}: ${runbookLabel(runbook)}`, 'info');
        }),
      (error: Error) => say(`runbook for ${what}: ${error.message}`, 'error'),
    );
  };
  const tree = (
    <OpsProvider store={store}>
      <ThemeProvider theme={config.theme}>
        {config.wall.on ? (
          <WallScreen cycleMs={config.wall.cycleMs} refreshMs={config.refreshMs} quitKeys={config.bindings.global.quit ?? ['q']} quit={quit} />
        ) : (
          <App
            config={config}
            controls={{
              quit,
              setRefresh: (ms) => runtime.setRefresh(ms),
              operations,
              actions: new Map(config.actions.map((a) => [a.name, a])),
              rememberCommand: (line) => history.append(line),
              queries: runtime.queryReader(),
              incidents: incidentControls,
              runbooks: { index: config.runbooks, open: openRunbook },
            }}
          />
        )}
      </ThemeProvider>
    </OpsProvider>
  );
  try {
    for (;;) {
      // interactive: the CLI has checked for a terminal; ink would otherwise go line-mode wherever CI is set.
      instance = render(tree, { alternateScreen: true, incrementalRendering: true, maxFps: 15, patchConsole: false, exitOnCtrlC: false, interactive: true });
      await instance.waitUntilExit();
      const run = suspended;
      suspended = undefined;
      if (quitting || !run) break;
      paging = true;
      await run().finally(() => (paging = false));
    }
  } finally {
    operations.abortAll();
    stopUnitLogs();
    stopAlerts();
    runtime.stop();
    await stopRecording();
  }
  return 0;
}
