// What an operation kind declares: one module per kind (src/app/operations/*.ts), one line in the
// registry, its key in keymaps/default.yaml. Everything every operation must get right (read-only,
// confirmation, audit, background run, one at a time per target, result) is the executor's, not theirs.
import type { KeyContext } from '../keymap.js';
import type { DataState, UiState } from '../store.js';
import type { OperationPorts } from './ports.js';

/** What the confirmation shows, and what the audit record and Events name. */
export interface OperationDescription {
  /** "cancel query 4242 on main". */
  title: string;
  /** What the operator should read before saying yes (the query, the fingerprint). */
  lines: string[];
  /** The host it acts on or through: per-host read-only and Events go by it ("web-1,web-2" when it fans out). */
  host: string;
  /** Every host it acts on, when it fans out over several: read-only is judged on each. */
  hosts?: readonly string[];
  /** What it acts on, for the audit record and the one-at-a-time rule: "db:main pid 4242". */
  target: string;
  /** The exact statement or remote command it sends, where there is one, so the operator can read it. */
  command?: string;
  /** Its live output is shown as it comes (the cockpit's output panel, whose dialog says so; a command's stdout). */
  streamsOutput?: boolean;
  /** What the operator saw when deciding, for the audit record (never a secret). */
  detail: Record<string, unknown>;
}

/**
 * none; a yes; a word typed exactly; or a yes that may carry a value typed first (`value`: y or Enter on
 * an empty line takes the default, shown as `placeholder`; the kind's `withValue` reads what was typed).
 */
export type Confirmation = { kind: 'none' } | { kind: 'yes' } | { kind: 'typed'; word: string } | { kind: 'value'; label: string; placeholder: string; hint: string };

export interface OperationOutcome {
  /** refused: it declined before doing anything (another backup of it runs, it would not fit). */
  outcome: 'ok' | 'failed' | 'not-found' | 'cancelled' | 'refused';
  message: string;
  /** What it produced, for scripts (`--format json`) and the outcome's audit record: a backup's file and sha256, an operator command's exit status, duration and tail of output per host. Never a secret. */
  result?: Record<string, unknown>;
}

/** Where an operation's live output goes: the output panel (src/app/output-panel.ts), a section per host. */
export interface OperationOutput {
  /** Opens the panel on this operation, one section per host in this order, each with the command it runs. */
  open(title: string, sections: readonly { host: string; command: string }[]): void;
  /** Output as it arrives; the panel sanitises it and keeps the last part. */
  write(host: string, text: string): void;
  /** The host's run ended: its header says how. */
  end(host: string, status: { ok: boolean; text: string }): void;
}

/** One kind of operation; its name in the registry (src/app/operations/registry.ts) is its audit action. */
export interface OperationKind<P> {
  /**
   * The binding name under `context` in keymaps/default.yaml, and its line in `?`. Absent for a kind
   * without a key of its own (action.run: each configured action brings its key).
   */
  key?: { context: KeyContext; binding: string; help: string };
  /** False when it changes only opsdeck's own state or files: allowed on a read-only screen. */
  changesOutside: boolean;
  /** The parameters from what is selected on screen, or why there is nothing to act on (kinds with a key). */
  fromSelection?(data: DataState, ui: UiState): { params: P } | { error: string };
  describe(params: P): OperationDescription;
  confirmation(params: P): Confirmation;
  /** For a `value` confirmation: the parameters with the typed value in them, or why it is not one. */
  withValue?(params: P, text: string): { params: P } | { error: string };
  /** Does the work through the ports; the signal ends it (timeout, quit, operator's abort). */
  run(params: P, ports: OperationPorts, signal: AbortSignal, progress: (text: string) => void, output: OperationOutput): Promise<OperationOutcome>;
}
