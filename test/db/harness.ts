// Shared by the database integration tests: the real local servers, plain driver sessions to act on
// them, and a TCP proxy the test can cut, restore or freeze to play a failing network or server.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { freePort, spawnListening } from '../harness/ports.js';
import { waitFor } from '../helpers/wait.js';
import type { DatabaseSample } from '../../src/services/db/index.js';
import type { DatabaseSource } from '../../src/services/db/index.js';

export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
export const MY = { host: '127.0.0.1', port: 3306, user: 'root', database: 'test' };
export const RD = { host: '127.0.0.1', port: 6379 };

export const pgUrl = (port = PG.port) => `postgres://${PG.user}@127.0.0.1:${port}/${PG.database}`;
export const myUrl = (port = MY.port) => `mysql://${MY.user}@127.0.0.1:${port}/${MY.database}`;
export const redisUrl = (port = RD.port) => `redis://127.0.0.1:${port}`;

/** A plain PostgreSQL session the test drives (not opsdeck's). */
export async function pgSession(applicationName = 'opsdeck-test'): Promise<pg.Client> {
  const client = new pg.Client({ ...PG, application_name: applicationName });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The server process of a session (pg keeps it from the backend key data; its types leave it out). */
export const backendPid = (client: pg.Client): number => (client as pg.Client & { processID: number }).processID;

export async function mySession(): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ ...MY });
  connection.on('error', () => undefined);
  return connection;
}

export async function redisSession(port = RD.port): Promise<Redis> {
  // No reconnection: a client the test kills must stay dead, not resend its command elsewhere.
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, disableClientInfo: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export async function tick<S extends DatabaseSample>(source: DatabaseSource): Promise<S> {
  return (await collectWithDeadline(source)) as S;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function tempDir(prefix = 'opsdeck-db-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  traffic: Traffic;
}

/** One connection through the proxy, kept after it closes. */
export interface Traffic {
  /** 1, 2... in accept order. */
  id: number;
  /** Bytes the client sent toward the server. */
  sent: number;
  /** Of which while the proxy was frozen (the server answered none of them). */
  sentFrozen: number;
  /** When the first of those arrived (Date.now()). */
  firstFrozenAt?: number;
  /** When the connection closed, from either side. */
  closedAt?: number;
}

/**
 * 127.0.0.1:port → target. `cut()` closes the port and drops every connection (a server that went
 * away); `restore()` listens again on the same port; `freeze()` keeps connections open but passes no
 * byte either way and accepts new ones without answering (a hung server or a silent network cut).
 */
export class TcpProxy {
  port = 0;
  private server: net.Server | undefined;
  private readonly pairs = new Set<Pair>();
  private readonly log: Traffic[] = [];
  private frozen = false;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  /** Listens on `port`, or on a free one read back from the kernel (0). */
  async start(port = 0): Promise<this> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    const traffic: Traffic = { id: this.log.length + 1, sent: 0, sentFrozen: 0 };
    this.log.push(traffic);
    const pair: Pair = { client, upstream, traffic };
    this.pairs.add(pair);
    const drop = () => {
      traffic.closedAt ??= Date.now();
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    client.on('data', (data) => {
      traffic.sent += data.length;
      if (this.frozen) {
        traffic.sentFrozen += data.length;
        traffic.firstFrozenAt ??= Date.now();
      } else {
        upstream.write(data);
      }
    });
    upstream.on('data', (data) => {
      if (!this.frozen) client.write(data);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }

  /** Connections accepted so far, open or not. */
  get acceptedCount(): number {
    return this.log.length;
  }

  /** Every connection accepted so far, closed ones included, in accept order. */
  get traffic(): readonly Readonly<Traffic>[] {
    return this.log.map((t) => ({ ...t }));
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /**
   * Listens again on the same port. It was free a moment ago, but another test's connection or
   * listener may hold it for a while: retried on EADDRINUSE for up to five seconds.
   */
  async restore(): Promise<void> {
    this.frozen = false;
    for (const until = Date.now() + 5000; ; ) {
      try {
        await this.start(this.port);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > until) throw error;
        await sleep(100);
      }
    }
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}

export interface PrivateRedis {
  port: number;
  /** SIGSTOP: the kernel still accepts connections, the server never answers (a hung server). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A redis-server of the test's own on a free port (for settings the shared one must not get). */
export async function startRedis(args: string[] = [], options: { tls?: Certificates } = {}): Promise<PrivateRedis> {
  const { spawn } = await import('node:child_process');
  const dir = tempDir('opsdeck-redis-');
  let output = '';
  // Listening means ready (it loads nothing: no RDB, no AOF).
  const { child, port, exited } = await spawnListening(
    'redis-server',
    (port) => {
      const listen = options.tls
        ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no']
        : ['--port', String(port)];
      const child = spawn('redis-server', [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir.path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      output = '';
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output = `${output}${chunk.toString()}`.slice(-4000)));
      return child;
    },
    () => output.trim().split('\n').slice(-5).join('\n'),
  );
  return {
    port,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async stop() {
      // A stopped server acts on SIGTERM only once it runs again.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
      dir.remove();
    },
  };
}

export interface PrivatePostgres {
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** Runs a PostgreSQL tool as the postgres user (the server refuses to run as root). */
async function asPostgres(tool: string, args: string[]): Promise<void> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', `${PG_BIN}/${tool}`, ...args]] : [`${PG_BIN}/${tool}`, args];
  await promisify(execFile)(file, argv, { timeout: 60_000 });
}

async function pgDir(): Promise<string> {
  const { chownSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const dir = tempDir('opsdeck-pg-');
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir.path, id('-u'), id('-g'));
  }
  return dir.path;
}

/**
 * Starts the cluster in `dir` on a free port. pg_ctl -w knows its own server by postmaster.pid; a
 * port taken between the pick and the bind fails the start ("Address already in use" in the log),
 * which is tried again on another port (the last `port =` of postgresql.conf wins).
 */
async function startCluster(dir: string, extraConf: string[]): Promise<PrivatePostgres> {
  const { appendFileSync, readFileSync } = await import('node:fs');
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  appendFileSync(join(data, 'postgresql.conf'), ["listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'fsync = off', ...extraConf, ''].join('\n'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    appendFileSync(join(data, 'postgresql.conf'), `port = ${port}\n`);
    try {
      await asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log]);
    } catch (error) {
      const tail = readFileSync(log, 'utf8').split('\n').slice(-10).join('\n');
      if (attempt < 3 && /Address already in use/.test(tail)) continue;
      throw new Error(`PostgreSQL on port ${port} did not start: ${String(error)}\n${tail}`, { cause: error });
    }
    return {
      port,
      dataDir: data,
      async stop() {
        await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', data]).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * A primary of the test's own (initdb on a free port) that accepts replication from 127.0.0.1.
 * `hba` lines go first (they win over initdb's trust lines); `tls` turns on ssl with those files;
 * `conf` lines are added to postgresql.conf (settings that need a restart on the shared server).
 */
export async function startPostgresPrimary(options: { hba?: string[]; tls?: Certificates; conf?: string[] } = {}): Promise<PrivatePostgres> {
  const { copyFileSync, chmodSync, chownSync, readFileSync: read, statSync, writeFileSync } = await import('node:fs');
  const dir = await pgDir();
  const data = join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const hba = join(data, 'pg_hba.conf');
  writeFileSync(hba, [...(options.hba ?? []), read(hba, 'utf8'), 'host replication all 127.0.0.1/32 trust', ''].join('\n'));
  const conf = ['wal_level = replica', 'max_wal_senders = 5', "password_encryption = 'scram-sha-256'", ...(options.conf ?? [])];
  if (options.tls) {
    // The server wants its key private and its own.
    const owner = statSync(dir);
    for (const [from, name] of [
      [options.tls.cert, 'server.crt'],
      [options.tls.key, 'server.key'],
    ] as const) {
      copyFileSync(from, join(data, name));
      chmodSync(join(data, name), 0o600);
      chownSync(join(data, name), owner.uid, owner.gid);
    }
    conf.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
  }
  return startCluster(dir, conf);
}

/** A streaming standby of `primary`, from pg_basebackup. */
export async function startPostgresStandby(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const dir = await pgDir();
  await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', join(dir, 'data'), '-R', '-X', 'stream', '--no-sync']);
  return startCluster(dir, ['hot_standby = on']);
}

export interface Certificates {
  dir: string;
  /** The test CA (PEM); the server certificate is for localhost and 127.0.0.1. */
  ca: string;
  cert: string;
  key: string;
}

/** A throwaway CA and a server certificate signed by it, made with openssl. */
export async function makeCertificates(): Promise<Certificates & { remove(): void }> {
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir('opsdeck-tls-');
  const at = (name: string) => join(dir.path, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2', '-subj', '/CN=opsdeck test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.pem'), '-days', '2', '-extfile', at('ext.cnf'));
  return { dir: dir.path, ca: at('ca.pem'), cert: at('server.pem'), key: at('server.key'), remove: dir.remove };
}

export interface PrivateMariadb {
  port: number;
  stop(): Promise<void>;
}

/** A MariaDB of the test's own (mariadb-install-db on a free port), root without a password on 127.0.0.1. */
export async function startMariadb(serverId: number, extra: string[] = []): Promise<PrivateMariadb> {
  const { execFile, execFileSync, spawn } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { chownSync, readFileSync } = await import('node:fs');
  const dir = tempDir('opsdeck-maria-');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'mysql'], { encoding: 'utf8' }).trim());
    chownSync(dir.path, id('-u'), id('-g'));
  }
  const data = join(dir.path, 'data');
  const user = asRoot ? ['--user=mysql'] : [];
  // A private tmpdir: two bootstraps sharing /tmp have failed with "Could not remove temporary table".
  await promisify(execFile)('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, `--tmpdir=${dir.path}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db'], { timeout: 60_000 });
  const errorLog = join(dir.path, 'error.log');
  const logTail = (): string => {
    try {
      return readFileSync(errorLog, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no error log)';
    }
  };
  const { child, port, exited } = await spawnListening(
    'mariadbd',
    (port) =>
      spawn(
        'mariadbd',
        ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir.path, 'sock')}`, ...user, `--server-id=${serverId}`, '--innodb-buffer-pool-size=16M', `--log-error=${errorLog}`, ...extra],
        { stdio: 'ignore' },
      ),
    logTail,
  );
  try {
    // It listens before it has finished starting: ready once it answers.
    await waitFor('mariadbd to answer', async () => {
      const probe = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await probe.end();
      return true;
    }, 30_000, 200);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`mariadbd on port ${port} did not answer: ${String(error)}\n${logTail()}`, { cause: error });
  }
  return {
    port,
    async stop() {
      // A stopped server acts on SIGTERM only once it runs again.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
      dir.remove();
    },
  };
}
