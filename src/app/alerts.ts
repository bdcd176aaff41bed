// Alerts out (config `alerts:`): what went crit and what came back, and every operation's outcome,
// POSTed to a Slack-compatible webhook (`{text}`) and/or a plain JSON one. Delivery runs in the
// background, one queue per receiver: rate-limited, retried with backoff, each POST with a deadline;
// what fails is said on the status line. A receiver that hangs delays only its own queue.
//
// The two kinds of alert come in by two ways, because they are two kinds of thing:
// - An operation is an Event (the executor records each outcome as kind `action`): it comes through
//   the one seam events leave the store by, an EventSink (src/app/event-sink.ts), as the timeline's do.
// - A crit transition is state, not an Event: each commit's crit items, as the screen judges them,
//   are compared with what was last alerted of each. Events could not give it: they are per source
//   and in words, with no stable key for the item (a host going down is its connection and each of its
//   sources, each its own Event; the alert is one, "host:web-1"); crit to warn is a recovery here but a
//   `warn` Event there; a reconnecting host (pending) has not recovered, which no Event says; an item
//   already crit when opsdeck starts (or after a restart, its Events reloaded) has no new Event at all.
import { formatDuration } from '../domain/duration.js';
import { redactSecret } from '../domain/redact.js';
import type { SourceState } from '../domain/model.js';
import { databaseSourceId } from './sources/database/id.js';
import { checkRows, downReason, hostRows, sourceState } from './rows.js';
import { checkStateText } from './check-text.js';
import { loadOnCores } from './sources/resources/levels.js';
import type { DataState, OpsStore } from './store.js';
import { attachEventSinks, type EventSink } from './event-sink.js';

export interface AlertReceiver {
  /** `slack` gets `{text}`; `webhook` the alert as plain JSON. */
  format: 'slack' | 'webhook';
  /** A secret, read from the environment variable the config names: never shown or logged. */
  url: string;
}

export interface AlertsConfig {
  receivers: AlertReceiver[];
  /** Alerts per receiver per minute; those over it are counted and said, not sent. */
  perMinute: number;
  /** Each POST's deadline. */
  timeoutMs: number;
}

export interface Alert {
  kind: 'crit' | 'recovered' | 'operation';
  /** What it is about, stable across ticks: "host:web-1", "unit:web-1:nginx.service", "check:api". */
  key: string;
  host: string;
  text: string;
  at: number;
}

export type Post = (url: string, body: unknown, timeoutMs: number, stop?: AbortSignal) => Promise<{ ok: true } | { ok: false; error: string }>;
export type Say = (text: string, level: 'info' | 'error') => void;

/** An item that can be crit: crit, not crit, or not known now (not read yet, reconnecting). */
interface Watched {
  crit: boolean | undefined;
  host: string;
  /** "web-1 cpu 92%", "check api down: HTTP 503 in 12 ms". */
  text: string;
}

const failing = (s: SourceState | undefined): boolean | undefined => (s === undefined || s.status === 'pending' ? undefined : s.status === 'error' || s.status === 'stale');

/** Every item that can go crit, as the screen judges it (held levels, source states). */
export function watchedItems(data: Pick<DataState, 'hostOrder' | 'hosts' | 'sources' | 'databases' | 'backups' | 'checks' | 'logs'>): Map<string, Watched> {
  const items = new Map<string, Watched>();
  for (const row of hostRows(data, { filters: { hosts: '' } })) {
    const name = row.host.name;
    const down = row.health === 'pending' ? undefined : row.health === 'error' || row.health === 'stale';
    items.set(`host:${name}`, { crit: down, host: name, text: `${name} ${down ? `down: ${downReason(row.problem)}` : 'up'}` });
    if (down !== false) continue;
    const r = row.host.resources;
    const levels = row.host.levels;
    const metric = (key: string, level: string, words: string) => items.set(`threshold:${name}:${key}`, { crit: level === 'crit', host: name, text: `${name} ${words}` });
    if (r) {
      metric('cpu', levels.cpu, `cpu ${Math.round(r.cpu.totalPercent)}%`);
      metric('memory', levels.memory, `memory ${Math.round(r.memory.usedPercent)}%`);
      for (const disk of r.disks) metric(`disk:${disk.mount}`, levels.disks[disk.mount] ?? 'ok', `disk ${disk.mount} ${Math.round(disk.usedPercent)}%`);
      metric('load', levels.load, `load ${loadOnCores(r)}`);
    }
    for (const unit of row.host.services?.units ?? []) items.set(`unit:${name}:${unit.name}`, { crit: unit.active === 'failed', host: name, text: `${name} ${unit.name} ${unit.active}${unit.sub && unit.sub !== unit.active ? ` (${unit.sub})` : ''}` });
  }
  for (const row of checkRows(data)) {
    const crit = row.state === 'pending' ? undefined : row.state === 'crit' || row.state === 'failing';
    items.set(`check:${row.check.name}`, { crit, host: row.check.host ?? '', text: `check ${row.check.name} ${checkStateText(row)}` });
  }
  for (const db of Object.values(data.databases)) {
    const source = sourceState(data, databaseSourceId(db));
    const down = failing(source);
    items.set(`database:${db.name}`, { crit: down === undefined ? undefined : down || db.levels.overall === 'crit', host: db.host, text: `database ${db.name} ${down ? `down: ${source?.error ?? ''}` : db.levels.overall}` });
  }
  for (const b of Object.values(data.backups)) items.set(`backup:${b.database}`, { crit: b.level === 'crit', host: b.host, text: `backups of ${b.database} ${b.level}` });
  return items;
}

/** What was last alerted per item: crit since when. Items never alerted, or recovered, are absent. */
export type AlertMemory = Map<string, number>;

/** The alerts between what was alerted and what the store says now; the memory is updated in place. */
export function transitions(memory: AlertMemory, items: Map<string, Watched>, at: number): Alert[] {
  const alerts: Alert[] = [];
  for (const [key, item] of items) {
    if (item.crit === undefined) continue;
    const since = memory.get(key);
    if (item.crit && since === undefined) {
      memory.set(key, at);
      alerts.push({ kind: 'crit', key, host: item.host, text: `✖ CRIT ${item.text}`, at });
    } else if (!item.crit && since !== undefined) {
      memory.delete(key);
      alerts.push({ kind: 'recovered', key, host: item.host, text: `● RECOVERED ${item.text} (crit for ${formatDuration(at - since)})`, at });
    }
  }
  // An item gone from the config's view (a unit no longer listed) is not a recovery: forgotten quietly.
  for (const key of memory.keys()) if (!items.has(key)) memory.delete(key);
  return alerts;
}

const RETRY_DELAYS_MS = [1000, 2000, 4000];
const QUEUE_LIMIT = 100;

/** One receiver's queue: one POST at a time, retried with backoff, within the rate limit. */
class Outbox {
  private readonly queue: Alert[] = [];
  private sending = false;
  private readonly sentAt: number[] = [];
  private heldBack = 0;
  private failing = false;
  private readonly stopping = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly receiver: AlertReceiver,
    private readonly config: AlertsConfig,
    private readonly post: Post,
    private readonly say: Say,
  ) {}

  add(alert: Alert): void {
    const now = Date.now();
    while (this.sentAt.length > 0 && now - this.sentAt[0]! >= 60_000) this.sentAt.shift();
    if (this.sentAt.length >= this.config.perMinute) {
      this.heldBack++;
      this.say(`alerts to ${this.receiver.format}: ${this.heldBack} held back by the rate limit (${this.config.perMinute}/min)`, 'error');
      return;
    }
    this.sentAt.push(now);
    if (this.queue.length >= QUEUE_LIMIT) this.queue.shift();
    this.queue.push(alert);
    void this.drain();
  }

  stop(): void {
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
  }

  private body(alert: Alert): unknown {
    const note = this.heldBack > 0 ? ` (+${this.heldBack} alerts not sent: rate limit)` : '';
    if (this.receiver.format === 'slack') return { text: `${alert.text}${note}` };
    return { source: 'opsdeck', kind: alert.kind, key: alert.key, host: alert.host, text: alert.text, at: new Date(alert.at).toISOString(), heldBack: this.heldBack };
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopping.signal.aborted) {
        const alert = this.queue[0]!;
        for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
          const result = await this.post(this.receiver.url, this.body(alert), this.config.timeoutMs, this.stopping.signal);
          if (this.stopping.signal.aborted) break;
          if (result.ok) {
            this.heldBack = 0;
            if (this.failing) this.say(`alerts to ${this.receiver.format} delivered again`, 'info');
            this.failing = false;
            break;
          }
          this.failing = true;
          const error = redactSecret(result.error, this.receiver.url);
          const delay = RETRY_DELAYS_MS[attempt];
          if (delay === undefined) {
            this.say(`alert to ${this.receiver.format} not delivered after ${attempt + 1} tries: ${error}`, 'error');
            break;
          }
          this.say(`alert to ${this.receiver.format} failed: ${error}; retrying in ${formatDuration(delay)}`, 'error');
          await this.wait(delay);
        }
        this.queue.shift();
      }
    } finally {
      this.sending = false;
    }
  }
}

/** Each operation among new events, once, as it joins the store. */
function operationAlerts(send: (alerts: Alert[]) => void): EventSink {
  return {
    events: (batch) =>
      send(
        batch
          .filter((event) => event.kind === 'action')
          .map((event) => ({ kind: 'operation', key: `operation:${event.id}`, host: event.host, text: `${event.level === 'info' ? '●' : '▲'} ${event.host ? `${event.host}: ` : ''}${event.message}`, at: event.at })),
      ),
  };
}

/** Each commit's crit items against what was last alerted; what is crit at the start counts as news. */
function watchCritTransitions(store: OpsStore, send: (alerts: Alert[]) => void): () => void {
  const memory: AlertMemory = new Map();
  const look = (data: DataState) => send(transitions(memory, watchedItems(data), Date.now()));
  look(store.getState().data);
  return store.subscribe((state, previous) => {
    if (state.data !== previous.data) look(state.data);
  });
}

/**
 * Sends crit transitions and operations from now on (events from before, a reloaded timeline, are not
 * news); returns the stop.
 */
export function startAlerts(store: OpsStore, config: AlertsConfig, say: Say, post: Post): () => void {
  const outboxes = config.receivers.map((r) => new Outbox(r, config, post, say));
  const send = (alerts: Alert[]) => {
    for (const alert of alerts) for (const outbox of outboxes) outbox.add(alert);
  };
  const stopWatching = watchCritTransitions(store, send);
  const detach = attachEventSinks(store, [operationAlerts(send)]);
  return () => {
    stopWatching();
    detach();
    for (const outbox of outboxes) outbox.stop();
  };
}
