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
  /** The host it acts on or through: per-host read-only and Events go by it. */
  host: string;
  /** What it acts on, for the audit record and the one-at-a-time rule: "db:main pid 4242". */
  target: string;
  /** The exact statement or remote command it sends, where there is one, so the operator can read it. */
  command?: string;
  /** What the operator saw when deciding, for the audit record (never a secret). */
  detail: Record<string, unknown>;
}

export type Confirmation = { kind: 'none' } | { kind: 'yes' } | { kind: 'typed'; word: string };

export type OperationOutcome = {
  /** refused: it declined before doing anything (another backup of it runs, it would not fit). */
  outcome: 'ok' | 'failed' | 'not-found' | 'refused';
  message: string;
  /** What it produced, for scripts (`--format json`) and the audit record: a backup's file and sha256. Never a secret. */
  result?: Record<string, unknown>;
};

/** One kind of operation; its name in the registry (src/app/operations/registry.ts) is its audit action. */
export interface OperationKind<P> {
  /** The binding name under `context` in keymaps/default.yaml, and its line in `?`. */
  key: { context: KeyContext; binding: string; help: string };
  /** False when it changes only opsdeck's own state or files: allowed on a read-only screen. */
  changesOutside: boolean;
  /** The parameters from what is selected on screen, or why there is nothing to act on. */
  fromSelection(data: DataState, ui: UiState): { params: P } | { error: string };
  describe(params: P): OperationDescription;
  confirmation(params: P): Confirmation;
  /** Does the work through the ports; the signal ends it (timeout, quit, operator's abort). */
  run(params: P, ports: OperationPorts, signal: AbortSignal, progress: (text: string) => void): Promise<OperationOutcome>;
}
