// Runs each poll source on its own timer with its own deadline, so a slow or dead source never
// delays another one (or the screen, which only ever reads the store). The timers keep to one grid
// of the refresh period from the start, so the sources of a tick, a database found seconds later
// included, answer together and cost one frame (results are coalesced for 150 ms, not a period).

/** How one thing is collected: what it costs decides how often, and it has a deadline. */
export interface PollSource<T> {
  /** Multiple of the global refresh this source runs at (processes are costlier than /proc reads). */
  refreshFactor?: number;
  /** Never more often than this, whatever the refresh (a `ps` per second costs more than it shows). */
  minPeriodMs?: number;
  timeoutMs: number;
  collect(signal: AbortSignal): Promise<T>;
  /** Runs again after a time it was not wanted: what its next reading was to be measured against is old. */
  resume?(): void;
}

/** Where one source's results go. */
export interface PollSink<T> {
  ok(value: T, at: number): void;
  fail(error: Error, at: number): void;
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

/**
 * Runs one collection with a hard deadline (the source's, or a shorter one when less time is left, as
 * in a snapshot near its end); the source's own I/O is told to stop through the signal.
 */
export async function collectWithDeadline<T>(source: PollSource<T>, timeoutMs = source.timeoutMs): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TimeoutError(timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([source.collect(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** When a source is worth its cost: only while what it feeds is on screen (a host's process list). */
export interface PollDemand {
  wanted(): boolean;
}

/** A source with its sink, typed together when added; the schedule itself needs neither's type. */
interface Job {
  source: PollSource<unknown>;
  /** Collects once and reports; resolves to how long to wait at least before the next run. */
  runOnce(isStopped: () => boolean): Promise<number>;
  demand?: PollDemand;
  /** Its last turn was skipped as not wanted. */
  idle: boolean;
  /** Where in the tick's spread it starts, a fraction in [0, 1) (spreadMs). */
  phase: number;
}

/**
 * How far apart the sources of one tick start. Started together, 200 hosts' polls held the event
 * loop (an SSH packet's encryption each) and woke every host's sshd and shell in the same instant:
 * on cores shared with them the last answers came a second later, and a key pressed then waited it
 * out (docs/PERFORMANCE.md, changes 19 and 23). Each source has a slot of SLOT_MS, up to the whole
 * period: this machine and a few hosts still start within one frame's wait for the rest of the tick
 * (the runtime's coalescing), a fleet spreads over the period.
 */
const SLOT_MS = 5;

function spreadMs(period: number, sources: number): number {
  return Math.min(period, sources * SLOT_MS);
}

/** Phases by the golden ratio: however many sources there are, their starts fill the spread evenly. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

export class Scheduler {
  private readonly jobs: Job[] = [];
  private readonly timers = new Map<Job, NodeJS.Timeout>();
  private readonly running = new Set<Job>();
  private stopped = true;
  /** Where the grid of every source's runs starts: multiples of a source's period from here. */
  private epoch = 0;

  constructor(
    private refreshMs: number,
    /** Told each run's duration and period (the benchmark's tick statistics). */
    private readonly onRun?: (durationMs: number, periodMs: number) => void,
  ) {}

  /**
   * Adds a source and where its results go; after start (a database discovered later) it runs at once.
   * With `demand`, a turn when it is not wanted is skipped, and a result that arrives after it stopped
   * being wanted is dropped: nothing shows it, and it would be old when something does again.
   */
  add<T>(source: PollSource<T>, sink: PollSink<T>, demand?: PollDemand): void {
    const unwanted = (isStopped: () => boolean) => isStopped() || (demand !== undefined && !demand.wanted());
    const job: Job = {
      source,
      demand,
      idle: false,
      phase: (this.jobs.length * GOLDEN) % 1,
      runOnce: async (isStopped) => {
        try {
          const value = await collectWithDeadline(source);
          if (!unwanted(isStopped)) sink.ok(value, Date.now());
          return 0;
        } catch (error) {
          if (!unwanted(isStopped)) sink.fail(error instanceof Error ? error : new Error(String(error)), Date.now());
          return retryAfter(error);
        }
      },
    };
    this.jobs.push(job);
    if (!this.stopped) void this.run(job);
  }

  /** A source with a demand is wanted again: it runs now rather than at its next turn, up to a period away. */
  wake(source: PollSource<unknown>): void {
    const job = this.jobs.find((j) => j.source === source);
    if (!job || this.stopped || this.running.has(job)) return;
    clearTimeout(this.timers.get(job));
    void this.run(job);
  }

  /** Every source runs at once, not spread: the first figures matter more than one busy moment. */
  start(): void {
    this.stopped = false;
    this.epoch = Date.now();
    for (const job of this.jobs) void this.run(job);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Applies a new refresh at once: every source re-arms on the new period, on a grid starting now. */
  setRefresh(ms: number): void {
    this.refreshMs = ms;
    if (this.stopped) return;
    this.epoch = Date.now();
    for (const job of this.jobs) {
      if (this.running.has(job)) continue;
      clearTimeout(this.timers.get(job));
      this.arm(job, this.nextSlot(job, Date.now() + this.periodOf(job)) - Date.now());
    }
  }

  private periodOf({ source }: Job): number {
    return Math.max(this.refreshMs * (source.refreshFactor ?? 1), source.minPeriodMs ?? 0);
  }

  private arm(job: Job, delay: number): void {
    this.timers.set(job, setTimeout(() => void this.run(job), Math.max(0, delay)));
  }

  private async run(job: Job): Promise<void> {
    if (this.stopped || this.running.has(job)) return;
    if (job.demand && !job.demand.wanted()) {
      job.idle = true;
      this.arm(job, this.nextSlot(job, Date.now() + this.periodOf(job)) - Date.now());
      return;
    }
    if (job.idle) {
      job.idle = false;
      job.source.resume?.();
    }
    this.running.add(job);
    const started = Date.now();
    let pause = 0;
    try {
      pause = await job.runOnce(() => this.stopped);
    } finally {
      this.running.delete(job);
      this.onRun?.(Date.now() - started, this.periodOf(job));
      if (!this.stopped) this.arm(job, this.nextSlot(job, started + Math.max(this.periodOf(job), pause)) - Date.now());
    }
  }

  /**
   * The point of the job's grid (its period, shifted by its phase of the spread) nearest to `due`
   * (when a fixed rate runs next, so a slow collection does not stretch the period and a source added
   * between ticks joins them), or the first one still ahead when a run overran.
   */
  private nextSlot(job: Job, due: number): number {
    const period = this.periodOf(job);
    const origin = this.epoch + job.phase * spreadMs(period, this.jobs.length);
    const slot = origin + Math.round((due - origin) / period) * period;
    const now = Date.now();
    return slot > now ? slot : origin + Math.ceil((now - origin) / period) * period;
  }
}
