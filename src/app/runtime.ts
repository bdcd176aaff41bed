// Wires the config's hosts to collectors and the store: results are folded into a draft and
// committed by one delayed flush, so the sources of one tick (and a burst of log lines) cost one frame.
import { applyCheck, applyConnection, applyDatabase, applyMaintenance, applyProcesses, applyResources, applyServices, applySourceError, applySourceOk, hostView, pendingSource, withEvents } from './apply.js';
import type { OpsConfig } from './config/resolve.js';
import { httpCheckSource, type CheckResult } from '../services/checks/http.js';
import type { HostAdapter } from '../services/host-adapter.js';
import { LocalHostAdapter } from '../services/local/adapter.js';
import { SshHostAdapter } from '../services/ssh/adapter.js';
import { createDatabaseSource, DEFAULT_DATABASE_THRESHOLDS, discoverLocalDatabases, type DatabaseSource } from '../services/db/index.js';
import type { OperationPorts } from './operations/ports.js';
import type { DatabaseSample } from '../domain/database.js';
import { LogBuffer } from '../services/logs/buffer.js';
import type { LogStream } from '../services/logs/stream.js';
import type { HostConfig, OpsEvent, ProcessSample, ResourceSample, ServicesSample } from '../domain/model.js';
import { collectWithDeadline, Scheduler, type PollSource } from '../services/scheduler.js';
import { SelfMeter } from '../services/self-meter.js';
import { ThresholdTracker } from '../domain/thresholds.js';
import type { DataState, OpsStore } from './store.js';

/** How long a poll result waits for the rest of its tick before the screen is redrawn. */
const RESULT_COALESCE_MS = 150;
/** Log lines are shown at most this late; a burst of thousands still costs one frame. */
const LOG_FLUSH_MS = 500;
const SELF_SAMPLE_MS = 2000;
const DATABASE_RATE_INTERVAL_MS = 1000;

export class Runtime {
  private readonly hostsByName: Map<string, HostConfig>;
  private readonly tracker: ThresholdTracker;
  private readonly buffers = new Map<string, LogBuffer>();
  private readonly streams: LogStream[] = [];
  private pollSources: PollSource[] = [];
  private scheduler: Scheduler | undefined;
  private draft: DataState | null = null;
  private flushTimer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly selfMeter = new SelfMeter();
  private selfSampledAt = 0;

  private readonly adapters: { local: HostAdapter; remote?: HostAdapter };
  private readonly unsubscribers: (() => void)[] = [];
  private readonly databases = new Map<string, DatabaseSource>();
  private timeoutMs = 5000;

  constructor(
    private readonly config: OpsConfig,
    private readonly store: OpsStore,
    adapters?: { local: HostAdapter; remote?: HostAdapter },
  ) {
    this.adapters = adapters ?? {
      local: new LocalHostAdapter(),
      remote: config.hosts.some((h) => !h.local)
        ? new SshHostAdapter({ acceptNew: config.ssh.acceptNew, knownHosts: config.ssh.knownHosts, sshConfig: config.ssh.config, connectTimeoutMs: config.ssh.connectTimeoutMs })
        : undefined,
    };
    this.hostsByName = new Map(config.hosts.map((h) => [h.name, h]));
    this.tracker = new ThresholdTracker(config.holdTicks);
  }

  /** Sets up every host's sources; the store shows them as pending until their first result. */
  async prepare(): Promise<void> {
    const now = Date.now();
    const timeoutMs = Math.max(1000, Math.min(10_000, this.config.refreshMs * 2));
    this.timeoutMs = timeoutMs;
    this.mutate((d) => ({
      ...d,
      hostOrder: this.config.hosts.map((h) => h.name),
      hosts: Object.fromEntries(this.config.hosts.map((h) => [h.name, hostView(h)])),
    }));
    const watches = await Promise.all(
      this.config.hosts.map(async (host) => {
        const adapter = host.local ? this.adapters.local : this.adapters.remote;
        if (!adapter) throw new Error(`host ${host.name}: no adapter for ssh hosts`);
        return { host, watch: await adapter.watch(host, { timeoutMs }) };
      }),
    );
    const notes: string[] = [];
    this.pollSources.push(...this.config.checks.map(httpCheckSource));
    for (const [name, spec] of Object.entries(this.config.databases ?? {})) {
      // via: HOST reaches the database through that host's SSH connection (a forwarded channel).
      const viaLocal = spec.via !== undefined && this.hostsByName.get(spec.via)?.local === true;
      const tunnel = spec.via && !viaLocal && this.adapters.remote instanceof SshHostAdapter ? this.adapters.remote.tunnel(spec.via) : undefined;
      this.addDatabase(createDatabaseSource(name, viaLocal ? { ...spec, via: undefined } : spec, { timeoutMs, tunnel }));
    }
    for (const { host, watch } of watches) {
      if (watch.onConnection) this.unsubscribers.push(watch.onConnection((state) => this.mutate((d) => applyConnection(d, host.name, state))));
      this.pollSources.push(...watch.pollSources);
      this.streams.push(...watch.logStreams);
      if (watch.logNote) notes.push(watch.logNote);
    }
    this.mutate((d) => {
      const sources = { ...d.sources };
      for (const s of [...this.pollSources, ...this.streams.map((l) => ({ ...l, kind: 'logs' as const, label: `log ${l.label}` }))]) sources[s.id] = pendingSource(s, now);
      const logs = Object.fromEntries(this.streams.map((s) => [s.id, { id: s.id, host: s.host, label: s.label, lines: [] }]));
      const checks = Object.fromEntries(this.config.checks.map((c) => [c.name, { name: c.name, url: c.url, host: c.host }]));
      return { ...d, sources, logs, checks, notes: notes.length > 0 ? { ...d.notes, logs: notes.join('\n') } : d.notes };
    });
    this.flush();
  }

  start(): void {
    this.scheduler = new Scheduler(this.pollSources, { ok: (s, v, at) => this.onResult(s, v, at), fail: (s, e, at) => this.onFailure(s, e, at) }, this.config.refreshMs);
    this.scheduler.start();
    this.running = true;
    for (const stream of this.streams) this.startStream(stream);
    if (!this.config.databases) {
      this.discoverDatabases().catch((error: Error) =>
        this.recordEvent({ at: Date.now(), host: 'local', kind: 'source', level: 'warn', message: `looking for local databases failed: ${error.message}` }),
      );
    }
  }

  stop(): void {
    this.scheduler?.stop();
    for (const stream of this.streams) stream.stop();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const source of this.databases.values()) source.close().catch(() => undefined);
    this.running = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.adapters.local.close();
    this.adapters.remote?.close();
  }

  /** The doors operations act through: this runtime's database sources and SSH connections. */
  operationPorts(): OperationPorts {
    const remote = this.adapters.remote;
    const trust = remote?.trustHostKey?.bind(remote);
    const again = remote?.reconnect?.bind(remote);
    return {
      database: (name) => this.databases.get(name),
      sshHost: (name) => (this.hostsByName.get(name)?.local === false && trust && again ? { trustHostKey: () => trust(name), reconnect: () => again(name) } : undefined),
    };
  }

  /** An operation's result joins the timeline. */
  recordEvent(event: OpsEvent): void {
    this.mutate((d) => withEvents(d, [event]));
  }

  setRefresh(ms: number): void {
    this.scheduler?.setRefresh(ms);
  }

  /** For `snapshot`: every poll source once, log followers given a moment to read their backlog. */
  async collectOnce(logGraceMs: number): Promise<void> {
    for (const stream of this.streams) this.startStream(stream);
    if (!this.config.databases) await this.discoverDatabases();
    const once = (source: PollSource) =>
      collectWithDeadline(source).then(
        (value) => this.onResult(source, value, Date.now()),
        (error: Error) => this.onFailure(source, error, Date.now()),
      );
    // Database rates (TPS, QPS, ops/s) are differences: their sources read twice, a second apart.
    const databases = this.pollSources.filter((s) => s.kind === 'database');
    const others = this.pollSources.filter((s) => s.kind !== 'database');
    await Promise.all([...others.map(once), Promise.all(databases.map(once)).then(() => new Promise((r) => setTimeout(r, DATABASE_RATE_INTERVAL_MS)))]);
    await Promise.all(databases.map(once));
    await new Promise((resolve) => setTimeout(resolve, logGraceMs));
    for (const stream of this.streams) stream.stop();
    this.flush();
  }

  private startStream(stream: LogStream): void {
    const buffer = new LogBuffer(this.config.logBuffer, this.config.maxLineLength);
    this.buffers.set(stream.id, buffer);
    stream.start({
      line: (text) => {
        buffer.append(text);
        this.scheduleFlush(LOG_FLUSH_MS);
      },
      mark: (text) => {
        buffer.mark(text);
        this.scheduleFlush(LOG_FLUSH_MS);
      },
      state: (status, error, hint) =>
        this.mutate((d) => (status === 'ok' ? applySourceOk(d, stream.id, Date.now()) : applySourceError(d, stream.id, error ?? 'failed', Date.now(), hint))),
    });
  }

  private addDatabase(source: DatabaseSource): void {
    this.databases.set(source.name, source);
    this.pollSources.push(source);
    this.mutate((d) => ({
      ...d,
      databases: { ...d.databases, [source.name]: { name: source.name, kind: source.dbKind, target: source.target, host: source.host, thresholds: source.thresholds, level: 'ok' } },
      sources: { ...d.sources, [source.id]: pendingSource(source, Date.now()) },
    }));
    this.scheduler?.add(source);
  }

  /** No `databases:` in the config: the local servers that answer are watched; one that refuses us says how to configure it. */
  private async discoverDatabases(): Promise<void> {
    const found = await discoverLocalDatabases();
    if (!this.running && this.scheduler) return;
    for (const db of found) {
      if (db.status === 'ok') {
        this.addDatabase(createDatabaseSource(db.name, db.spec, { timeoutMs: this.timeoutMs }));
        continue;
      }
      const id = `db:${db.name}`;
      const now = Date.now();
      this.mutate((d) =>
        applySourceError(
          {
            ...d,
            databases: { ...d.databases, [db.name]: { name: db.name, kind: db.kind, target: db.target, host: 'local', thresholds: DEFAULT_DATABASE_THRESHOLDS, level: 'ok' } },
            sources: { ...d.sources, [id]: pendingSource({ id, host: 'local', kind: 'database', label: `database ${db.name}` }, now) },
          },
          id,
          db.note ?? 'refused opsdeck',
          now,
          'add it under databases: in the config (docs/config.md)',
        ),
      );
    }
  }

  private onResult(source: PollSource, value: unknown, at: number): void {
    if (source.kind === 'database') {
      const name = (source as DatabaseSource).name;
      this.mutate((d) => applyDatabase(applySourceOk(d, source.id, at), name, value as DatabaseSample, this.tracker));
      return;
    }
    if (source.kind === 'check') {
      this.mutate((d) => applyCheck(applySourceOk(d, source.id, at), source.id.slice('check:'.length), value as CheckResult));
      return;
    }
    const host = this.hostsByName.get(source.host);
    if (!host) return;
    this.mutate((d) => {
      const next = applySourceOk(d, source.id, at);
      switch (source.kind) {
        case 'resources':
          return applyResources(next, host, value as ResourceSample, this.tracker);
        case 'processes':
          return applyProcesses(next, host.name, value as ProcessSample);
        case 'services':
          return applyServices(next, host.name, value as ServicesSample);
        case 'maintenance':
          return applyMaintenance(next, host.name, value as boolean, at);
        default:
          return next;
      }
    });
  }

  private onFailure(source: PollSource, error: Error, at: number): void {
    const hint = (error as { hint?: unknown }).hint;
    this.mutate((d) => applySourceError(d, source.id, error.message, at, typeof hint === 'string' ? hint : undefined));
  }

  private mutate(change: (data: DataState) => DataState): void {
    this.draft = change(this.draft ?? this.store.getState().data);
    this.scheduleFlush(RESULT_COALESCE_MS);
  }

  private scheduleFlush(delayMs: number): void {
    if (!this.running || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, delayMs);
  }

  private flush(): void {
    let draft = this.draft;
    for (const [id, buffer] of this.buffers) {
      const lines = buffer.takeSnapshot();
      if (!lines) continue;
      const base = draft ?? this.store.getState().data;
      const view = base.logs[id];
      if (view) draft = { ...base, logs: { ...base.logs, [id]: { ...view, lines } } };
    }
    if (!draft) return;
    if (Date.now() - this.selfSampledAt >= SELF_SAMPLE_MS) draft = this.withSelf(draft);
    this.draft = null;
    const next = draft;
    this.store.setState((s) => ({ ...s, data: next }));
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
