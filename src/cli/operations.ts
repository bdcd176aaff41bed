// `opsdeck restart|start|stop|reload HOST UNIT...` and `opsdeck maintenance on|off HOST`: the cockpit's
// operations from a shell or a script. Names are checked against the config first (exit 2); the plan
// is confirmed on a terminal or by --yes; each step goes through the executor (read-only refusal,
// audit, verification); exit 0 only when every step succeeded and was verified.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import type { OpsConfig } from '../app/config/resolve.js';
import { maintenancePlan, unitPlan, type Plan } from '../app/operation-plans.js';
import { OperationRunner } from '../app/operation-runner.js';
import type { Operation } from '../app/operations/registry.js';
import { parseDuration } from '../domain/duration.js';
import { UNIT_VERBS, type UnitVerb } from '../domain/unit-control.js';
import { confirmPlan } from './confirm.js';
import { resultJson, resultTable, succeeded, type Subject } from './report.js';

const EXIT_USAGE = 2;
const EXIT_FAILED = 1;

export const CLI_REASON = 'set from the opsdeck command line';

export interface RunOptions {
  config?: string;
  readOnly?: boolean;
  yes?: boolean;
  keepGoing?: boolean;
  format: 'text' | 'json';
}

/** Whatever the command has: the root's --config and --read-only also count when given before it. */
export type LoadConfig = (options: RunOptions) => OpsConfig;

const WHAT_THEY_DO: Record<UnitVerb, string> = {
  restart: 'restart units, then verify each runs with a new MainPID',
  start: 'start units, then verify each is active',
  stop: 'stop units (confirmed by typing "stop"), then verify each is inactive',
  reload: 'reload units, then verify each is active',
};

export function usageError(message: string): never {
  process.stderr.write(`opsdeck: ${message}\n`);
  process.exit(EXIT_USAGE);
}

function expiresOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30m or 2h');
  return ms;
}

const STEPS_EXIT_STATUS = `Exit status: 0 every step done and verified; 1 a step failed, was refused (read-only) or
not confirmed; 2 usage (an unknown host, group or unit; no terminal to ask on and no
--yes), nothing done.`;

/** The options every operation subcommand has, and its exit statuses in --help. */
export function withRunOptions(command: Command, exitStatus = STEPS_EXIT_STATUS): Command {
  return command
    .option('-c, --config <file>', 'config file')
    .option('--read-only', 'refuse (and audit the refusal); also readOnly: true in the config or on the host')
    .option('-y, --yes', 'do not ask: what scripts and cron need, since without a terminal nothing runs without it')
    .addOption(new Option('-f, --format <format>', 'text: a table; json: one object for scripts').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
${exitStatus}
Every step is in the audit log ($OPSDECK_AUDIT_LOG, else $XDG_STATE_HOME/opsdeck/audit.jsonl).`,
    );
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

/** A subcommand's config: its own --config and --read-only, or the root's given before it. */
export function commandConfig(program: Command, loadConfig: (flag: string | undefined) => OpsConfig): LoadConfig {
  const root = () => program.opts<{ config?: string; readOnly?: boolean }>();
  return (options) => {
    const config = loadConfig(options.config ?? root().config);
    if (options.readOnly || root().readOnly) config.readOnly = true;
    return config;
  };
}

/** Adds the operation subcommands; `loadConfig` is the CLI's (config errors exit 2), given the flags. */
export function addOperationCommands(program: Command, loadConfig: (flag: string | undefined) => OpsConfig): void {
  const configFor = commandConfig(program, loadConfig);

  for (const verb of UNIT_VERBS) {
    withRunOptions(program.command(verb))
      .summary(`${verb} units on a host or a group, in order, verified`)
      .description(`${WHAT_THEY_DO[verb]}; HOST is a host or a group (every host of it, in config order); without UNITs, the host's services: in config order; stops at the first that fails`)
      .argument('<host>', 'a host, or a group')
      .argument('[units...]', "units in the order to act on (nginx is nginx.service); default: the host's services:")
      .option('--keep-going', 'go on past a step that fails (default: stop there and skip the rest)')
      .action(async (host: string, units: string[], options: RunOptions) => {
        const config = configFor(options);
        await execute(verb, unitPlan(config, verb, host, units), config, options, unitSubject);
      });
  }

  withRunOptions(program.command('maintenance'))
    .summary("set or clear a host's or a group's maintenance flag")
    .description("set or clear the maintenance flag file (hosts.NAME.maintenance) of a host or of every host of a group, then read it back; the file says who, when, why and until when")
    .addArgument(new Argument('<on|off>', 'set or clear').choices(['on', 'off']))
    .argument('<host>', 'a host, or a group')
    .option('--reason <text>', `why, written into the flag (default: "${CLI_REASON}")`)
    .option('--expires <duration>', 'when the flag stops counting, from now: 30m, 2h', expiresOption)
    .action(async (state: 'on' | 'off', host: string, options: RunOptions & { reason?: string; expires?: number }) => {
      if (state === 'off' && (options.reason !== undefined || options.expires !== undefined)) usageError('--reason and --expires are for maintenance on');
      const config = configFor(options);
      const note = { why: options.reason ?? CLI_REASON, ...(options.expires !== undefined ? { expiresInMs: options.expires } : {}) };
      await execute(`maintenance ${state}`, maintenancePlan(config, state === 'on', host, note), config, options, flagSubject);
    });
}
