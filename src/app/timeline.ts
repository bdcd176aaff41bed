// The lasting timeline in the cockpit: the last day of events put back on screen at start, and every
// new event written to the day's file (an event sink: src/app/event-sink.ts).
import { readTimeline, type TimelineWriter } from '../services/timeline-file.js';
import { withEvents } from './apply.js';
import type { EventSink } from './event-sink.js';
import type { OpsStore } from './store.js';
import type { OpsEvent } from '../domain/model.js';
import type { OpsConfig } from './config/resolve.js';

/** What Events shows again after a restart. */
export const RESTORE_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Whose events come back: the timeline is the user's, shared by every cockpit and command they run,
 * and another config's hosts (a wall display's, another garden's) are not this screen's. `hosts`
 * undefined takes every host (a fleet from Prometheus, whose hosts are known only once it answers).
 * An event of no host or an incident's (its host is "opsdeck"), of several hosts (an action's result, "web-1,web-2") with one of
 * ours, or from the alerts (named by a label, not by a host of the config) comes back too.
 */
export function ofThisConfig(event: OpsEvent, hosts: ReadonlySet<string> | undefined): boolean {
  if (!hosts || event.host === '' || event.kind === 'alert' || event.kind === 'incident') return true;
  return event.host.split(',').some((host) => hosts.has(host));
}

/** The hosts whose events are this config's (ofThisConfig): every host's with a Prometheus fleet. */
export function configHosts(config: Pick<OpsConfig, 'hosts' | 'prometheus'>): ReadonlySet<string> | undefined {
  return config.prometheus ? undefined : new Set(config.hosts.map((host) => host.name));
}

/**
 * Puts the last 24 h of the timeline for this config's hosts into Events before anything is collected;
 * returns the notice for the status line when some lines of the file were not events (skipped, never fatal).
 */
export async function restoreTimeline(store: OpsStore, dir: string, hosts: ReadonlySet<string> | undefined, now = Date.now()): Promise<string | undefined> {
  const { events, skipped } = await readTimeline(dir, now - RESTORE_WINDOW_MS, now);
  const ours = events.filter((event) => ofThisConfig(event, hosts));
  if (ours.length > 0) store.setState((s) => ({ ...s, data: withEvents(s.data, ours) }));
  if (skipped.length === 0) return undefined;
  const lines = skipped.reduce((sum, s) => sum + s.lines, 0);
  return `timeline: ${lines} unreadable line${lines === 1 ? '' : 's'} skipped in ${skipped.map((s) => s.file).join(', ')}`;
}

export function timelineSink(writer: TimelineWriter): EventSink {
  return { events: (batch) => writer.append(batch.filter((event) => !event.recordedElsewhere)) };
}
