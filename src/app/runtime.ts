// Wires the config's hosts, checks and databases to their sources and the store: each source kind's
// module (src/app/sources) says what its sources are and how a result changes the data; results are
// folded into a draft and committed by one delayed flush, so the sources of one tick (and a burst of
// log lines) cost one frame.
import { applyConnection, applySourceError, applySourceOk, hostView, pendingSource, withEvents } from './apply.js';
import type { OpsConfig } from './config/resolve.js';
import type { HostAdapter, HostWatch } from '../services/host-adapter.js';
import { LocalHostAdapter } from '../services/local/adapter.js';
import { SshHostAdapter } from '../services/ssh/adapter.js';
import type { DatabaseSource } from '../services/db/index.js';
import type { BackupControl } from '../domain/backup.js';
import type { AlertControl } from '../domain/alerts.js';
import { AlertmanagerClient } from '../services/alertmanager/client.js';
import { tokenFrom } from './sources/prometheus/index.js';
import { configuredBackups } from './backups.js';
import type { OperationPorts } from './operations/ports.js';
import type { QueryReader } from './query-details.js';
import type { HostConfig, OpsEvent } from '../domain/model.js';
import { sourceKey, type SourceId } from '../domain/source-id.js';
import { collectWithDeadline, Scheduler } from '../services/scheduler.js';
import { SelfMeter } from '../services/self-meter.js';
import { tickStatsFromEnv } from '../services/tick-stats.js';
import { ThresholdTracker } from '../domain/thresholds.js';
import type { KindSource, RefusedSource, SourceSetup } from './sources/kind.js';
import { reduceResult, SOURCE_KINDS, type AnySource, type SourceKind, type SourceResult } from './sources/registry.js';
import { unitLogId, unitLogSource, withoutLog, withUnitLog } from './sources/logs/index.js';
import type { DataState, OpsState, OpsStore } from './store.js';
import { sourceTimeoutMs } from './refresh.js';

/** How long a poll result waits for the rest of its tick before the screen is redrawn. */
const RESULT_COALESCE_MS = 150;
/**
 * Poll results are drawn at most this many times a refresh period: a fleet's polls are spread over
 * the period (services/scheduler.ts), and a frame for each 150 ms batch took 200 hosts from 23 to
 * 40 % of a core (docs/PERFORMANCE.md, change 23).
 */
const RESULT_FRAMES_PER_PERIOD = 2;
/**
 * Log lines are shown at most this late; a burst of thousands still costs one frame. 200 ms keeps the
 * screen under 250 ms behind a busy log; each frame costs ~25 ms of CPU (docs/PERFORMANCE.md).
 */
const LOG_FLUSH_MS = 200;
/** How long a flush waits for followers that read when asked (pullFollowers). */
const PULL_WAIT_MS = 50;
const SELF_SAMPLE_MS = 2000;
/** Below this, counters two snapshot reads apart move too little to make a rate worth printing. */
const MIN_SNAPSHOT_RATE_INTERVAL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits for `work`, but not past `deadline` (a `performance.now()` time): what is still running then is left behind. */
async function beforeDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The SSH side as the config sets it up: one for the cockpit and snapshot, one for a command's operations. */
export function sshAdapter(config: OpsConfig): SshHostAdapter {
  return new SshHostAdapter({ acceptNew: config.ssh.acceptNew, knownHosts: config.ssh.knownHosts, sshConfig: config.ssh.config, connectTimeoutMs: config.ssh.connectTimeoutMs });
}

export class Runtime {
  private readonly hostsByName: Map<string, HostConfig>;
  private readonly tracker: ThresholdTracker;
  private readonly sources: AnySource[] = [];
  private readonly scheduler: Scheduler;
  private draft: DataState | null = null;
  private flushTimer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly selfMeter = new SelfMeter();
  private readonly tickStats = tickStatsFromEnv();
  private selfSampledAt = 0;
  private refreshMs: number;
  /** When the screen was last given new data (RESULT_FRAMES_PER_PERIOD). */
  private flushedAt = 0;
  /** When the armed flush runs: a sooner one (a log's, a connection change's) brings it forward. */
  private flushDueAt = 0;
  /** Poll sources the screen asked for (a host just chosen): their next result is drawn at once. */
  private readonly asked = new Set<string>();

  private readonly adapters: { local: HostAdapter; remote?: HostAdapter };
  private readonly unsubscribers: (() => void)[] = [];
  /** The open databases by name (the database kind fills it), for cancel and terminate. */
  private readonly databases = new Map<string, DatabaseSource>();
  private setup: SourceSetup | undefined;
  /** Each host's collectors and doors, for the unit and maintenance operations. */
  private readonly watches = new Map<string, HostWatch>();
  /** Alertmanager's silences, for the alert operations; undefined without `alertmanager:`. */
  private readonly alertmanager: AlertControl | undefined;
  /** The databases with `backup:`, for the backup operations (filled by prepare: via: databases need the SSH connections). */
  private readonly backups = new Map<string, BackupControl>();

  constructor(
    private readonly config: OpsConfig,
    private readonly store: OpsStore,
    adapters?: { local: HostAdapter; remote?: HostAdapter },
  ) {
    this.adapters = adapters ?? {
      local: new LocalHostAdapter(),
      remote: config.hosts.some((h) => !h.local) ? sshAdapter(config) : undefined,
    };
    this.hostsByName = new Map(config.hosts.map((h) => [h.name, h]));
    const am = config.alertmanager;
    this.alertmanager = am && new AlertmanagerClient({ url: am.url, tls: am.tls, token: tokenFrom(am.tokenEnv) });
    this.tracker = new ThresholdTracker(config.holdTicks);
    this.refreshMs = config.refreshMs;
    this.scheduler = new Scheduler(config.refreshMs, this.tickStats && ((ms, period) => this.tickStats?.poll(ms, period)));
  }

  /** Sets up every host's sources; the store shows them as pending until their first result. */
  async prepare(): Promise<void> {
    const timeoutMs = sourceTimeoutMs(this.config.refreshMs);
    this.mutate((d) => ({
      ...d,
      hostOrder: this.config.hosts.map((h) => h.name),
      hosts: Object.fromEntries(this.config.hosts.map((h) => [h.name, hostView(h)])),
      // Until discover() has looked, an empty Databases pane is not yet "none found".
      discovering: Object.values(SOURCE_KINDS).some((kind) => kind.discover),
    }));
    const hosts = await Promise.all(
      this.config.hosts.map(async (host) => {
        const adapter = host.local ? this.adapters.local : this.adapters.remote;
        if (!adapter) throw new Error(`host ${host.name}: no adapter for ssh hosts`);
        return { host, watch: await adapter.watch(host, { timeoutMs }) };
      }),
    );
    for (const { host, watch } of hosts) {
      this.watches.set(host.name, watch);
      if (watch.onConnection) this.unsubscribers.push(watch.onConnection((state) => this.mutate((d) => applyConnection(d, host.name, state))));
    }
    const remote = this.adapters.remote;
    const setup: SourceSetup = {
      config: this.config,
      hosts,
      timeoutMs,
      tunnel: (hostName) => (remote instanceof SshHostAdapter ? remote.tunnel(hostName) : undefined),
      databases: this.databases,
    };
    this.setup = setup;
    for (const [name, control] of configuredBackups(this.config, setup.tunnel)) this.backups.set(name, control);
    for (const kind of Object.values(SOURCE_KINDS)) {
      const prepare = kind.prepare;
      if (prepare) this.mutate((d) => prepare(d, setup));
      for (const source of kind.sources(setup)) this.add(source);
    }
    this.flush();
  }

  start(): void {
    this.running = true;
    // Every source's first result is drawn as it comes, not held for the period's next frame.
    this.flushedAt = 0;
    for (const source of this.sources) this.begin(source);
    this.unsubscribers.push(this.store.subscribe((state, before) => this.onShownChange(state, before)));
    this.scheduler.start();
    void this.discover();
  }

  stop(): void {
    this.stopped = true;
    this.scheduler.stop();
    this.tickStats?.stop();
    for (const source of this.sources) {
      if ('follow' in source.collect) source.collect.follow.stop();
      source.close?.().catch(() => undefined);
    }
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.running = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.adapters.local.close();
    this.adapters.remote?.close();
  }

  /** The doors operations act through: this runtime's database sources, SSH connections, units and maintenance flags. */
  operationPorts(): OperationPorts {
    const remote = this.adapters.remote;
    const trust = remote?.trustHostKey?.bind(remote);
    const again = remote?.reconnect?.bind(remote);
    return {
      database: (name) => this.databases.get(name),
      sshHost: (name) => (this.hostsByName.get(name)?.local === false && trust && again ? { trustHostKey: () => trust(name), reconnect: () => again(name) } : undefined),
      units: (name) => this.watches.get(name)?.units,
      maintenance: (name) => this.watches.get(name)?.maintenanceFlag,
      processes: (name) => this.watches.get(name)?.processControl,
      shell: (name) => this.watches.get(name)?.shell,
      backup: (name) => this.backups.get(name),
      alertmanager: () => this.alertmanager,
    };
  }

  /**
   * Follows one unit's log on a host for the Logs pane (Enter on a unit in Services): its journal, or
   * the daemonless systemctl's log where journald has none. The function returned stops the follower
   * (on an SSH host the wrapper then ends the remote `journalctl -f` / `tail -F`) and drops its lines.
   */
  openUnitLog(hostName: string, unit: string): () => void {
    const id = unitLogId(hostName, unit);
    const controller = new AbortController();
    let source: AnySource | undefined;
    this.mutate((d) => {
      const seeded = withUnitLog(d, id, unit, 'finding its log…');
      return { ...seeded, sources: { ...seeded.sources, [sourceKey(id)]: pendingSource({ id, label: `log of ${unit}` }, Date.now()) } };
    });
    const watch = this.watches.get(hostName);
    const found = watch
      ? watch.units.logSource(unit, AbortSignal.any([controller.signal, AbortSignal.timeout(sourceTimeoutMs(this.config.refreshMs) * 2)]))
      : Promise.reject(new Error(`${hostName}: no such host being watched`));
    found.then(
      ({ source: log, from }) => {
        if (controller.signal.aborted || this.stopped) return;
        source = unitLogSource(id, unit, watch!.followLog(log), this.config);
        this.sources.push(source);
        this.mutate((d) => withUnitLog(d, id, unit, from));
        this.follow(source);
      },
      (error: Error) => {
        if (!controller.signal.aborted) this.mutate((d) => applySourceError(d, id, `finding the log of ${unit}: ${error.message}`, Date.now()));
      },
    );
    return () => {
      controller.abort();
      if (source && 'follow' in source.collect) source.collect.follow.stop();
      if (source) this.sources.splice(this.sources.indexOf(source), 1);
      this.mutate((d) => withoutLog(d, id));
    };
  }

  /** The query and database details views' reads on this runtime's databases, each within the source timeout. */
  queryReader(): QueryReader {
    const source = (name: string) => {
      const db = this.databases.get(name);
      if (!db) throw new Error(`database ${name} is not watched`);
      return db;
    };
    const timeout = () => AbortSignal.timeout(sourceTimeoutMs(this.config.refreshMs));
    return {
      text: async (database, pid) => source(database).queryText(pid, timeout()),
      plan: async (database, query) => source(database).planQuery(query, timeout()),
      details: async (database) => {
        const db = source(database);
        if (!db.details) throw new Error(`the details view reads PostgreSQL's statistics; ${database} is not PostgreSQL`);
        return db.details(timeout());
      },
    };
  }

  /** An operation's result joins the timeline, at once: the status line says it in the same breath, and a report written next must find it. */
  recordEvent(event: OpsEvent): void {
    this.commit((d) => withEvents(d, [event]));
  }

  /**
   * A change to the data from outside the sources (the open incident, its events), committed at once
   * and through the draft: set on the store directly, the next flush of a pending tick would undo it.
   */
  commit(change: (data: DataState) => DataState): void {
    this.draft = change(this.draft ?? this.store.getState().data);
    this.flush();
  }

  setRefresh(ms: number): void {
    this.refreshMs = ms;
    // A frame held back by the old period (half a minute at 60 s) comes now instead.
    if (this.flushTimer) this.scheduleFlush(RESULT_COALESCE_MS);
    this.scheduler.setRefresh(ms);
  }

  /**
   * For `snapshot`: every source once, all of it before `deadline` (a `performance.now()` time). Poll
   * sources are read at once, those discovery finds as soon as it finds them; each read's deadline is
   * its own or what is left, whichever is shorter. A kind with rates reads again `rateIntervalMs`
   * later, only where the first read answered (a hung source costs the snapshot its timeout once, not
   * twice) and only if the interval ends before the deadline. Followers get `logGraceMs` from their
   * start to read their backlog, within the same deadline.
   */
  async collectOnce({ deadline, logGraceMs }: { deadline: number; logGraceMs: number }): Promise<void> {
    for (const source of this.sources) if ('follow' in source.collect) this.follow(source);
    const graceEnds = performance.now() + logGraceMs;
    const configured = this.sources.length;
    const discovered = this.discover().then(() => Promise.all(this.sources.slice(configured).map((source) => this.readForSnapshot(source, deadline))));
    await Promise.all([...this.sources.slice(0, configured).map((source) => this.readForSnapshot(source, deadline)), beforeDeadline(discovered, deadline)]);
    await sleep(Math.min(graceEnds, deadline) - performance.now());
    const at = Date.now();
    for (const source of this.sources) {
      if (!('follow' in source.collect)) continue;
      source.collect.follow.stop();
      // One that never started (its host still connecting) says so, rather than a bare "pending".
      this.mutate((d) => (d.sources[sourceKey(source.id)]?.status === 'pending' ? applySourceError(d, source.id, 'not following yet when the snapshot ended', at) : d));
    }
    this.flush();
  }

  /** A source joins the store as pending and, once running, starts collecting at once. */
  private add(source: AnySource): void {
    this.sources.push(source);
    const at = Date.now();
    this.mutate((d) => {
      const seeded = source.seed ? source.seed(d) : d;
      return { ...seeded, sources: { ...seeded.sources, [sourceKey(source.id)]: pendingSource(source, at) } };
    });
    if (this.running) this.begin(source);
  }

  /** A source found that refused us: shown in error with what to do, never polled. */
  private refuse(source: RefusedSource<SourceKind>): void {
    const at = Date.now();
    this.mutate((d) => {
      const seeded = source.seed ? source.seed(d) : d;
      const pending = { ...seeded, sources: { ...seeded.sources, [sourceKey(source.id)]: pendingSource(source, at) } };
      return applySourceError(pending, source.id, source.error, at, source.hint);
    });
  }

  /** The kinds that look for sources once running (local databases when none are configured). */
  private async discover(): Promise<void> {
    const setup = this.setup;
    if (!setup) return;
    await Promise.all(
      Object.values(SOURCE_KINDS).map(async (kind) => {
        if (!kind.discover) return;
        const { found, refused, events } = await kind.discover(setup);
        if (this.stopped) return;
        for (const source of found) this.add(source);
        for (const source of refused) this.refuse(source);
        if (events.length > 0) this.mutate((d) => withEvents(d, events));
      }),
    );
    if (!this.stopped) this.mutate((d) => ({ ...d, discovering: false }));
  }

  private begin<K extends SourceKind>(source: KindSource<K, SourceResult<K>>): void {
    if ('follow' in source.collect) {
      this.follow(source);
      return;
    }
    const shownOnly = source.shownOnly;
    const demand = shownOnly && { wanted: () => shownOnly.shown(this.store.getState()) };
    this.scheduler.add(source.collect.poll, { ok: (value, at) => this.onResult(source.id, value, at, this.polledDelay(source.id)), fail: (error, at) => this.onFailure(source.id, error, at, this.polledDelay(source.id)) }, demand);
  }

  /** A source polled only while shown: shown now, it is read at once; no longer shown, what it left goes. */
  private onShownChange(state: OpsState, before: OpsState): void {
    if (state.ui === before.ui && state.data.hostOrder === before.data.hostOrder) return;
    for (const source of this.sources) {
      const shownOnly = source.shownOnly;
      if (!shownOnly || 'follow' in source.collect) continue;
      const shown = shownOnly.shown(state);
      if (shown === shownOnly.shown(before)) continue;
      if (shown) {
        this.asked.add(sourceKey(source.id));
        this.scheduler.wake(source.collect.poll);
      }
      // Not read while hidden: neither its list nor a failure of the last read stands for the host meanwhile.
      else this.mutate((d) => ({ ...shownOnly.hide(d), sources: { ...d.sources, [sourceKey(source.id)]: pendingSource(source, Date.now()) } }));
    }
  }

  private follow<K extends SourceKind>(source: KindSource<K, SourceResult<K>>): void {
    if (!('follow' in source.collect)) return;
    source.collect.follow.start({
      changed: () => this.scheduleFlush(LOG_FLUSH_MS),
      state: (status, error, hint, absent) => this.mutate((d) => (status === 'ok' ? applySourceOk(d, source.id, Date.now()) : applySourceError(d, source.id, error ?? 'failed', Date.now(), hint, absent))),
    });
  }

  /**
   * A poll source's snapshot reads: the first, and the rate read where its kind has rates and there is
   * time. Rates divide by the time the two reads were apart, so when a slow start (a loaded machine, a
   * hung neighbour holding the run to its deadline) leaves less than the kind's interval, a shorter one
   * still gives a rate: half of what is left, the other half for the read to answer.
   */
  private async readForSnapshot<K extends SourceKind>(source: KindSource<K, SourceResult<K>>, deadline: number): Promise<void> {
    const rateIntervalMs = SOURCE_KINDS[source.id.kind].rateIntervalMs;
    if (!(await this.pollBefore(source, deadline)) || rateIntervalMs === undefined) return;
    const intervalMs = Math.min(rateIntervalMs, (deadline - performance.now()) / 2);
    if (intervalMs < MIN_SNAPSHOT_RATE_INTERVAL_MS) return;
    await sleep(intervalMs);
    await this.pollBefore(source, deadline);
  }

  /** One read, given up at the source's timeout or at `deadline`, whichever comes first; true when it answered. */
  private pollBefore<K extends SourceKind>(source: KindSource<K, SourceResult<K>>, deadline: number): Promise<boolean> {
    if (!('poll' in source.collect)) return Promise.resolve(false);
    const poll = source.collect.poll;
    const left = Math.max(0, Math.floor(deadline - performance.now()));
    const timeoutMs = Math.min(poll.timeoutMs, left);
    // A source found after the snapshot's end was not read at all: "timed out after 0 ms" said it wrongly.
    const read = left === 0 ? Promise.reject(new Error("not read: the snapshot's time was up before it could start")) : collectWithDeadline(poll, timeoutMs);
    return read.then(
      (value) => {
        this.onResult(source.id, value, Date.now());
        return true;
      },
      (error: Error) => {
        this.onFailure(source.id, error, Date.now());
        return false;
      },
    );
  }

  /**
   * How long a scheduled poll's result waits to be drawn: a fleet's results come all through the
   * period (services/scheduler.ts), and go on screen with the next of its RESULT_FRAMES_PER_PERIOD
   * frames, unless the screen asked for this one.
   */
  private polledDelay(id: SourceId): number {
    if (this.asked.delete(sourceKey(id))) return RESULT_COALESCE_MS;
    return Math.max(RESULT_COALESCE_MS, this.flushedAt + this.refreshMs / RESULT_FRAMES_PER_PERIOD - Date.now());
  }

  private onResult<K extends SourceKind>(id: SourceId<K>, value: SourceResult<K>, at: number, delayMs = RESULT_COALESCE_MS): void {
    this.mutate((d) => reduceResult(applySourceOk(d, id, at), id, value, { at, tracker: this.tracker }), delayMs);
  }

  private onFailure<K extends SourceKind>(id: SourceId<K>, error: Error, at: number, delayMs = RESULT_COALESCE_MS): void {
    const { hint, absent } = error as { hint?: unknown; absent?: unknown };
    const fail = SOURCE_KINDS[id.kind].fail;
    this.mutate((d) => {
      const failed = applySourceError(d, id, error.message, at, typeof hint === 'string' ? hint : undefined, typeof absent === 'string' ? absent : undefined);
      return fail ? fail(failed, id, error.message, at) : failed;
    }, delayMs);
  }

  private mutate(change: (data: DataState) => DataState, delayMs = RESULT_COALESCE_MS): void {
    this.draft = change(this.draft ?? this.store.getState().data);
    this.scheduleFlush(delayMs);
  }

  /** Arms the flush in `delayMs`, or brings an armed one forward: a poll's frame never holds back a log's. */
  private scheduleFlush(delayMs: number): void {
    if (!this.running) return;
    const dueAt = Date.now() + delayMs;
    if (this.flushTimer) {
      if (dueAt >= this.flushDueAt) return;
      clearTimeout(this.flushTimer);
    }
    this.flushDueAt = dueAt;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.pullFollowers().then(() => {
        if (this.running) this.flush();
      });
    }, delayMs);
  }

  /**
   * Followers that read when asked (a local file: read as the screen is about to show it, not on each
   * write) read now, for at most PULL_WAIT_MS: a slow disk's lines come with a later flush instead.
   */
  private pullFollowers(): Promise<unknown> {
    const pulls = this.sources.flatMap((source) => ('follow' in source.collect && source.collect.follow.pull ? [source.collect.follow.pull()] : []));
    return pulls.length === 0 ? Promise.resolve() : Promise.race([Promise.all(pulls), sleep(PULL_WAIT_MS)]);
  }

  private flush(): void {
    let draft = this.draft;
    for (const source of this.sources) draft = this.takeFollowed(source, draft);
    if (!draft) return;
    if (Date.now() - this.selfSampledAt >= SELF_SAMPLE_MS) draft = this.withSelf(draft);
    this.draft = null;
    this.flushedAt = Date.now();
    const next = draft;
    this.tickStats?.commit();
    this.store.setState((s) => ({ ...s, data: next }));
  }

  /** What a followed source gathered since the last flush, through its kind's reducer. */
  private takeFollowed<K extends SourceKind>(source: KindSource<K, SourceResult<K>>, draft: DataState | null): DataState | null {
    if (!('follow' in source.collect)) return draft;
    const result = source.collect.follow.take();
    if (result === undefined) return draft;
    const base = draft ?? this.store.getState().data;
    const next = reduceResult(base, source.id, result, { at: Date.now(), tracker: this.tracker });
    return next === base ? draft : next;
  }

  /** Measured during a flush that draws anyway, so watching opsdeck never costs a frame of its own. */
  private withSelf(data: DataState): DataState {
    this.selfSampledAt = Date.now();
    const self = this.selfMeter.sample();
    // Keep the old object when the shown digits are the same, so the status bar does not redraw.
    const same = Math.round(self.cpuPercent * 10) === Math.round(data.self.cpuPercent * 10) && Math.round(self.rssBytes / 1048576) === Math.round(data.self.rssBytes / 1048576);
    return same ? data : { ...data, self };
  }
}
