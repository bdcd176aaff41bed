// Checks run by the real runtime from a config text: their states, reasons and events as the cockpit
// has them. The local host's own probes are quiet (a scripted watch), the checks are real.
import { parseConfigText } from '../../src/app/config/load.js';
import { checkRows, type CheckRow } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, type OpsStore } from '../../src/app/store.js';
import type { OpsEvent } from '../../src/domain/model.js';
import type { HostAdapter } from '../../src/services/host-adapter.js';
import { quietWatch } from './fixtures.js';
import { waitFor } from './wait.js';

export const quietLocal: HostAdapter = { watch: async (host) => quietWatch(host), close: () => {} };

export interface RunningChecks {
  store: OpsStore;
  runtime: Runtime;
  check(name: string): CheckRow | undefined;
  /** The check events so far, oldest first. */
  events(): OpsEvent[];
  /** Waits until the check is in `state` (and its reason matches, if given), and returns its row. */
  until(name: string, state: CheckRow['state'], reason?: RegExp, timeoutMs?: number): Promise<CheckRow>;
}

export async function startChecks(yaml: string, adapters: ConstructorParameters<typeof Runtime>[2] = { local: quietLocal }): Promise<RunningChecks> {
  const config = parseConfigText(yaml, 'checks.yaml');
  const store = createOpsStore();
  const runtime = new Runtime(config, store, adapters);
  await runtime.prepare();
  runtime.start();
  const check = (name: string) => checkRows(store.getState().data).find((r) => r.check.name === name);
  return {
    store,
    runtime,
    check,
    events: () => store.getState().data.events.filter((e) => e.kind === 'check'),
    until: async (name, state, reason, timeoutMs = 20_000) => {
      const what = `check ${name} ${state}${reason ? ` ${reason}` : ''}`;
      try {
        return await waitFor(what, () => {
          const row = check(name);
          return row && row.state === state && (!reason || reason.test(row.reason ?? '')) ? row : undefined;
        }, timeoutMs);
      } catch (error) {
        const row = check(name);
        throw new Error(`${(error as Error).message}; it is ${row?.state}: ${row?.reason ?? ''}`, { cause: error });
      }
    },
  };
}
