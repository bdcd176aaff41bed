// Runs each poll source on its own timer with its own deadline, so a slow or dead source never
// delays another one (or the screen, which only ever reads the store).
import type { SourceKind } from '../domain/model.js';

export interface PollSource<T = unknown> {
  id: string;
  host: string;
  kind: SourceKind;
  label: string;
  /** Multiple of the global refresh this source runs at (processes are costlier than /proc reads). */
  refreshFactor?: number;
  /** Never more often than this, whatever the refresh (a `ps` per second costs more than it shows). */
  minPeriodMs?: number;
  timeoutMs: number;
  collect(signal: AbortSignal): Promise<T>;
}

export interface PollSink {
  ok(source: PollSource, value: unknown, at: number): void;
  fail(source: PollSource, error: Error, at: number): void;
}

/** A failure that will not change soon (no systemd on this machine): retried at this slower pace. */
export interface SlowRetry {
  retryAfterMs: number;
}

function retryAfter(error: unknown): number {
  const value = (error as Partial<SlowRetry> | undefined)?.retryAfterMs;
  return typeof value === 'number' ? value : 0;
}

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Runs one collection with a hard deadline; the source's own I/O is told to stop through the signal. */
export async function collectWithDeadline<T>(source: PollSource<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError(source.timeoutMs));
    }, source.timeoutMs);
  });
  try {
    return await Promise.race([source.collect(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private stopped = true;

  constructor(
    private readonly sources: PollSource[],
    private readonly sink: PollSink,
    private refreshMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    for (const source of this.sources) void this.run(source);
  }

  /** A source found after start (a database discovered on this machine) joins the schedule at once. */
  add(source: PollSource): void {
    this.sources.push(source);
    if (!this.stopped) void this.run(source);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Applies a new refresh at once: every source re-arms on the new period. */
  setRefresh(ms: number): void {
    this.refreshMs = ms;
    if (this.stopped) return;
    for (const source of this.sources) {
      if (this.running.has(source.id)) continue;
      clearTimeout(this.timers.get(source.id));
      this.arm(source, this.periodOf(source));
    }
  }

  private periodOf(source: PollSource): number {
    return Math.max(this.refreshMs * (source.refreshFactor ?? 1), source.minPeriodMs ?? 0);
  }

  private arm(source: PollSource, delay: number): void {
    this.timers.set(source.id, setTimeout(() => void this.run(source), Math.max(0, delay)));
  }

  private async run(source: PollSource): Promise<void> {
    if (this.stopped || this.running.has(source.id)) return;
    this.running.add(source.id);
    const started = Date.now();
    let pause = 0;
    try {
      const value = await collectWithDeadline(source);
      if (!this.stopped) this.sink.ok(source, value, Date.now());
    } catch (error) {
      pause = retryAfter(error);
      if (!this.stopped) this.sink.fail(source, error instanceof Error ? error : new Error(String(error)), Date.now());
    } finally {
      this.running.delete(source.id);
      // Fixed-rate from the start of the run, so a slow collection does not stretch the period.
      if (!this.stopped) this.arm(source, Math.max(this.periodOf(source), pause) - (Date.now() - started));
    }
  }
}
