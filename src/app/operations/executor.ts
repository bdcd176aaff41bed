// Runs every operation the same way: refused on a read-only screen or host (and audited), confirmed
// by the operator, audited before it runs (no record, no run) and with its outcome after, one at a
// time per target, in the background with progress on the status line, the result in Events.
import type { AuditOutcome } from '../../domain/audit.js';
import type { OpsEvent } from '../../domain/model.js';
import type { OpsStore, UiState } from '../store.js';
import type { AuditTrail, OperationPorts } from './ports.js';
import { bind, type BoundOperation, type Operation } from './registry.js';

export interface OperationResult {
  /** The audit id shared by its records; absent when nothing could be recorded. */
  id?: string;
  outcome: Exclude<AuditOutcome, 'started'>;
  message: string;
  /** What the operation produced (its OperationOutcome's result). */
  result?: Record<string, unknown>;
}

/** What the keys reach: dispatch knows only this, not how operations are carried out. */
export interface OperationControls {
  /** A key asked for it: refused, or put to the operator, or (needing no confirmation) started. */
  request(operation: Operation): void;
  /** The operator confirmed it. */
  start(operation: Operation): Promise<OperationResult>;
  /** Stops every running operation; returns how many were told to stop. */
  abortAll(): number;
}

export interface ExecutorOptions {
  ports: OperationPorts;
  audit: AuditTrail;
  /** `--read-only` (or `readOnly: true` in the config): nothing that changes anything outside opsdeck. */
  readOnly: boolean;
  /** Hosts configured `readOnly: true`. */
  readOnlyHosts?: ReadonlySet<string>;
  /** An operation's result joins the timeline. */
  record(event: OpsEvent): void;
}

let sequence = 0;
const newId = (): string => `${Date.now().toString(36)}-${process.pid.toString(36)}-${(sequence++).toString(36)}`;
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class OperationExecutor implements OperationControls {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly store: OpsStore,
    private readonly options: ExecutorOptions,
  ) {}

  request(operation: Operation): void {
    const bound = bind(operation);
    const { confirmation } = bound;
    // start() refuses (and audits the refusal of) what may not run here, before anything is asked.
    if (this.refusal(bound) || confirmation.kind === 'none') {
      void this.start(operation);
      return;
    }
    this.setUi({ overlay: 'confirm', input: '', confirm: { operation, description: bound.description, confirmation, changesOutside: bound.changesOutside } });
  }

  async start(operation: Operation): Promise<OperationResult> {
    const bound = bind(operation);
    const { title, target, host, detail } = bound.description;
    const refusal = this.refusal(bound);
    if (refusal) return this.finish(bound, await this.refuse(bound, refusal));
    if (this.running.has(target)) return this.finish(bound, { outcome: 'refused', message: `${title}: refused, an operation on ${target} is still running` });
    const id = newId();
    try {
      await this.options.audit.append({ id, action: operation.kind, target, host, detail, outcome: 'started' });
    } catch (error) {
      return this.finish(bound, { outcome: 'refused', message: `${title}: not run, the audit record could not be written to ${this.options.audit.location}: ${errorText(error)}` });
    }
    const controller = new AbortController();
    this.running.set(target, controller);
    this.say(`${title}…`, 'info');
    let result: OperationResult;
    try {
      const done = await bound.run(this.options.ports, controller.signal, (text) => {
        this.say(`${title}: ${text}`, 'info');
        this.store.setState((s) => ({ ...s, ui: { ...s.ui, progress: { ...s.ui.progress, [target]: text } } }));
      });
      result = { id, ...done };
    } catch (error) {
      result = controller.signal.aborted ? { id, outcome: 'cancelled', message: `${title}: stopped before it finished` } : { id, outcome: 'failed', message: `${title} failed: ${errorText(error)}` };
    } finally {
      this.running.delete(target);
      this.store.setState((s) => (target in s.ui.progress ? { ...s, ui: { ...s.ui, progress: Object.fromEntries(Object.entries(s.ui.progress).filter(([key]) => key !== target)) } } : s));
    }
    try {
      await this.options.audit.append({ id, action: operation.kind, target, host, detail, outcome: result.outcome, ...(result.outcome === 'failed' || result.outcome === 'refused' ? { error: result.message } : {}), ...(result.result ? { result: result.result } : {}) });
    } catch (error) {
      result = { ...result, message: `${result.message}; its outcome could not be written to ${this.options.audit.location}: ${errorText(error)}` };
    }
    return this.finish(bound, result);
  }

  abortAll(): number {
    for (const controller of this.running.values()) controller.abort();
    return this.running.size;
  }

  /** Why this operation may not run here, if it may not. */
  private refusal(bound: BoundOperation): string | undefined {
    if (!bound.changesOutside) return undefined;
    if (this.options.readOnly) return `read-only: "${bound.description.title}" refused`;
    if (this.options.readOnlyHosts?.has(bound.description.host)) return `read-only host ${bound.description.host}: "${bound.description.title}" refused`;
    return undefined;
  }

  /** A refusal is on the record too: someone tried it. */
  private async refuse(bound: BoundOperation, message: string): Promise<OperationResult> {
    const { target, host, detail } = bound.description;
    const id = newId();
    try {
      await this.options.audit.append({ id, action: bound.operation.kind, target, host, detail, outcome: 'refused', error: message });
      return { id, outcome: 'refused', message };
    } catch (error) {
      return { outcome: 'refused', message: `${message}; the refusal could not be written to ${this.options.audit.location}: ${errorText(error)}` };
    }
  }

  private finish(bound: BoundOperation, result: OperationResult): OperationResult {
    const good = result.outcome === 'ok';
    this.say(result.message, good ? 'info' : 'error');
    this.options.record({ at: Date.now(), host: bound.description.host, kind: 'action', level: good ? 'info' : 'warn', message: result.message });
    return result;
  }

  private say(text: string, level: 'info' | 'error'): void {
    this.setUi({ message: { text, level, at: Date.now() } });
  }

  private setUi(patch: Partial<UiState>): void {
    this.store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  }
}
