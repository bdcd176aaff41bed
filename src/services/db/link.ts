// The one connection a database target gets: opened on first use, reopened on a later use after it
// broke, and never given a new query while the previous one has not returned (a hung server gets one
// stuck query, not one per tick). A query stuck past `stuckMs` has its connection dropped.
import { DatabaseError } from './errors.js';

export interface Connection {
  /** False once the driver reported the connection closed or broken. */
  readonly alive: boolean;
  /** Ends it politely. */
  close(): Promise<void>;
  /** Cuts it at once; a query in flight fails. */
  destroy(): void;
}

export interface LinkOptions<C extends Connection> {
  open(signal: AbortSignal): Promise<C>;
  /** A query in flight longer than this has its connection dropped by the next use. */
  stuckMs: number;
  /** Told of each new connection (rates restart, since setup commands count on the server). */
  onOpen?(connection: C): void;
}

export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class Link<C extends Connection> {
  private connection: C | undefined;
  private inFlight: Promise<unknown> | undefined;
  private inFlightSince = 0;
  /** The current run's; an abandoned run that finishes connecting finds it changed. */
  private runToken: symbol | undefined;
  private closed = false;

  constructor(private readonly options: LinkOptions<C>) {}

  /**
   * Runs `work` on the connection (opening it first if needed). With `wait`, queues behind a query in
   * flight (admin actions); without, refuses at once (poll ticks: the next tick will try again).
   */
  async use<T>(signal: AbortSignal, work: (connection: C) => Promise<T>, wait = false): Promise<T> {
    if (this.closed) throw new DatabaseError('closed');
    while (this.inFlight) {
      const age = Date.now() - this.inFlightSince;
      if (age > this.options.stuckMs) {
        // Some drivers never settle a query whose connection was destroyed: abandon it rather than wait.
        this.inFlight = undefined;
        this.runToken = undefined;
        this.connection?.destroy();
        this.connection = undefined;
        throw new DatabaseError(`no answer for ${(age / 1000).toFixed(1)}s: connection dropped, reconnecting on the next tick`, 'the server or the network is hung', 'ETIMEDOUT');
      }
      if (!wait) {
        throw new DatabaseError(`previous query still running after ${(age / 1000).toFixed(1)}s: not sending another`, 'the server is slow; it is not given a second query until the first returns', 'BUSY');
      }
      await abortable(
        this.inFlight.then(
          () => undefined,
          () => undefined,
        ),
        signal,
      );
    }
    const token = Symbol('run');
    this.runToken = token;
    const run: Promise<T> = (async () => {
      if (!this.connection?.alive) {
        this.connection?.destroy();
        this.connection = undefined;
        const opened = await this.options.open(signal);
        if (this.closed || this.runToken !== token) {
          // Closed, or abandoned as stuck while connecting: nobody will use this one.
          opened.destroy();
          throw new DatabaseError('closed');
        }
        this.connection = opened;
        this.options.onOpen?.(opened);
      }
      const connection = this.connection;
      try {
        return await work(connection);
      } finally {
        if (!connection.alive && this.connection === connection) this.connection = undefined;
      }
    })();
    this.inFlight = run;
    this.inFlightSince = Date.now();
    const clear = () => {
      if (this.inFlight === run) this.inFlight = undefined;
    };
    run.then(clear, clear);
    return abortable(run, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    // A polite goodbye would queue behind the query in flight, which may never return (a hung server).
    if (this.inFlight) {
      connection.destroy();
      return;
    }
    try {
      await Promise.race([connection.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    } finally {
      connection.destroy();
    }
  }
}
