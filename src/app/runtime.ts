// Wires the config's hosts to collectors and the store: results are folded into a draft and
// committed by one delayed flush, so the sources of one tick (and a burst of log lines) cost one frame.
import { applyCheck, applyConnection, applyMaintenance, applyProcesses, applyResources, applyServices, applySourceError, applySourceOk, hostView, pendingSource, withEvents } from './apply.js';
import type { OpsConfig } from './config/resolve.js';
import { httpCheckSource, type CheckResult } from '../services/checks/http.js';
import type { HostAdapter } from '../services/host-adapter.js';
import { LocalHostAdapter } from '../services/local/adapter.js';
import { SshHostAdapter } from '../services/ssh/adapter.js';
import { LogBuffer } from '../services/logs/buffer.js';
import type { LogStream } from '../services/logs/stream.js';
import type { HostConfig, OpsEvent, ProcessSample, ResourceSample, ServicesSample } from '../services/model.js';
import { collectWithDeadline, Scheduler, type PollSource } from '../services/scheduler.js';
import { SelfMeter } from '../services/self-meter.js';
import { ThresholdTracker } from '../services/thresholds.js';
import type { DataState, OpsStore } from './store.js';

/** How long a poll result waits for the rest of its tick before the screen is redrawn. */
const RESULT_COALESCE_MS = 150;
/** Log lines are shown at most this late; a burst of thousands still costs one frame. */
const LOG_FLUSH_MS = 250;
const SELF_SAMPLE_MS = 2000;

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
  }

  stop(): void {
    this.scheduler?.stop();
    for (const stream of this.streams) stream.stop();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.running = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.adapters.local.close();
    this.adapters.remote?.close();
  }

  /** The operator accepted a host key in the trust dialog. */
  trustHostKey(hostName: string): Promise<void> {
    const adapter = this.adapters.remote;
    if (!adapter?.trustHostKey) return Promise.reject(new Error(`${hostName} is not an SSH host`));
    return adapter.trustHostKey(hostName);
  }

  /** An operator action's result joins the timeline. */
  recordEvent(event: OpsEvent): void {
    this.mutate((d) => withEvents(d, [event]));
  }

  setRefresh(ms: number): void {
    this.scheduler?.setRefresh(ms);
  }

  /** For `snapshot`: every poll source once, log followers given a moment to read their backlog. */
  async collectOnce(logGraceMs: number): Promise<void> {
    for (const stream of this.streams) this.startStream(stream);
    await Promise.all(
      this.pollSources.map((source) =>
        collectWithDeadline(source).then(
          (value) => this.onResult(source, value, Date.now()),
          (error: Error) => this.onFailure(source, error, Date.now()),
        ),
      ),
    );
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

  private onResult(source: PollSource, value: unknown, at: number): void {
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
    this.mutate((d) => applySourceError(d, source.id, error.message, at));
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
