// What `opsdeck incident start|stop` do (src/cli/incident.ts declares them): the incident kept in the
// state dir, and the state of every source captured once at each end.
import type { OpsConfig } from '../../app/config/resolve.js';
import { LEAD_IN_MS, stateCapture } from '../../app/postmortem.js';
import { collectSnapshot } from '../../app/snapshot.js';
import { incidentLabel, SEVERITY_MEANING, type Severity } from '../../domain/incident.js';
import { closedEvent, openedEvent } from '../../app/incidents.js';
import type { OpsEvent } from '../../domain/model.js';
import { IncidentStore } from '../../services/incidents.js';
import { timelineDir, TimelineWriter } from '../../services/timeline-file.js';
import type { ConfigFlags } from '../flags.js';
import { configOrExit } from './config.js';

const EXIT_FAILED = 1;

const failed = (what: string, error: unknown): void => {
  process.stderr.write(`opsdeck: ${what}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = EXIT_FAILED;
};

const capture = async (config: OpsConfig, at: number, errorsFrom: number) => stateCapture(await collectSnapshot(config), config, at, errorsFrom, '`opsdeck incident`');

/** The timeline's record of it, as a cockpit that opens or closes one writes (a cockpit watching only shows it). */
async function record(event: OpsEvent): Promise<void> {
  const writer = new TimelineWriter(timelineDir(), (message) => process.stderr.write(`opsdeck: ${message}\n`));
  writer.append([event]);
  await writer.flush();
}

export async function startIncident(options: ConfigFlags & { title: string; severity: Severity }): Promise<void> {
  // A bad config stops it before anything is recorded.
  const config = configOrExit(options);
  const store = new IncidentStore();
  try {
    const at = Date.now();
    const opened = await store.start(options.severity, options.title, at);
    await record(openedEvent(opened));
    process.stdout.write(`incident ${opened.id} open: ${incidentLabel(opened)} (respond within ${SEVERITY_MEANING[opened.severity].respondWithin})\n`);
    const path = await store.saveCapture(opened.id, 'start', await capture(config, at, at - LEAD_IN_MS));
    process.stdout.write(`state at start: ${path}\n`);
  } catch (error) {
    failed('incident start', error);
  }
}

export async function stopIncident(options: ConfigFlags): Promise<void> {
  const config = configOrExit(options);
  const store = new IncidentStore();
  try {
    const open = await store.open();
    if (!open) throw new Error('no incident is open');
    const at = Date.now();
    const path = await store.saveCapture(open.id, 'end', await capture(config, at, open.startedAt));
    const closed = await store.stop(at);
    await record(closedEvent(closed, at));
    process.stdout.write(`incident ${closed.id} closed: ${incidentLabel(closed)}\nstate at end: ${path}\n`);
  } catch (error) {
    failed('incident stop', error);
  }
}
