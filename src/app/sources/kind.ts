// What a source kind is: how its sources are set up and collect, how a result changes the store, and
// what it adds to a snapshot. registry.ts holds one module per kind; the runtime knows no kind.
import type { OpsConfig } from '../config/resolve.js';
import type { HostConfig, OpsEvent } from '../../domain/model.js';
import type { SourceId } from '../../domain/source-id.js';
import type { ThresholdTracker } from '../../domain/thresholds.js';
import type { DatabaseSource, TunnelFactory } from '../../services/db/index.js';
import type { HostWatch } from '../../services/host-adapter.js';
import type { PollSource } from '../../services/scheduler.js';
import type { DataState, HostView, OpsState } from '../store.js';

/** A configured host with the collectors its adapter gave it. */
export interface WatchedHost {
  host: HostConfig;
  watch: HostWatch;
}

/** What a kind builds its sources from. */
export interface SourceSetup {
  config: OpsConfig;
  hosts: readonly WatchedHost[];
  /** The deadline of one collection. */
  timeoutMs: number;
  /** Streams opened from a watched SSH host (`via: HOST`); undefined when that host has no SSH connection. */
  tunnel(hostName: string): TunnelFactory | undefined;
  /** The open databases by name, for the operator's cancel and terminate; the database kind fills it. */
  databases: Map<string, DatabaseSource>;
}

/** A source that pushes (a log follower): it says when it has news, and the runtime takes it at its next flush. */
export interface Followed<R> {
  start(handlers: { changed(): void; state(status: 'ok' | 'error', error?: string, hint?: string, absent?: string): void }): void;
  /** Where it reads when asked (a local file): done just before each flush takes its result. */
  pull?(): Promise<void>;
  /** The latest result if it changed since the last call, else undefined. */
  take(): R | undefined;
  stop(): void;
}

/** A source as the store knows it before its first result. */
export interface SourceEntry<K extends string> {
  id: SourceId<K>;
  /** How events and the host row name it: "resources", "db main", "log /var/log/syslog". */
  label: string;
  /** The store entries it fills (a check's row, a database's entry), there while it is pending. */
  seed?(data: DataState): DataState;
}

/**
 * A poll source worth its cost only while what it feeds is on screen: polled then alone, and what it
 * left in the store taken out when it stops, so an old reading never passes for a current one.
 */
export interface ShownOnly {
  shown(state: OpsState): boolean;
  hide(data: DataState): DataState;
}

export interface KindSource<K extends string, R> extends SourceEntry<K> {
  /** Polled on the scheduler with a deadline, or followed as it pushes. */
  collect: { poll: PollSource<R> } | { follow: Followed<R> };
  /** Polled only while shown; undefined: always. */
  shownOnly?: ShownOnly;
  /** Lets go of what it holds open (a database connection). */
  close?(): Promise<void>;
}

/** A source found that cannot be watched as it is (a local database that refused opsdeck): shown in error with its hint. */
export interface RefusedSource<K extends string> extends SourceEntry<K> {
  error: string;
  hint?: string;
}

export interface Discovery<K extends string, R> {
  found: KindSource<K, R>[];
  refused: RefusedSource<K>[];
  /** Looking failed, or found something worth saying. */
  events: OpsEvent[];
}

export interface ReduceContext {
  /** When the result arrived. */
  at: number;
  /** Levels with hold ticks: a value must stay past a threshold for `hold` samples to change its level. */
  tracker: ThresholdTracker;
}

/** What a kind adds to `opsdeck snapshot`; the host sections follow the registry's order. */
export interface SnapshotSections {
  /** Fields of each host in `--format json`. */
  hostJson?(data: DataState, host: HostView): Record<string, unknown>;
  /** Lines under each host's heading in `--format markdown`. */
  hostMarkdown?(data: DataState, host: HostView): string[];
  /** Lines under each host in `--format text`. */
  hostText?(data: DataState, host: HostView): string[];
  /** Top-level fields of `--format json`. */
  json?(data: DataState): Record<string, unknown>;
  /** Sections after the hosts in `--format markdown`. */
  markdown?(data: DataState): string[];
  /** Lines after the hosts in `--format text`. */
  text?(data: DataState): string[];
}

export interface SourceKindModule<K extends string, R> {
  /** The sources the config and the watched hosts call for. */
  sources(setup: SourceSetup): KindSource<K, R>[];
  /** Sources looked for once running (the local databases when none are configured). Never rejects: failing to look is one of its events. */
  discover?(setup: SourceSetup): Promise<Discovery<K, R>>;
  /** Store parts of the kind that belong to no one source (why its pane is empty). */
  prepare?(data: DataState, setup: SourceSetup): DataState;
  /** Rates are differences of two reads: a one-shot collection (snapshot) reads these sources twice, this far apart. */
  rateIntervalMs?: number;
  /** How a result changes the data: levels with hold ticks, history, events, terminal-safe text. */
  reduce(data: DataState, id: SourceId<K>, result: R, context: ReduceContext): DataState;
  /** What else a failed collection changes, besides its own state going stale (a fleet's hosts go stale with it). */
  fail?(data: DataState, id: SourceId<K>, error: string, at: number): DataState;
  snapshot?: SnapshotSections;
}
