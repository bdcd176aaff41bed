// `opsdeck incident start --title T --severity P1..P4` and `opsdeck incident stop`: the same incident
// the cockpit's key opens, kept in the state dir (a running cockpit shows it within seconds). Each end
// captures the state of every source once (a snapshot) for the postmortem's "state at start/end".
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OpsConfig } from '../app/config/resolve.js';
import { LEAD_IN_MS, stateCapture } from '../app/postmortem.js';
import { collectSnapshot } from '../app/snapshot.js';
import { incidentLabel, isSeverity, SEVERITIES, SEVERITY_MEANING, type Severity } from '../domain/incident.js';
import { IncidentStore } from '../services/incidents.js';

const EXIT_FAILED = 1;

function severityOption(value: string): Severity {
  const level = value.toUpperCase();
  if (!isSeverity(level)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.map((s) => `${s} (${SEVERITY_MEANING[s].meaning})`).join(', ')}`);
  return level;
}

const failed = (what: string, error: unknown): void => {
  process.stderr.write(`opsdeck: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = EXIT_FAILED;
};

export function addIncidentCommands(program: Command, configOrExit: (flag: string | undefined) => OpsConfig): void {
  const incident = program.command('incident').description('open or close an incident: events and operations are tagged with it, `opsdeck report` drafts its postmortem');
  const config = (options: { config?: string }) => configOrExit(options.config ?? program.opts<{ config?: string }>().config);
  const capture = async (cfg: OpsConfig, at: number, errorsFrom: number) => stateCapture(await collectSnapshot(cfg), cfg, at, errorsFrom, '`opsdeck incident`');

  incident
    .command('start')
    .description('open an incident (refused while one is open) and capture the state of every source')
    .requiredOption('--title <text>', 'what is wrong, in a few words')
    .addOption(new Option('--severity <level>', `Garden DX level: ${SEVERITIES.map((s) => `${s} ${SEVERITY_MEANING[s].meaning}`).join(', ')}`).argParser(severityOption).makeOptionMandatory())
    .option('-c, --config <file>', 'config file (what the state capture reads)')
    .action(async (options: { title: string; severity: Severity; config?: string }) => {
      // A bad config stops it before anything is recorded.
      const cfg = config(options);
      const store = new IncidentStore();
      try {
        const at = Date.now();
        const opened = await store.start(options.severity, options.title, at);
        process.stdout.write(`incident ${opened.id} open: ${incidentLabel(opened)} (respond within ${SEVERITY_MEANING[opened.severity].respondWithin})\n`);
        const path = await store.saveCapture(opened.id, 'start', await capture(cfg, at, at - LEAD_IN_MS));
        process.stdout.write(`state at start: ${path}\n`);
      } catch (error) {
        failed('incident start', error);
      }
    });

  incident
    .command('stop')
    .description('close the open incident and capture the state of every source')
    .option('-c, --config <file>', 'config file (what the state capture reads)')
    .action(async (options: { config?: string }) => {
      const cfg = config(options);
      const store = new IncidentStore();
      try {
        const open = await store.open();
        if (!open) throw new Error('no incident is open');
        const at = Date.now();
        const path = await store.saveCapture(open.id, 'end', await capture(cfg, at, open.startedAt));
        const closed = await store.stop(at);
        process.stdout.write(`incident ${closed.id} closed: ${incidentLabel(closed)}\nstate at end: ${path}\n`);
      } catch (error) {
        failed('incident stop', error);
      }
    });
}
