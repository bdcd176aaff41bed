// `opsdeck run ACTION [--hosts NAMES] [--set NAME=VALUE]`: an operator command of `actions:` from a shell
// or a script, built as the cockpit's key builds it (each value one quoted shell word) and run through
// the executor (read-only refusal, audit before and after, every host at once with its own deadline).
// Each host's output streams to stdout as it arrives, prefixed by the host when there are several;
// then each host's exit status and duration. Exit 0 only when every host's command exited 0.
import { InvalidArgumentError, type Command } from 'commander';
import { SETTABLE_PLACEHOLDERS, type Placeholder, type PlaceholderValues } from '../app/action-template.js';
import { configFlags } from './flags.js';
import { withRunOptions } from './operations.js';
import type { ActionOptions } from './work/run.js';

const work = () => import('./work/run.js');

function hostNames(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected host or group names, separated by commas');
  return names;
}

function placeholderValue(value: string, values: PlaceholderValues = {}): PlaceholderValues {
  const match = /^([^=]+)=(.*)$/s.exec(value);
  const name = match?.[1] as Placeholder | undefined;
  if (!match || !name || !SETTABLE_PLACEHOLDERS.includes(name)) throw new InvalidArgumentError(`expected NAME=VALUE with NAME one of ${SETTABLE_PLACEHOLDERS.join(', ')}`);
  if (values[name] !== undefined) throw new InvalidArgumentError(`${name} is given twice`);
  return { ...values, [name]: match[2]! };
}

export function addRunCommand(program: Command): void {
  withRunOptions(
    program.command('run'),
    `Exit status: 0 the command exited 0 on every host; 1 it failed, timed out or did not run on
a host, was refused (read-only) or not confirmed; 2 usage (an unknown action or host, a
placeholder without --set, no terminal to ask on and no --yes), nothing done.`,
  )
    .summary('run an operator command (actions: in the config) on its hosts or the hosts named')
    .description('run a configured action on every target host at once, each with its deadline; output streams to stdout (each line prefixed by its host when there are several, to stderr with --format json), then each host\'s exit status and duration')
    .argument('<action>', 'an action name under actions:')
    .option('--hosts <names>', "hosts or groups, separated by commas (default: the action's hosts:)", hostNames)
    .option('--set <name=value>', `a placeholder's value, one shell word once quoted (${SETTABLE_PLACEHOLDERS.join(', ')}); repeat for several`, placeholderValue)
    .action(async (name: string, options: ActionOptions) => {
      await (await work()).runAction(name, { ...options, ...configFlags(program, options) });
    });
}
