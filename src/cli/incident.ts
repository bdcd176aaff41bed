// `opsdeck incident start --title T --severity P1..P4` and `opsdeck incident stop`: the same incident
// the cockpit's key opens, kept in the state dir (a running cockpit shows it within seconds). Each end
// captures the state of every source once (a snapshot) for the postmortem's "state at start/end".
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isSeverity, SEVERITIES, SEVERITY_MEANING, type Severity } from '../domain/incident.js';
import { configFlags } from './flags.js';

const work = () => import('./work/incident.js');

function severityOption(value: string): Severity {
  const level = value.toUpperCase();
  if (!isSeverity(level)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.map((s) => `${s} (${SEVERITY_MEANING[s].meaning})`).join(', ')}`);
  return level;
}

export function addIncidentCommands(program: Command): void {
  const incident = program.command('incident').description('open or close an incident: events and operations are tagged with it, `opsdeck report` drafts its postmortem');

  incident
    .command('start')
    .description('open an incident (refused while one is open) and capture the state of every source')
    .requiredOption('--title <text>', 'what is wrong, in a few words')
    .addOption(new Option('--severity <level>', `Garden DX level: ${SEVERITIES.map((s) => `${s} ${SEVERITY_MEANING[s].meaning}`).join(', ')}`).argParser(severityOption).makeOptionMandatory())
    .option('-c, --config <file>', 'config file (what the state capture reads)')
    .action(async (options: { title: string; severity: Severity; config?: string }) => {
      await (await work()).startIncident({ ...options, ...configFlags(program, options) });
    });

  incident
    .command('stop')
    .description('close the open incident and capture the state of every source')
    .option('-c, --config <file>', 'config file (what the state capture reads)')
    .action(async (options: { config?: string }) => {
      await (await work()).stopIncident(configFlags(program, options));
    });
}
