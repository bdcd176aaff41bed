// Incidents in the cockpit: the open one is kept in the state dir (src/services/incidents.ts), so one
// opened by `opsdeck incident start` in another terminal shows here within a couple of seconds; the
// keys and `:incident` open and close one (capturing what the screen shows at each end) and write
// the postmortem draft, saying where on the status line.
import { formatDuration } from '../domain/duration.js';
import { incidentLabel, type Incident, type Severity } from '../domain/incident.js';
import type { IncidentStore } from '../services/incidents.js';
import type { TimelineWriter } from '../services/timeline-file.js';
import { withEvents } from './apply.js';
import type { OpsConfig } from './config/resolve.js';
import { buildPostmortem, LEAD_IN_MS, stateCapture } from './postmortem.js';
import { configHosts } from './timeline.js';
import type { DataState, OpsStore } from './store.js';
import type { OpsEvent } from '../domain/model.js';

/** What the keys and `:incident` / `:report` reach; each says its result on the status line. */
export interface IncidentControls {
  start(severity: Severity, title: string): Promise<void>;
  stop(): Promise<void>;
  /** Writes the postmortem draft of the open (or latest) incident; resolves to its path. */
  report(): Promise<string | undefined>;
}

/** How often the cockpit looks for an incident opened or closed elsewhere. */
export const INCIDENT_POLL_MS = 2000;

const sameIncident = (a: Incident | null, b: Incident | null): boolean => a?.id === b?.id && a?.stoppedAt === b?.stoppedAt;

/** How the data changes from here: through the runtime (`Runtime.commit`), so a pending tick does not undo it. */
export type CommitData = (change: (data: DataState) => DataState) => void;

function setIncident(commit: CommitData, incident: Incident | null): void {
  commit((d) => (sameIncident(d.incident, incident) ? d : { ...d, incident }));
}

const incidentEvent = (message: string, level: 'info' | 'crit'): OpsEvent => ({ at: Date.now(), host: 'opsdeck', kind: 'incident', level, message });

/** The timeline's record of an incident opened, by whoever opens it (the cockpit, `opsdeck incident start`). */
export const openedEvent = (incident: Incident): OpsEvent =>
  incidentEvent(`incident ${incident.id} opened: ${incidentLabel(incident)}`, incident.severity === 'P1' || incident.severity === 'P2' ? 'crit' : 'info');

/** The timeline's record of an incident closed, by whoever closes it. */
export const closedEvent = (incident: Incident, at: number): OpsEvent => incidentEvent(`incident ${incident.id} closed after ${formatDuration(at - incident.startedAt)}`, 'info');

/**
 * An incident opened or closed elsewhere (`opsdeck incident start` in another terminal, another
 * cockpit): the store takes it and Events say so, as for one opened here (whose start and stop have
 * put it in the store already, so nothing is said twice). Whoever opened or closed it wrote the
 * timeline's record; every cockpit watching writing its own would repeat it.
 */
function followIncident(commit: CommitData, incident: Incident | null): void {
  commit((d) => {
    if (sameIncident(d.incident, incident)) return d;
    const events: OpsEvent[] = [];
    if (d.incident && d.incident.id !== incident?.id) events.push(closedEvent(d.incident, Date.now()));
    if (incident && incident.id !== d.incident?.id) events.push(openedEvent(incident));
    return withEvents(
      { ...d, incident },
      events.map((event) => ({ ...event, recordedElsewhere: true as const })),
    );
  });
}

/** Follows the state dir's open incident into the store; returns the stop. A read that fails keeps what is shown. */
export function watchIncident(commit: CommitData, incidents: IncidentStore, everyMs = INCIDENT_POLL_MS): () => void {
  let stopped = false;
  // Committed only when the file says something new: an idle poll costs no frame.
  let last: Incident | null | undefined;
  const read = () =>
    incidents.open().then(
      (open) => {
        const incident = open ?? null;
        if (stopped || (last !== undefined && sameIncident(last, incident))) return;
        // The first read is what was open before this cockpit started: no news.
        if (last === undefined) setIncident(commit, incident);
        else followIncident(commit, incident);
        last = incident;
      },
      () => undefined,
    );
  void read();
  const timer = setInterval(() => void read(), everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

export interface CockpitIncidentOptions {
  store: OpsStore;
  commit: CommitData;
  config: OpsConfig;
  incidents: IncidentStore;
  timeline: TimelineWriter;
  auditPath: string;
  say(text: string, level: 'info' | 'error'): void;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function cockpitIncidents({ store, commit, config, incidents, timeline, auditPath, say }: CockpitIncidentOptions): IncidentControls {
  const capture = (at: number, errorsFrom: number) => stateCapture(store.getState().data, config, at, errorsFrom, 'the cockpit');
  const record = (event: OpsEvent) => commit((d) => withEvents(d, [event]));
  return {
    async start(severity, title) {
      try {
        const at = Date.now();
        const incident = await incidents.start(severity, title, at);
        setIncident(commit, incident);
        record(openedEvent(incident));
        await incidents.saveCapture(incident.id, 'start', capture(at, at - LEAD_IN_MS));
        say(`incident ${incident.id} open (${incidentLabel(incident)}): events and operations are tagged with it`, 'info');
      } catch (error) {
        say(`incident not opened: ${errorText(error)}`, 'error');
      }
    },
    async stop() {
      try {
        const open = store.getState().data.incident ?? (await incidents.open());
        if (!open) throw new Error('no incident is open');
        const at = Date.now();
        // What the screen shows as it closes, before anything moves on.
        await incidents.saveCapture(open.id, 'end', capture(at, open.startedAt));
        const closed = await incidents.stop(at);
        record(closedEvent(closed, at));
        setIncident(commit, null);
        say(`incident ${closed.id} closed; P writes its report`, 'info');
      } catch (error) {
        say(`incident not closed: ${errorText(error)}`, 'error');
      }
    },
    async report() {
      try {
        // Events still in the writer's buffer belong in the report.
        await timeline.flush();
        const now = Date.now();
        const { markdown, incident } = await buildPostmortem({ incidents, timelineDir: timeline.dir, auditPath, stateNow: async (from) => capture(now, from), hosts: configHosts(config) }, {}, now);
        const path = await incidents.saveReport(`postmortem-${incident!.id}.md`, markdown);
        say(`report written to ${path}`, 'info');
        return path;
      } catch (error) {
        say(`report not written: ${errorText(error)}`, 'error');
        return undefined;
      }
    },
  };
}
