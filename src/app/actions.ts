// Operator actions: confirm, then run without blocking the screen, then show the result. Read-only
// mode refuses before anything is asked. Each action's own service writes its audit record.
import type { OpsEvent } from '../domain/model.js';
import type { OpsStore } from './store.js';

export interface ActionOutcome {
  ok: boolean;
  message: string;
}

export interface PendingAction {
  /** "cancel query 4242 on main". */
  title: string;
  /** What the operator should read before saying yes (the query, the fingerprint). */
  lines: readonly string[];
  /** When set, the operator types this word to confirm (for the irreversible ones). */
  typed?: string;
  host: string;
  /** Changes nothing outside opsdeck (trusting a host key is still allowed on a read-only wall). */
  local?: boolean;
  run(): Promise<ActionOutcome>;
  /** Called instead of asking when read-only mode refuses the action (to audit the refusal). */
  refused?(): void;
}

/** Opens the confirmation, or refuses at once in read-only mode. */
export function requestAction(store: OpsStore, action: PendingAction): void {
  const { ui } = store.getState();
  if (ui.readOnly && !action.local) {
    action.refused?.();
    store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text: `read-only: "${action.title}" refused`, level: 'error', at: Date.now() } } }));
    return;
  }
  store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'confirm', confirm: action, input: '' } }));
}

/** Runs a confirmed action in the background; the screen keeps updating meanwhile. */
export async function performAction(store: OpsStore, action: PendingAction, record: (event: OpsEvent) => void): Promise<void> {
  const say = (text: string, level: 'info' | 'error') => store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text, level, at: Date.now() } } }));
  say(`${action.title}…`, 'info');
  let outcome: ActionOutcome;
  try {
    outcome = await action.run();
  } catch (error) {
    outcome = { ok: false, message: `${action.title} failed: ${(error as Error).message}` };
  }
  say(outcome.message, outcome.ok ? 'info' : 'error');
  record({ at: Date.now(), host: action.host, kind: 'action', level: outcome.ok ? 'info' : 'warn', message: outcome.message });
}
