// What every database kind shares as a poll source: its one connection, its timeouts, the way a
// failure becomes a readable error, the tunnel seam for `via:`, and the cost figures of its ticks.
import type { Duplex } from 'node:stream';
import type { PollSource } from '../scheduler.js';
import { sanitizeLine } from '../../domain/sanitize.js';
import { DatabaseError, explainError } from './errors.js';
import { resolveThresholds } from '../../domain/database-levels.js';
import { abortable, Link, type Connection } from './link.js';
import { describeTarget, type ConnectionTarget } from './target.js';
import type { DatabaseKind, DatabaseSample, DatabaseSpec, DatabaseThresholds, PgDetails } from '../../domain/database.js';
import type { QueryText } from '../../domain/explain.js';

/**
 * The seam for `via: HOST`: opens a byte stream to host:port as seen from the SSH host (an ssh2
 * `forwardOut` channel). The database client speaks its protocol (and TLS) over it.
 */
export type TunnelFactory = (target: { host: string; port: number }, signal: AbortSignal) => Promise<Duplex>;

export interface DatabaseSourceOptions {
  /** Opens the byte stream for `via: HOST` (the SSH host's forwardOut). Required when the entry has via:. */
  tunnel?: TunnelFactory;
  /** The tick's deadline (the scheduler's); default 5000. */
  timeoutMs?: number;
  /** Default: 60 % of timeoutMs. */
  connectTimeoutMs?: number;
  /** Server-side limit on each statement; default: 60 % of timeoutMs. */
  statementTimeoutMs?: number;
  /** The environment: passwordEnv, and the clients' own variables (PGHOST, REDISCLI_AUTH...); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Home directory holding ~/.my.cnf and ~/.pg_service.conf; default the user's. */
  home?: string;
  /** How many busy queries or threads a sample keeps; default 50. */
  topQueries?: number;
  /** PostgreSQL database sizes and MySQL server variables are re-read every this many ticks; default 15. */
  slowEvery?: number;
  /** What the entry's own thresholds are laid over: the config's `thresholds.database`; default the built-in ones. */
  thresholds?: DatabaseThresholds;
}

/** The cost of the source's ticks, for the bench and the self-meter. */
export interface TickStats {
  ticks: number;
  connects: number;
  /** Requests sent to the server (a multi-statement PostgreSQL query is one). */
  roundTrips: number;
  /** Statements or commands those carried. */
  statements: number;
  lastTickMs: number;
}

export interface DatabaseSource extends PollSource<DatabaseSample> {
  readonly name: string;
  /** The host it is reached from: its via: host, else 'local'. */
  readonly host: string;
  readonly dbKind: DatabaseKind;
  /** Where it points, without secrets. */
  readonly target: string;
  readonly thresholds: DatabaseThresholds;
  /** The last good sample (admin actions describe what they act on from it). */
  readonly last: DatabaseSample | undefined;
  readonly stats: TickStats;
  /** pg_cancel_backend / KILL QUERY; false when no such backend. Operators reach it only through the executor (src/app/operations), which audits. */
  cancelBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  /** pg_terminate_backend / KILL / CLIENT KILL ID; false when no such backend. Through the executor too. */
  terminateBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  /** The backend's query as the server keeps it (line breaks and all), for the details view; undefined when the backend is gone. */
  queryText(pid: number, signal: AbortSignal): Promise<QueryText | undefined>;
  /**
   * The plan of that text: EXPLAIN, never ANALYZE (nothing of it runs), on a connection of its own to
   * the backend's database, read-only and under the statement time limit. Throws a DatabaseError
   * saying why when it cannot be planned (explainRefusal, or what the server answered).
   */
  planQuery(query: QueryText, signal: AbortSignal): Promise<string[]>;
  /** The details view's statistics: statements, table sizes, unused indexes (PostgreSQL only). */
  details?(signal: AbortSignal): Promise<PgDetails>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 5000;

/** Query text as one safe line: whitespace runs folded, escapes and controls stripped, cut. */
export function oneLine(text: unknown, max = 1000): string {
  if (typeof text !== 'string') return '';
  return sanitizeLine(text.replace(/\s+/g, ' ').trim(), max);
}

/** pg wants a socket-like stream it can `connect()`; an SSH channel is already connected. */
export function connectedStream(duplex: Duplex): Duplex {
  const stream = duplex as Duplex & Record<string, unknown>;
  if (typeof stream.connect !== 'function') {
    stream.connect = () => {
      process.nextTick(() => duplex.emit('connect'));
      return duplex;
    };
  }
  for (const method of ['setNoDelay', 'setKeepAlive', 'ref', 'unref', 'setTimeout']) {
    if (typeof stream[method] !== 'function') stream[method] = () => duplex;
  }
  return duplex;
}

export abstract class DatabaseSourceBase<C extends Connection, S extends DatabaseSample> implements DatabaseSource {
  readonly host: string;
  readonly timeoutMs: number;
  readonly target: string;
  readonly thresholds: DatabaseThresholds;
  readonly stats: TickStats = { ticks: 0, connects: 0, roundTrips: 0, statements: 0, lastTickMs: 0 };
  last: S | undefined;
  protected readonly connectTimeoutMs: number;
  protected readonly statementTimeoutMs: number;
  protected readonly topQueries: number;
  protected readonly slowEvery: number;
  protected readonly env: NodeJS.ProcessEnv;
  protected readonly home: string | undefined;
  protected readonly link: Link<C>;
  private readonly tunnel: TunnelFactory | undefined;

  constructor(
    readonly name: string,
    readonly dbKind: DatabaseKind,
    spec: DatabaseSpec,
    protected readonly conn: ConnectionTarget,
    options: DatabaseSourceOptions,
  ) {
    this.host = spec.via ?? 'local';
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? Math.round(this.timeoutMs * 0.6);
    this.statementTimeoutMs = options.statementTimeoutMs ?? Math.round(this.timeoutMs * 0.6);
    this.topQueries = options.topQueries ?? 50;
    this.slowEvery = options.slowEvery ?? 15;
    this.env = options.env ?? process.env;
    this.home = options.home;
    this.tunnel = options.tunnel;
    this.target = describeTarget(conn);
    this.thresholds = resolveThresholds(spec.thresholds, dbKind, options.thresholds);
    this.link = new Link<C>({
      open: (signal) => this.open(signal),
      stuckMs: this.timeoutMs + this.statementTimeoutMs,
      onOpen: (connection) => {
        this.stats.connects++;
        this.connected(connection);
      },
    });
  }

  /** host:port or the socket, for error messages. */
  protected get where(): string {
    const place = this.conn.socket ?? `${this.conn.host}:${this.conn.port}`;
    return this.conn.via ? `${place} via ${this.conn.via}` : place;
  }

  async collect(signal: AbortSignal): Promise<S> {
    const started = performance.now();
    try {
      const sample = await this.link.use(signal, (c) => this.sample(c));
      this.last = sample;
      return sample;
    } catch (error) {
      throw this.explain(error);
    } finally {
      this.stats.ticks++;
      this.stats.lastTickMs = performance.now() - started;
    }
  }

  protected explain(error: unknown): DatabaseError {
    return explainError(this.dbKind, error, this.where, this.conn.user ?? '');
  }

  /** The tunnel's stream when the entry has via:, undefined for a direct connection. */
  protected async tunnelStream(signal: AbortSignal): Promise<Duplex | undefined> {
    if (!this.conn.via) return undefined;
    if (!this.tunnel) {
      throw new DatabaseError(`via: ${this.conn.via} needs that host's SSH connection, which is not available`, `check hosts.${this.conn.via} in the config and that it is connected`, 'NOTUNNEL');
    }
    return this.tunnel({ host: this.conn.host, port: this.conn.port }, signal);
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  /**
   * `work` on a connection of its own to `database` (opened like the poll connection: read-only,
   * with the statement limits), closed after; the poll connection is never held up by it.
   */
  protected async sideConnection<T>(database: string | undefined, signal: AbortSignal, work: (connection: C) => Promise<T>): Promise<T> {
    const connection = await abortable(this.open(signal, database), signal);
    try {
      return await abortable(work(connection), signal);
    } finally {
      // A statement still running when the signal fired is cut with its connection.
      if (signal.aborted) connection.destroy();
      else await connection.close().catch(() => connection.destroy());
    }
  }

  /** EXPLAIN's refusal or the server's error, as a DatabaseError whose message says why. */
  protected planFailed(error: unknown): DatabaseError {
    if (error instanceof DatabaseError) return error;
    const explained = this.explain(error);
    if (['57014', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT', 'ER_QUERY_INTERRUPTED'].includes(explained.code ?? '')) {
      return new DatabaseError(`EXPLAIN did not finish within the statement limit (${this.statementTimeoutMs} ms) on ${this.where}`, 'planning this query takes long: run EXPLAIN by hand', explained.code);
    }
    // A statement-level error (a missing table, a permission) is the reason itself, not a broken connection.
    return new DatabaseError(`EXPLAIN failed: ${explained.message}`, explained.hint, explained.code);
  }

  /** Counts one request to the server carrying `statements` statements. */
  protected sent(statements = 1): void {
    this.stats.roundTrips++;
    this.stats.statements += statements;
  }

  /** A new connection, set up for reading (`database`: another than the entry's, for EXPLAIN). */
  protected abstract open(signal: AbortSignal, database?: string): Promise<C>;
  /** A new connection: previous counters can no longer be compared (setup commands count on the server). */
  protected abstract connected(connection: C): void;
  protected abstract sample(connection: C): Promise<S>;
  abstract cancelBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  abstract terminateBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  abstract queryText(pid: number, signal: AbortSignal): Promise<QueryText | undefined>;
  abstract planQuery(query: QueryText, signal: AbortSignal): Promise<string[]>;
}
