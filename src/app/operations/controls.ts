// What the cockpit's keys and `:` line reach: an operation asked for is refused, put to the operator
// in the confirmation dialog, or (needing no confirmation) started; the executor does the rest.
import type { OpsStore, UiState } from '../store.js';
import type { OperationExecutor, OperationResult } from './executor.js';
import { bind, type Operation, type OperationName } from './registry.js';

/** dispatch and the `:` line know only this, not how operations are carried out. */
export interface OperationControls {
  /** A key asked for it: refused, or put to the operator, or (needing no confirmation) started. */
  request(operation: Operation): void;
  /** Why this kind may not run on this screen whatever it would act on (read-only), if it may not. */
  refusesKind(name: OperationName): string | undefined;
  /** The operator confirmed it. */
  start(operation: Operation): Promise<OperationResult>;
  /** Stops every running operation; returns how many were told to stop. */
  abortAll(): number;
}

const setUi = (store: OpsStore, patch: Partial<UiState>): void => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));

/**
 * A running operation reports progress every half second: an error said meanwhile (a second backup of
 * the same database refused) would be gone before it is read.
 */
const ERROR_OVER_PROGRESS_MS = 5000;

/** The executor's status line in the cockpit: the store's message. */
export function statusLine(store: OpsStore): (text: string, level: 'info' | 'error', progress?: boolean) => void {
  return (text, level, progress = false) =>
    store.setState((s) => {
      const shown = s.ui.message;
      if (progress && shown?.level === 'error' && Date.now() - shown.at < ERROR_OVER_PROGRESS_MS) return s;
      return { ...s, ui: { ...s.ui, message: { text, level, at: Date.now(), ...(progress ? { progress: true as const } : {}) } } };
    });
}

/** A running operation's progress in the store by its target, gone when it ends: the Backups view shows it beside its database. */
export function progressByTarget(store: OpsStore): (target: string, text: string | undefined) => void {
  return (target, text) =>
    store.setState((s) => {
      if (text !== undefined) return { ...s, ui: { ...s.ui, progress: { ...s.ui.progress, [target]: text } } };
      if (!(target in s.ui.progress)) return s;
      return { ...s, ui: { ...s.ui, progress: Object.fromEntries(Object.entries(s.ui.progress).filter(([key]) => key !== target)) } };
    });
}

export function cockpitOperations(executor: OperationExecutor, store: OpsStore): OperationControls {
  return {
    request(operation) {
      const bound = bind(operation);
      const { confirmation } = bound;
      // start() refuses (and audits the refusal of) what may not run now, before anything is asked.
      if (executor.refusal(operation) || confirmation.kind === 'none') {
        void executor.start(operation);
        return;
      }
      setUi(store, { overlay: 'confirm', input: '', confirm: { operation, description: bound.description, confirmation, changesOutside: bound.changesOutside } });
    },
    refusesKind: (name) => executor.kindRefusal(name),
    start: (operation) => executor.start(operation),
    abortAll: () => executor.abortAll(),
  };
}
