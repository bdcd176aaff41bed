// Starts the full-screen cockpit: alternate screen, one quit path that restores the terminal and
// stops every collector, on q, Ctrl-C, SIGTERM/SIGHUP and on a crash.
import { render, type Instance } from 'ink';
import { OpsProvider } from './hooks/store.js';
import { App } from './panes/App.js';
import { ThemeProvider } from './panes/theme.js';
import type { OpsConfig } from './app/config/resolve.js';
import { cockpitOperations, progressByTarget, statusLine } from './app/operations/controls.js';
import { OperationExecutor } from './app/operations/executor.js';
import { OutputPanelWriter } from './app/output-panel.js';
import { Runtime } from './app/runtime.js';
import { createOpsStore, emptyData } from './app/store.js';
import { followUnitLogs } from './app/unit-log.js';
import { auditTrail } from './services/audit.js';
import { COMMAND_HISTORY_LIMIT } from './app/commands.js';
import { commandHistory } from './services/command-history.js';

// Leave the alternate screen, show the cursor, reset attributes and mouse modes.
const RESTORE_TERMINAL = '\u001b[?1049l\u001b[?25h\u001b[0m\u001b[?1000l\u001b[?1002l\u001b[?1006l';

export async function runCockpit(config: OpsConfig): Promise<number> {
  const history = commandHistory(COMMAND_HISTORY_LIMIT);
  // A fleet from Prometheus opens on its overview: grouped, worst first.
  const store = createOpsStore(emptyData(), { refreshMs: config.refreshMs, history: history.load(), hostSort: config.prometheus ? 'worst' : 'config' });
  const runtime = new Runtime(config, store);
  const executor = new OperationExecutor({
    ports: runtime.operationPorts(),
    audit: auditTrail(),
    readOnly: config.readOnly,
    readOnlyHosts: new Set(config.hosts.filter((h) => h.readOnly).map((h) => h.name)),
    say: statusLine(store),
    progress: progressByTarget(store),
    record: (event) => runtime.recordEvent(event),
    // An operator command's output streams into the panel under the panes.
    output: () => new OutputPanelWriter(store),
  });
  const operations = cockpitOperations(executor, store);
  // eslint-disable-next-line prefer-const -- quit and crash read it before render assigns it; a const there would throw
  let instance: Instance | undefined;
  let quitting = false;
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
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, quit);

  await runtime.prepare();
  if (quitting) {
    runtime.stop();
    return 0;
  }
  runtime.start();
  const stopUnitLogs = followUnitLogs(store, (host, unit) => runtime.openUnitLog(host, unit));
  instance = render(
    <OpsProvider store={store}>
      <ThemeProvider theme={config.theme}>
        <App
          config={config}
          controls={{ quit, setRefresh: (ms) => runtime.setRefresh(ms), operations, actions: new Map(config.actions.map((a) => [a.name, a])), rememberCommand: (line) => history.append(line), queries: runtime.queryReader() }}
        />
      </ThemeProvider>
    </OpsProvider>,
    // interactive: the CLI has checked for a terminal; ink would otherwise go line-mode wherever CI is set.
    { alternateScreen: true, incrementalRendering: true, maxFps: 15, patchConsole: false, exitOnCtrlC: false, interactive: true },
  );
  try {
    await instance.waitUntilExit();
  } finally {
    operations.abortAll();
    stopUnitLogs();
    runtime.stop();
  }
  return 0;
}
