// What `opsdeck restart|start|stop|reload` and `opsdeck maintenance` do (src/cli/operations.ts declares
// them), and what every operation subcommand shares: the operator's yes, Ctrl-C stopping the run.
import type { UnitVerb } from '../../domain/unit-control.js';
import type { OpsConfig } from '../../app/config/resolve.js';
import { maintenancePlan, unitPlan, type Plan } from '../../app/operation-plans.js';
import { OperationRunner } from '../../app/operation-runner.js';
import type { MaintenanceParams } from '../../app/operations/maintenance.js';
import type { Operation } from '../../app/operations/registry.js';
import { usageError, type ConfigFlags } from '../flags.js';
import { confirmPlan } from './confirm.js';
import { configOrExit } from './config.js';
import { resultJson, resultTable, succeeded, type Subject } from './results.js';

const EXIT_FAILED = 1;

export interface RunOptions extends ConfigFlags {
  yes?: boolean;
  keepGoing?: boolean;
  format: 'text' | 'json';
}

/**
 * The operator's yes for these operations, asked on the terminal, or --yes. A plan that would be
 * refused is not put to the operator: it goes on to be refused (and audited) at once. No terminal
 * and no --yes exits 2 with nothing done; a no sets exit 1 and returns false.
 */
export async function confirmed(command: string, operations: readonly Operation[], runner: OperationRunner, options: Pick<RunOptions, 'yes' | 'keepGoing'>): Promise<boolean> {
  if (runner.refusals(operations).length > 0) return true;
  const answer = await confirmPlan(operations, { yes: options.yes ?? false, keepGoing: options.keepGoing ?? false });
  if (answer === 'no-terminal') usageError(`${command} asks for a yes and there is no terminal to ask on: add --yes (nothing was done)`);
  if (answer === 'yes') return true;
  process.stderr.write('not confirmed: nothing was done\n');
  process.exitCode = EXIT_FAILED;
  return false;
}

/** Runs the work with Ctrl-C or a TERM stopping the running step (recorded as cancelled) and skipping the rest; closes the runner after. */
export async function stoppable<T>(runner: OperationRunner, work: () => Promise<T>): Promise<T> {
  const stop = (): void => runner.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await work();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    runner.close();
  }
}

async function execute(command: string, plan: Plan, config: OpsConfig, options: RunOptions, subject: Subject): Promise<void> {
  if ('error' in plan) usageError(plan.error);
  const runner = new OperationRunner(config, { say: (text) => process.stderr.write(`${text}\n`) });
  if (!(await confirmed(command, plan.operations, runner, options))) return runner.close();
  const results = await stoppable(runner, () => runner.runInOrder(plan.operations, { keepGoing: options.keepGoing }));
  process.stdout.write(options.format === 'json' ? `${JSON.stringify(resultJson(command, results, subject), null, 2)}\n` : resultTable(results, subject, process.stdout.isTTY === true && !process.env.NO_COLOR));
  process.exitCode = succeeded(results) ? 0 : EXIT_FAILED;
}

const unitSubject: Subject = { name: 'unit', of: ({ operation: { params } }) => ('unit' in params ? params.unit : '') };
const flagSubject: Subject = { name: 'path', of: ({ operation: { params } }) => ('path' in params ? params.path : '') };

export async function unitSteps(verb: UnitVerb, host: string, units: string[], options: RunOptions): Promise<void> {
  const config = configOrExit(options);
  await execute(verb, unitPlan(config, verb, host, units), config, options, unitSubject);
}

export async function maintenanceSteps(state: 'on' | 'off', host: string, note: Pick<MaintenanceParams, 'why' | 'expiresInMs'>, options: RunOptions): Promise<void> {
  const config = configOrExit(options);
  await execute(`maintenance ${state}`, maintenancePlan(config, state === 'on', host, note), config, options, flagSubject);
}
