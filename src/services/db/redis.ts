// Redis statistics, the `redis-cli info` view: PING for latency, then INFO, on one connection that
// never queues a command while disconnected and never waits past commandTimeout.
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { AbstractConnector, Redis, RedisOptions } from 'ioredis';
import { DatabaseError } from './errors.js';
import { loadIoredis } from '../libraries.js';
import { explainRefusal, type QueryText } from '../../domain/explain.js';
import type { Connection } from './link.js';
import { parseRedisInfo, redisSampleFromInfo, type RedisPrevious } from './redis-info.js';
import { connectedStream, DatabaseSourceBase, type DatabaseSourceOptions } from './source.js';
import { configuredPassword, tlsOptions, type ConnectionTarget } from './target.js';
import type { DatabaseSpec, RedisSample } from '../../domain/database.js';


type NetStream = Awaited<ReturnType<AbstractConnector['connect']>>;

/** Hands ioredis the tunnel's stream (already connected, TLS already negotiated when asked). */
function tunnelConnector(Base: typeof AbstractConnector, stream: Duplex): RedisOptions['Connector'] {
  return class TunnelConnector extends Base {
    constructor() {
      super(1000);
    }

    connect(): Promise<NetStream> {
      this.connecting = true;
      // ioredis calls socket methods (setNoDelay, setKeepAlive) an SSH channel lacks.
      this.stream = connectedStream(stream) as NetStream;
      return Promise.resolve(this.stream);
    }
  };
}

class RedisConnection implements Connection {
  alive = true;
  constructor(readonly client: Redis) {
    client.on('error', () => undefined);
    client.on('end', () => {
      this.alive = false;
    });
    client.on('close', () => {
      this.alive = false;
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    await this.client.quit().catch(() => undefined);
  }

  destroy(): void {
    this.alive = false;
    this.client.disconnect(false);
  }
}

export class RedisSource extends DatabaseSourceBase<RedisConnection, RedisSample> {
  private previous: RedisPrevious | undefined;
  /** Commands sent so far, and that count when the previous INFO was sent. */
  private commands = 0;
  private commandsAtPreviousInfo = 0;

  constructor(name: string, spec: DatabaseSpec, target: ConnectionTarget, options: DatabaseSourceOptions) {
    super(name, 'redis', spec, target, options);
  }

  protected async open(signal: AbortSignal): Promise<RedisConnection> {
    const tunnel = await this.tunnelStream(signal);
    const tlsSettings = await tlsOptions(this.conn.tls, this.conn.host);
    let stream: Duplex | undefined = tunnel;
    if (tunnel && tlsSettings) {
      const secure = tls.connect({ ...tlsSettings, socket: tunnel as unknown as import('node:net').Socket });
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      stream = secure;
    }
    const password = configuredPassword(this.conn, this.env);
    const db = this.conn.database ? Number(this.conn.database) : 0;
    // RESP2 and no credentials in ioredis's options: AUTH, SELECT and CLIENT SETNAME are sent here,
    // in that order. ioredis would send HELLO first (refused by servers before 6, and closing the
    // connection when it carries no password) and print warnings to the console (the cockpit's
    // screen) for a password the server does not need.
    const ioredis = await loadIoredis();
    const client = new ioredis.Redis({
      ...(this.conn.socket ? { path: this.conn.socket } : { host: this.conn.host, port: this.conn.port }),
      ...(tlsSettings && !stream ? { tls: tlsSettings } : {}),
      ...(stream ? { Connector: tunnelConnector(ioredis.AbstractConnector, stream) } : {}),
      protocol: 2,
      connectTimeout: this.connectTimeoutMs,
      commandTimeout: this.statementTimeoutMs,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      disableClientInfo: true,
      autoResubscribe: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      // Reconnecting is the next tick's job, not a background loop's.
      retryStrategy: () => null,
      keepAlive: 10_000,
      // ioredis ends a socket politely and destroys it only this long after (2 s by default): a hung
      // server never answers the FIN, and the socket kept a finished snapshot alive for those 2 s.
      disconnectTimeout: 0,
    });
    const connection = new RedisConnection(client);
    let firstError: unknown;
    client.once('error', (error) => {
      firstError ??= error;
    });
    try {
      await client.connect();
    } catch (error) {
      connection.destroy();
      throw firstError ?? error;
    }
    try {
      if (password !== undefined) {
        const credentials = this.conn.user ? [this.conn.user, password] : [password];
        await client.call('AUTH', ...credentials).catch((error: unknown) => {
          // A password the server does not need is no reason to stop.
          if (!/without any password configured|no password is set/i.test(String((error as Error)?.message))) throw error;
        });
      }
      if (db !== 0) await client.select(db);
      // The name is a courtesy to whoever reads CLIENT LIST: an ACL user may lack +client|setname.
      await client.client('SETNAME', 'opsdeck').catch(() => undefined);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  protected connected(): void {
    // Setup commands (AUTH, SELECT, CLIENT SETNAME) count on the server: restart the rates.
    this.previous = undefined;
  }

  private async command<T>(connection: RedisConnection, send: () => Promise<T>): Promise<T> {
    this.sent();
    this.commands++;
    try {
      return await send();
    } catch (error) {
      // A command that timed out may still be answered later: a fresh connection keeps replies in order.
      if (/Command timed out/.test(String((error as Error)?.message))) connection.destroy();
      throw error;
    }
  }

  protected async sample(connection: RedisConnection): Promise<RedisSample> {
    const started = performance.now();
    await this.command(connection, () => connection.client.ping());
    const pingMs = performance.now() - started;
    const own = this.commands - this.commandsAtPreviousInfo;
    this.commandsAtPreviousInfo = this.commands;
    const text = await this.command(connection, () => connection.client.info());
    const at = Date.now();
    const sample = redisSampleFromInfo(parseRedisInfo(text), at, pingMs, this.previous, own);
    this.previous = { at, counters: sample.counters };
    return sample;
  }

  queryText(): Promise<QueryText | undefined> {
    return Promise.reject(new DatabaseError('Redis runs commands, not queries with a text to show'));
  }

  planQuery(query: QueryText): Promise<string[]> {
    return Promise.reject(new DatabaseError(explainRefusal('redis', query) ?? 'nothing to EXPLAIN'));
  }

  cancelBackend(): Promise<boolean> {
    return Promise.reject(new DatabaseError('Redis has no query to cancel', 'terminate closes the client connection instead'));
  }

  /** CLIENT KILL ID: closes one client connection. */
  terminateBackend(id: number, signal: AbortSignal): Promise<boolean> {
    return this.link
      .use(signal, async (connection) => {
        const killed = await this.command(connection, () => connection.client.client('KILL', 'ID', String(id)));
        return Number(killed) > 0;
      }, true)
      .catch((error: unknown) => {
        throw this.explain(error);
      });
  }
}
