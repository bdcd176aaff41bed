// Runs operations without the cockpit (subcommands, scripts): opens only the doors they act through
// (each named host's SSH connection, or this machine's programs and files), runs each through the
// cockpit's own executor (read-only refusal audited, audit before and after, one at a time per target,
// the kind's own verification), and closes what it opened. Asking the operator is the caller's.
import type { HostConfig } from '../domain/model.js';
import type { HostControls } from '../services/host-adapter.js';
import { auditLogPath, auditTrail } from '../services/audit.js';
import { IncidentStore } from '../services/incidents.js';
import { LocalHostAdapter } from '../services/local/adapter.js';
import type { SshHostAdapter } from '../services/ssh/adapter.js';
import { configuredBackups } from './backups.js';
import type { OpsConfig } from './config/resolve.js';
import { OperationExecutor, type OperationResult } from './operations/executor.js';
import type { AuditTrail, BackupControl, OperationPorts } from './operations/ports.js';
import type { OperationOutput } from './operations/types.js';
import { bind, type Operation } from './operations/registry.js';
import { sshAdapter } from './runtime.js';

export interface RunnerOptions {
  /** Default: the configured trail ($OPSDECK_AUDIT_LOG, else $XDG_STATE_HOME/opsdeck/audit.jsonl). */
  audit?: AuditTrail;
  /** Each operation's start, progress and result as it happens (a command's stderr). */
  say?(text: string, level: 'info' | 'error'): void;
  /** Where an operator command's output goes (a command's stdout); default: nowhere. */
  output?: () => OperationOutput;
}

/** One operation of a sequence: its result, or `skipped` when the sequence stopped before it. */
export interface StepResult {
  operation: Operation;
  host: string;
  outcome: OperationResult['outcome'] | 'skipped';
  message: string;
  /** The audit id of its records; absent when it was skipped or nothing could be recorded. */
  id?: string;
  /** What it produced (a backup's file and sha256), for scripts. */
  result?: Record<string, unknown>;
}

export class OperationRunner {
  private readonly hosts: Map<string, HostConfig>;
  private readonly local = new LocalHostAdapter();
  private ssh: SshHostAdapter | undefined;
  private backups: Map<string, BackupControl> | undefined;
  private readonly opened = new Map<string, HostControls>();
  private readonly executor: OperationExecutor;
  private stopping = false;

  constructor(private readonly config: OpsConfig, options: RunnerOptions = {}) {
    this.hosts = new Map(config.hosts.map((h) => [h.name, h]));
    this.executor = new OperationExecutor({
      ports: this.ports(),
      // Tagged with the incident open in the state dir, as the cockpit's are.
      audit: options.audit ?? auditTrail(auditLogPath(), async () => (await new IncidentStore().open())?.id),
      readOnly: config.readOnly,
      readOnlyHosts: new Set(config.hosts.filter((h) => h.readOnly).map((h) => h.name)),
      say: options.say ?? (() => undefined),
      output: options.output,
      // No timeline here: the caller prints the results, the audit trail keeps them.
      record: () => undefined,
    });
  }

  /** Why each of these may not run here (read-only screen or host), for those that may not: nothing is recorded by asking. */
  refusals(operations: readonly Operation[]): string[] {
    return operations.flatMap((operation) => this.executor.refusal(operation) ?? []);
  }

  /** One operation, its host opened if it was not yet: refused (and audited), or run, audited and verified. */
  async run(operation: Operation): Promise<StepResult> {
    return step(operation, await this.executor.start(operation));
  }

  /**
   * Runs them one after the other. After the first that does not succeed (failed, refused, not
   * found, stopped) the rest are skipped, neither run nor audited, unless `keepGoing`. When any of
   * them would be refused, none runs: each refusal is audited and the others are skipped.
   */
  async runInOrder(operations: readonly Operation[], { keepGoing = false }: { keepGoing?: boolean } = {}): Promise<StepResult[]> {
    const refused = operations.filter((operation) => this.executor.refusal(operation));
    if (refused.length > 0) {
      const results: StepResult[] = [];
      for (const operation of operations) {
        if (refused.includes(operation)) results.push(await this.run(operation));
        else results.push(skipped(operation, 'not run: another step was refused'));
      }
      return results;
    }
    // Every host at once: a dead host's connect timeout runs while the hosts before it are worked on.
    for (const operation of operations) this.controls(bind(operation).description.host);
    const results: StepResult[] = [];
    let stoppedAt: StepResult | undefined;
    for (const operation of operations) {
      if (this.stopping) results.push(skipped(operation, 'not run: stopped by the operator'));
      else if (stoppedAt) results.push(skipped(operation, `not reached: stopped after ${bind(stoppedAt.operation).description.title} (${stoppedAt.outcome})`));
      else {
        const result = await this.run(operation);
        results.push(result);
        if (result.outcome !== 'ok' && !keepGoing) stoppedAt = result;
      }
    }
    return results;
  }

  /** Stops the running operation (it is recorded cancelled) and skips the rest. */
  abort(): void {
    this.stopping = true;
    this.executor.abortAll();
  }

  /** Closes every connection it opened. */
  close(): void {
    this.ssh?.close();
    this.local.close();
  }

  private ports(): OperationPorts {
    return {
      units: (name) => this.controls(name)?.units,
      maintenance: (name) => this.controls(name)?.maintenanceFlag,
      processes: (name) => this.controls(name)?.processControl,
      shell: (name) => this.controls(name)?.shell,
      // Backups of a database reached through an SSH host need the cockpit's tunnel: refused here, saying so.
      backup: (name) => (this.backups ??= configuredBackups(this.config)).get(name),
      // Databases and host keys are the cockpit's: it has them open and shows what they are.
      database: () => undefined,
      sshHost: () => undefined,
    };
  }

  /** The host's doors, opened the first time they are asked for (an SSH host starts connecting then). */
  private controls(name: string): HostControls | undefined {
    const found = this.opened.get(name);
    if (found) return found;
    const host = this.hosts.get(name);
    if (!host) return undefined;
    const adapter = host.local ? this.local : (this.ssh ??= sshAdapter(this.config));
    const controls = adapter.controls(host);
    this.opened.set(name, controls);
    return controls;
  }
}

function step(operation: Operation, result: OperationResult): StepResult {
  return { operation, host: bind(operation).description.host, outcome: result.outcome, message: result.message, ...(result.id !== undefined ? { id: result.id } : {}), ...(result.result ? { result: result.result } : {}) };
}

function skipped(operation: Operation, message: string): StepResult {
  return { operation, host: bind(operation).description.host, outcome: 'skipped', message };
}
