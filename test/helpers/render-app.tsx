// Renders the whole App with ink-testing-library at a chosen terminal size, with a fresh store.
import { render } from 'ink-testing-library';
import { App } from '../../src/panes/App.js';
import type { OpsConfig } from '../../src/app/config/resolve.js';
import { createOpsStore, type DataState, type UiState } from '../../src/app/store.js';
import { OpsProvider } from '../../src/hooks/store.js';
import type { OpsEvent } from '../../src/domain/model.js';

export interface AppHarness {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  store: ReturnType<typeof createOpsStore>;
  quits: number;
  refreshes: number[];
  events: OpsEvent[];
  trusted: string[];
  reconnects: string[];
  admin: { database: string; pid: number; operation: string }[];
  unmount(): void;
}

export const KEYS = { tab: '\t', shiftTab: '\u001b[Z', enter: '\r', escape: '\u001b', up: '\u001b[A', down: '\u001b[B', backspace: '\u007f' };

const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

export async function renderApp(config: OpsConfig, data: DataState, options: { columns?: number; rows?: number; ui?: Partial<UiState> } = {}): Promise<AppHarness> {
  const store = createOpsStore(data, options.ui);
  const harness = { quits: 0, refreshes: [] as number[], events: [] as OpsEvent[], trusted: [] as string[], reconnects: [] as string[], admin: [] as { database: string; pid: number; operation: string }[] };
  const controls = { quit: () => harness.quits++, setRefresh: (ms: number) => harness.refreshes.push(ms), record: (event: OpsEvent) => harness.events.push(event), trustHostKey: async (host: string) => void harness.trusted.push(host),
    reconnect: (host: string) => (harness.reconnects.push(host), host !== 'local'),
    adminDatabase: async (database: string, pid: number, operation: 'cancel' | 'terminate') => {
      harness.admin.push({ database, pid, operation });
      return { ok: true, message: `${operation === 'cancel' ? 'cancelled' : 'terminated'} pid ${pid} on ${database}` };
    },
  };
  const size = { columns: options.columns ?? 200, rows: options.rows ?? 50 };
  const instance = render(
    <OpsProvider store={store} size={size}>
      <App config={config} controls={controls} />
    </OpsProvider>,
  );
  await tick();
  return Object.assign(harness, {
    store,
    frame: () => instance.lastFrame() ?? '',
    // One key per write, each followed by a macrotask: ink handles input asynchronously.
    press: async (...keys: string[]) => {
      for (const key of keys) {
        instance.stdin.write(key);
        await tick();
        // A lone ESC may begin a sequence: ink waits briefly before taking it as the Escape key.
        if (key === KEYS.escape) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    unmount: () => instance.unmount(),
  });
}
