// Runs every operation the same way: refused on a read-only screen or host (and audited), audited
// before it runs (no record, no run) and with its outcome after, one at a time per target, in the
// background with progress on the status line, the result in Events. Asking the operator is the
// caller's: the cockpit's confirmation dialog (controls.ts), or a command's prompt or --yes (src/cli).
import type { AuditOutcome } from '../../domain/audit.js';
import type { OpsEvent } from '../../domain/model.js';
import type { AuditTrail, OperationPorts } from './ports.js';
import type { OperationOutput } from './types.js';
import { bind, OPERATIONS, type BoundOperation, type Operation, type OperationName } from './registry.js';

export interface OperationResult {
  /** The audit id shared by its records; absent when nothing could be recorded. */
  id?: string;
  outcome: Exclude<AuditOutcome, 'started'>;
  message: string;
  /** What the operation produced (its OperationOutcome's result), as its outcome's audit record holds it. */
  result?: Record<string, unknown>;
}

export interface ExecutorOptions {
  ports: OperationPorts;
  audit: AuditTrail;
  /** `--read-only` (or `readOnly: true` in the config): nothing that changes anything outside opsdeck. */
  readOnly: boolean;
  /** Hosts configured `readOnly: true`. */
  readOnlyHosts?: ReadonlySet<string>;
  /** The status line: what is running, its progress (`progress` true), its result (the cockpit's, or a command's stderr). */
  say(text: string, level: 'info' | 'error', progress?: boolean): void;
  /** An operation's result joins the timeline. */
  record(event: OpsEvent): void;
  /** A running operation's latest progress by its target, undefined once it ends: the cockpit shows it beside what it acts on. */
  progress?(target: string, text: string | undefined): void;
  /** Where an operation's output goes (an operator command's): the cockpit's output panel, or a command's stdout. Default: nowhere. */
  output?: () => OperationOutput;
}

let sequence = 0;
const newId = (): string => `${Date.now().toString(36)}-${process.pid.toString(36)}-${(sequence++).toString(36)}`;
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const NO_OUTPUT: OperationOutput = { open: () => undefined, write: () => undefined, end: () => undefined };

export class OperationExecutor {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: ExecutorOptions) {}

  /** Why an operation of this kind may not run on this screen whatever it would act on (read-only), if it may not. */
  kindRefusal(name: OperationName): string | undefined {
    // Named by its key's binding (what the help calls it), not the kind's id.
    return this.screenRefuses(name) ? `read-only: "${OPERATIONS[name].key?.binding ?? name}" refused` : undefined;
  }

  /** Why this operation may not run now (its target busy, a read-only screen or host), if it may not: ask before asking the operator. */
  refusal(operation: Operation): string | undefined {
    const bound = bind(operation);
    const { title, target } = bound.description;
    if (this.running.has(target)) return `${title}: refused, an operation on ${target} is still running`;
    if (!bound.changesOutside) return undefined;
    if (this.screenRefuses(operation.kind)) return `read-only: "${title}" refused`;
    const host = [bound.description.host, ...(bound.description.hosts ?? [])].find((h) => this.options.readOnlyHosts?.has(h));
    if (host !== undefined) return `read-only host ${host}: "${title}" refused`;
    return undefined;
  }

  /** A read-only screen refuses every kind that changes something outside opsdeck. */
  private screenRefuses(name: OperationName): boolean {
    return this.options.readOnly && OPERATIONS[name].changesOutside;
  }

  /** Runs it, once the operator has said yes; a refusal is audited and nothing runs. */
  async start(operation: Operation): Promise<OperationResult> {
    const bound = bind(operation);
    const { title, target, host, detail } = bound.description;
    const refusal = this.refusal(operation);
    if (refusal) return this.finish(bound, await this.refuse(bound, refusal));
    const id = newId();
    try {
      await this.options.audit.append({ id, action: operation.kind, target, host, detail, outcome: 'started' });
    } catch (error) {
      return this.finish(bound, { outcome: 'refused', message: `${title}: not run, the audit record could not be written to ${this.options.audit.location}: ${errorText(error)}` });
    }
    const controller = new AbortController();
    this.running.set(target, controller);
    this.options.say(`${title}…`, 'info', true);
    let result: OperationResult;
    try {
      const progress = (text: string) => {
        this.options.say(`${title}: ${text}`, 'info', true);
        this.options.progress?.(target, text);
      };
      const done = await bound.run(this.options.ports, controller.signal, progress, this.options.output?.() ?? NO_OUTPUT);
      result = { id, ...done };
    } catch (error) {
      result = controller.signal.aborted ? { id, outcome: 'cancelled', message: `${title}: stopped before it finished` } : { id, outcome: 'failed', message: `${title} failed: ${errorText(error)}` };
    } finally {
      this.running.delete(target);
      this.options.progress?.(target, undefined);
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
    this.options.say(result.message, good ? 'info' : 'error');
    this.options.record({ at: Date.now(), host: bound.description.host, kind: 'action', level: good ? 'info' : 'warn', message: result.message, ...(result.id ? { auditId: result.id } : {}) });
    return result;
  }
}
