// The unit log view's life: Enter on a unit (dispatch) sets ui.unitLog and focuses Logs; this keeps one
// follower running for it, and ends the view (and its follower, local or remote) as soon as the focus
// leaves Logs, by Esc or any other way.
import type { OpsState, OpsStore } from './store.js';

/** Starts following a unit's log; the function it returns stops it. */
export type OpenUnitLog = (host: string, unit: string) => () => void;

export function followUnitLogs(store: OpsStore, open: OpenUnitLog): () => void {
  let current: { host: string; unit: string; close: () => void } | undefined;
  const sync = ({ ui }: OpsState) => {
    if (ui.unitLog && ui.focus !== 'logs') {
      // The listener runs again with the view closed.
      store.setState((s) => ({ ...s, ui: { ...s.ui, unitLog: null } }));
      return;
    }
    const wanted = ui.unitLog;
    if (current && wanted && current.host === wanted.host && current.unit === wanted.unit) return;
    current?.close();
    current = wanted ? { ...wanted, close: open(wanted.host, wanted.unit) } : undefined;
  };
  const unsubscribe = store.subscribe(sync);
  sync(store.getState());
  return () => {
    unsubscribe();
    current?.close();
    current = undefined;
  };
}
