// The one place events leave the store for the world outside the screen: the lasting timeline file
// (src/app/timeline.ts), the operations alerts out send (src/app/alerts.ts), and anything else that
// wants every event as it happens. A sink gets each new event once, in order, after the store has it (tagged with
// the open incident, numbered), never on the render path's account: it must only queue and return.
import type { OpsEvent } from '../domain/model.js';
import type { OpsStore } from './store.js';

export interface EventSink {
  /** New events, oldest first. Called synchronously from the store's update: queue the work, do not block. */
  events(batch: readonly OpsEvent[]): void;
}

/**
 * Hands every event that joins the store from now on to each sink; returns the detach. Events already
 * there (the timeline reloaded at start) are not handed again. Paused screens do not matter: events
 * land in `data`, which keeps going under a frozen view.
 */
export function attachEventSinks(store: OpsStore, sinks: readonly EventSink[]): () => void {
  let lastId = store.getState().data.events.at(-1)?.id ?? 0;
  return store.subscribe((state, previous) => {
    if (state.data.events === previous.data.events) return;
    const events = state.data.events;
    // Ids only grow; the newest are at the end, so walk back to the first one not yet handed on.
    let start = events.length;
    while (start > 0 && (events[start - 1]!.id ?? 0) > lastId) start--;
    if (start === events.length) return;
    const batch = events.slice(start);
    lastId = batch.at(-1)!.id ?? lastId;
    for (const sink of sinks) sink.events(batch);
  });
}
