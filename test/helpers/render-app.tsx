// Renders the whole App in a test terminal of a chosen size, with a fresh store; keys are typed one by
// one, each waited for until ink has drawn what it caused.
import { App } from '../../src/panes/App.js';
import type { OpsConfig } from '../../src/app/config/resolve.js';
import { cockpitOperations, statusLine } from '../../src/app/operations/controls.js';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import { OutputPanelWriter } from '../../src/app/output-panel.js';
import type { QueryReader } from '../../src/app/query-details.js';
import { NO_INCIDENTS, NO_QUERY_READER } from './controls.js';
import type { IncidentControls } from '../../src/app/incidents.js';
import type { OperationPorts } from '../../src/app/operations/ports.js';
import { createOpsStore, type DataState, type UiState } from '../../src/app/store.js';
import type { AuditEntry } from '../../src/domain/audit.js';
import { OpsProvider } from '../../src/hooks/store.js';
import { ThemeProvider } from '../../src/panes/theme.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { inkTerminal } from './ink-terminal.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { waitFor } from './wait.js';

export interface AppHarness {
  frame(): string;
  /** Types each key as its own chunk and waits until ink has drawn what it caused. */
  press(...keys: string[]): Promise<void>;
  /** Sends bytes as one chunk from the terminal, handled before this returns; nothing waited for. */
  type(data: string): void;
  /** Waits until ink has drawn what is pending (after a change to the store, say). */
  flush(): Promise<void>;
  store: ReturnType<typeof createOpsStore>;
  quits: number;
  refreshes: number[];
  events: OpsEvent[];
  trusted: string[];
  reconnects: string[];
  admin: { database: string; pid: number; operation: string }[];
  /** The runbooks the key asked to open. */
  runbooks: { what: string; runbook: Runbook }[];
  /** Every audit record the operations wrote, in order. */
  audit: AuditEntry[];
  unmount(): void;
}

export const KEYS = { tab: '\t', shiftTab: '\u001b[Z', enter: '\r', escape: '\u001b', up: '\u001b[A', down: '\u001b[B', backspace: '\u007f' };

/**
 * The App with the real operation executor; its ports (the runtime's doors onto databases and SSH
 * hosts) record what they were asked to do unless the test passes real ones (`ports`: a host's flag
 * file, its processes, the shell operator commands run through), and the audit trail is kept in memory.
 */
export async function renderApp(
  config: OpsConfig,
  data: DataState,
  options: { columns?: number; rows?: number; ui?: Partial<UiState>; readOnly?: boolean; ports?: Partial<OperationPorts>; queries?: QueryReader; incidents?: IncidentControls } = {},
): Promise<AppHarness> {
  const store = createOpsStore(data, options.ui);
  const harness = { runbooks: [] as { what: string; runbook: Runbook }[], quits: 0, refreshes: [] as number[], events: [] as OpsEvent[], trusted: [] as string[], reconnects: [] as string[], admin: [] as { database: string; pid: number; operation: string }[], audit: [] as AuditEntry[] };
  const admin = (database: string) => ({
    cancelBackend: async (pid: number) => (harness.admin.push({ database, pid, operation: 'cancel' }), true),
    terminateBackend: async (pid: number) => (harness.admin.push({ database, pid, operation: 'terminate' }), true),
    // What the database shows once signalled: the backends acted on are no longer busy.
    collect: async () => {
      const sample = store.getState().data.databases[database]!.sample!;
      return sample.kind === 'postgres' ? { ...sample, queries: sample.queries.filter((q) => !harness.admin.some((a) => a.pid === q.pid)) } : sample;
    },
  });
  const ports: OperationPorts = {
    database: (name) => (name in data.databases ? admin(name) : undefined),
    sshHost: (host) => (config.hosts.some((h) => h.name === host && !h.local) ? { trustHostKey: async () => void harness.trusted.push(host), reconnect: () => void harness.reconnects.push(host) } : undefined),
    units: () => undefined,
    maintenance: () => undefined,
    processes: () => undefined,
    shell: () => undefined,
    backup: () => undefined,
    // Real doors where a test gives them.
    ...options.ports,
  };
  const executor = new OperationExecutor({
    ports,
    audit: { location: 'memory', append: async (entry) => void harness.audit.push(entry) },
    readOnly: options.readOnly ?? config.readOnly,
    readOnlyHosts: new Set(config.hosts.filter((h) => h.readOnly).map((h) => h.name)),
    say: statusLine(store),
    record: (event) => harness.events.push(event),
    output: () => new OutputPanelWriter(store),
  });
  const operations = cockpitOperations(executor, store);
  const controls = {
    quit: () => harness.quits++,
    setRefresh: (ms: number) => harness.refreshes.push(ms),
    operations,
    actions: new Map(config.actions.map((a) => [a.name, a])),
    rememberCommand: () => Promise.resolve(),
    queries: options.queries ?? NO_QUERY_READER,
    incidents: options.incidents ?? NO_INCIDENTS,
    runbooks: { index: config.runbooks, open: (what: string, runbook: Runbook) => void harness.runbooks.push({ what, runbook }) },
  };
  const appConfig = options.readOnly === undefined ? config : { ...config, readOnly: options.readOnly };
  const size = { columns: options.columns ?? 200, rows: options.rows ?? 50 };
  const terminal = inkTerminal(
    <OpsProvider store={store} size={size}>
      <ThemeProvider theme={appConfig.theme}>
        <App config={appConfig} controls={controls} />
      </ThemeProvider>
    </OpsProvider>,
    size,
  );
  // Its key handler is attached by an effect, after the first frame.
  await terminal.flush();
  return Object.assign(harness, {
    store,
    frame: terminal.lastFrame,
    flush: terminal.flush,
    type: terminal.type,
    press: async (...keys: string[]) => {
      for (const key of keys) {
        const ui = store.getState().ui;
        terminal.type(key);
        // A lone ESC may begin a sequence: ink takes it as the Escape key only once nothing has followed
        // it for a moment. Every Esc in these tests closes or clears something: that change is the sign.
        if (key === KEYS.escape) await waitFor('Esc to close or clear something', () => store.getState().ui !== ui, 5000, 5);
        await terminal.flush();
      }
    },
    unmount: terminal.unmount,
  });
}
