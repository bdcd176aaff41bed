// Turns a `databases:` entry (URL, or host plus user/port/database keys) into where and how to
// connect, and finds its password: the env var, the URL, the client's own variables, ~/.my.cnf;
// pg reads ~/.pgpass itself.
import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { conventionDefaults } from './conventions.js';
import { DatabaseError } from './errors.js';
import type { DatabaseKind, DatabaseSpec, DatabaseTls } from '../../domain/database.js';

export const DEFAULT_PORTS: Record<DatabaseKind, number> = { postgres: 5432, mysql: 3306, redis: 6379 };

export interface ConnectionTarget {
  kind: DatabaseKind;
  /** Host name or address; empty when connecting through a unix socket. */
  host: string;
  port: number;
  /** Unix socket path (PostgreSQL: the directory holding .s.PGSQL.PORT). */
  socket?: string;
  user?: string;
  /** A password written in the URL itself (discouraged; passwordEnv is the way). */
  urlPassword?: string;
  /** PostgreSQL: the password= of its pg_service.conf service. */
  servicePassword?: string;
  passwordEnv?: string;
  /** Database name (PostgreSQL, MySQL) or index (Redis). */
  database?: string;
  /** PostgreSQL: `database` is the default (`postgres`), not one the entry names (a backup needs it named). */
  databaseDefaulted?: boolean;
  /** undefined: no TLS. */
  tls?: DatabaseTls;
  via?: string;
}

const SCHEMES: Record<string, { kind: DatabaseKind; tls?: boolean }> = {
  'postgres:': { kind: 'postgres' },
  'postgresql:': { kind: 'postgres' },
  'mysql:': { kind: 'mysql' },
  'mariadb:': { kind: 'mysql' },
  'redis:': { kind: 'redis' },
  'rediss:': { kind: 'redis', tls: true },
};

export function specKind(spec: DatabaseSpec): DatabaseKind {
  if (spec.postgres !== undefined) return 'postgres';
  if (spec.mysql !== undefined) return 'mysql';
  if (spec.redis !== undefined) return 'redis';
  throw new DatabaseError('a database needs one of postgres:, mysql: or redis:', 'e.g. postgres: postgres://app@db1:5432/app');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function tlsFromUrl(kind: DatabaseKind, params: URLSearchParams, schemeTls: boolean): DatabaseTls | undefined {
  if (schemeTls) return {};
  if (kind === 'postgres') {
    const mode = params.get('sslmode');
    if (mode === 'require' || mode === 'prefer') return { verify: false };
    if (mode === 'verify-ca' || mode === 'verify-full') return {};
    return undefined;
  }
  const flag = params.get('ssl') ?? params.get('tls');
  return flag === 'true' || flag === '1' ? {} : undefined;
}

/**
 * Parses `value` of postgres:/mysql:/redis: (a URL, host, host:port or /socket) and applies the
 * spec's keys; what both leave out comes from the client's own conventions in `env`
 * (conventions.ts: PGHOST, PGSERVICE, MYSQL_HOST...), then the built-in defaults.
 */
export function resolveTarget(spec: DatabaseSpec, env: NodeJS.ProcessEnv = process.env, home?: string): ConnectionTarget {
  const kind = specKind(spec);
  const value = (spec[kind] ?? '').trim();
  const given: { host?: string; port?: number; socket?: string; service?: string; tlsGiven: boolean } = { tlsGiven: false };
  const target: ConnectionTarget = { kind, host: '', port: 0, passwordEnv: spec.passwordEnv, via: spec.via };
  if (value.includes('://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new DatabaseError(`${kind}: cannot parse URL`, `expected e.g. ${kind}://user@host:${DEFAULT_PORTS[kind]}/name`);
    }
    const scheme = SCHEMES[url.protocol];
    if (!scheme || scheme.kind !== kind) throw new DatabaseError(`${kind}: URL scheme ${url.protocol}// does not match`, `use ${kind}://…`);
    const host = decode(url.hostname);
    if (host.startsWith('/')) given.socket = host;
    else if (host) given.host = host.replace(/^\[(.*)\]$/, '$1');
    if (url.port) given.port = Number(url.port);
    if (url.username) target.user = decode(url.username);
    if (url.password) target.urlPassword = decode(url.password);
    const path = decode(url.pathname.replace(/^\//, ''));
    if (path) target.database = path;
    const socket = url.searchParams.get('socket') ?? (url.searchParams.get('host')?.startsWith('/') ? url.searchParams.get('host') : null);
    if (socket) given.socket = socket;
    if (kind === 'redis' && url.searchParams.get('db')) target.database = url.searchParams.get('db') ?? undefined;
    if (kind === 'postgres') given.service = url.searchParams.get('service') ?? undefined;
    target.tls = tlsFromUrl(kind, url.searchParams, scheme.tls === true);
    given.tlsGiven = target.tls !== undefined || url.searchParams.has('sslmode');
  } else if (value.startsWith('/')) {
    given.socket = value;
  } else if (value) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
    if (!match) throw new DatabaseError(`${kind}: expected a URL, host, host:port or /socket, got "${value}"`);
    given.host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    if (match[2]) given.port = Number(match[2]);
  }
  if (spec.user !== undefined) target.user = spec.user;
  if (spec.port !== undefined) given.port = spec.port;
  if (spec.database !== undefined) target.database = String(spec.database);
  if (spec.tls !== undefined) {
    target.tls = spec.tls === false ? undefined : spec.tls === true ? {} : spec.tls;
    given.tlsGiven = true;
  }
  const defaults = conventionDefaults(kind, given.service, env, home);
  // A host or socket the entry names wins over the environment's, like psql -h over PGHOST.
  const where = given.host !== undefined || given.socket !== undefined ? given : { host: defaults.host?.startsWith('/') ? undefined : defaults.host, socket: defaults.host?.startsWith('/') ? defaults.host : undefined };
  target.host = where.host ?? '127.0.0.1';
  if (where.socket !== undefined) target.socket = where.socket;
  target.port = given.port ?? defaults.port ?? DEFAULT_PORTS[kind];
  target.user ??= defaults.user;
  target.database ??= defaults.database;
  if (defaults.password !== undefined) target.servicePassword = defaults.password;
  if (!given.tlsGiven && defaults.sslmode !== undefined) target.tls = tlsFromUrl(kind, new URLSearchParams({ sslmode: defaults.sslmode }), false);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new DatabaseError(`${kind}: port ${target.port} out of range`);
  if (kind === 'redis' && target.database !== undefined && !/^\d+$/.test(target.database)) {
    throw new DatabaseError(`redis: database must be a number, got "${target.database}"`);
  }
  // Like psql: the OS user (pg itself would send none when $USER is unset).
  if (target.user === undefined && kind === 'postgres') target.user = osUser();
  // Statistics cover the whole server: any database will do, and this one always exists.
  if (target.database === undefined && kind === 'postgres') {
    target.database = 'postgres';
    target.databaseDefaulted = true;
  }
  if (target.via && target.socket) throw new DatabaseError(`${kind}: a unix socket cannot be reached through via: ${target.via}`, 'give the host and port as the SSH host sees them');
  return target;
}

export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'root';
  }
}

/** The target as shown on screen and in the snapshot: never a password. */
export function describeTarget(target: ConnectionTarget): string {
  const scheme = target.kind === 'redis' && target.tls ? 'rediss' : target.kind;
  const user = target.user ? `${target.user}@` : '';
  const where = target.socket ? `unix(${target.socket})` : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const db = target.database !== undefined ? `/${target.database}` : '';
  return `${scheme}://${user}${where}${db}${target.via ? ` via ${target.via}` : ''}`;
}

export interface MyCnfClient {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
}

/** Reads the client groups of a my.cnf ([client], [mysql], [client-server], [client-mariadb], [mariadb-client]). */
export function parseMyCnf(text: string): MyCnfClient {
  const groups = new Set(['client', 'mysql', 'client-server', 'client-mariadb', 'mariadb-client']);
  const out: MyCnfClient = {};
  let inClient = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('!')) continue;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group) {
      inClient = groups.has((group[1] ?? '').trim().toLowerCase());
      continue;
    }
    if (!inClient) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase().replace(/_/g, '-');
    let value = line.slice(eq + 1).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    if (key === 'user') out.user = value;
    else if (key === 'password') out.password = value;
    else if (key === 'host') out.host = value;
    else if (key === 'port' && /^\d+$/.test(value)) out.port = Number(value);
    else if (key === 'socket') out.socket = value;
  }
  return out;
}

export async function readMyCnf(home: string = homedir()): Promise<MyCnfClient | undefined> {
  try {
    return parseMyCnf(await readFile(join(home, '.my.cnf'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The password to send, if any: passwordEnv, then the URL, then what the kind's own client reads
 * (PostgreSQL: the service's password=, then PGPASSWORD; Redis: REDISCLI_AUTH, as redis-cli).
 * undefined lets the client try its own files (pg: ~/.pgpass; MySQL: ~/.my.cnf, read by mysql.ts).
 */
export function configuredPassword(target: ConnectionTarget, env: NodeJS.ProcessEnv): string | undefined {
  if (target.passwordEnv) {
    const value = env[target.passwordEnv];
    if (value === undefined) {
      throw new DatabaseError(`${target.passwordEnv} is not set`, `passwordEnv: ${target.passwordEnv} names an environment variable that must hold the password`);
    }
    return value;
  }
  if (target.urlPassword !== undefined) return target.urlPassword;
  if (target.kind === 'postgres') return target.servicePassword ?? (env.PGPASSWORD || undefined);
  if (target.kind === 'redis') return env.REDISCLI_AUTH || undefined;
  return undefined;
}

/** Node TLS options from the entry's tls: settings (files read now, so a bad path is a clear error). */
export async function tlsOptions(tls: DatabaseTls | undefined, host: string): Promise<TlsOptions | undefined> {
  if (!tls) return undefined;
  const read = async (key: 'ca' | 'cert' | 'key'): Promise<string | undefined> => {
    const path = tls[key];
    if (!path) return undefined;
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new DatabaseError(`cannot read tls.${key} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')]);
  const servername = tls.servername ?? (host && !/^[\d.:]+$/.test(host) ? host : undefined);
  return {
    rejectUnauthorized: tls.verify !== false,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(servername ? { servername } : {}),
  };
}
