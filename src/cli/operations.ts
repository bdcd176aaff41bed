// `opsdeck restart|start|stop|reload HOST UNIT...` and `opsdeck maintenance on|off HOST`: the cockpit's
// operations from a shell or a script. Names are checked against the config first (exit 2); the plan
// is confirmed on a terminal or by --yes; each step goes through the executor (read-only refusal,
// audit, verification); exit 0 only when every step succeeded and was verified.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../domain/duration.js';
import { UNIT_VERBS, type UnitVerb } from '../domain/unit-control.js';
import { configFlags, usageError } from './flags.js';
import type { RunOptions } from './work/operations.js';

const CLI_REASON = 'set from the opsdeck command line';

const work = () => import('./work/operations.js');

const WHAT_THEY_DO: Record<UnitVerb, string> = {
  restart: 'restart units, then verify each runs with a new MainPID',
  start: 'start units, then verify each is active',
  stop: 'stop units (confirmed by typing "stop"), then verify each is inactive',
  reload: 'reload units, then verify each is active',
};

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

export function addOperationCommands(program: Command): void {
  for (const verb of UNIT_VERBS) {
    withRunOptions(program.command(verb))
      .summary(`${verb} units on a host or a group, in order, verified`)
      .description(`${WHAT_THEY_DO[verb]}; HOST is a host or a group (every host of it, in config order); without UNITs, the host's services: in config order; stops at the first that fails`)
      .argument('<host>', 'a host, or a group')
      .argument('[units...]', "units in the order to act on (nginx is nginx.service); default: the host's services:")
      .option('--keep-going', 'go on past a step that fails (default: stop there and skip the rest)')
      .action(async (host: string, units: string[], options: RunOptions) => {
        await (await work()).unitSteps(verb, host, units, { ...options, ...configFlags(program, options) });
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
      const note = { why: options.reason ?? CLI_REASON, ...(options.expires !== undefined ? { expiresInMs: options.expires } : {}) };
      await (await work()).maintenanceSteps(state, host, note, { ...options, ...configFlags(program, options) });
    });
}
