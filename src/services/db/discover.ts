// With no `databases:` in the config: look for servers on this machine's default sockets and ports,
// and list each that answers, either ready to watch or with what it wants in the config.
import { access } from 'node:fs/promises';
import { collectWithDeadline } from '../scheduler.js';
import { DatabaseError } from './errors.js';
import { environmentNamesServer } from './conventions.js';
import { createDatabaseSource } from './create.js';
import { resolveTarget, type ConnectionTarget } from './target.js';
import type { DatabaseSourceOptions } from './source.js';
import type { DatabaseKind, DatabaseSpec, DiscoveredDatabase } from '../../domain/database.js';

export interface DiscoverOptions {
  /** Per probe; default 1500 ms. */
  timeoutMs?: number;
  /** The user's environment (PGHOST, REDIS_URL...; passwordEnv); default process.env. */
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Overrides of where to look (tests); defaults are the Debian/RHEL/upstream paths and ports. */
  candidates?: Partial<Record<DatabaseKind, DatabaseSpec[]>>;
}


// Ports, databases and users are left out: PGPORT, PGDATABASE, PGUSER fill them, as for psql.
export const DEFAULT_CANDIDATES: Record<DatabaseKind, DatabaseSpec[]> = {
  // The socket first: peer authentication there often lets the OS user in without a password.
  postgres: [{ postgres: 'postgres://?host=/var/run/postgresql' }, { postgres: 'postgres://?host=/tmp' }, { postgres: 'postgres://127.0.0.1' }],
  mysql: [
    { mysql: '/run/mysqld/mysqld.sock' },
    { mysql: '/var/run/mysqld/mysqld.sock' },
    { mysql: '/var/lib/mysql/mysql.sock' },
    { mysql: '/tmp/mysql.sock' },
    { mysql: 'mysql://127.0.0.1:3306' },
  ],
  redis: [{ redis: 'redis://127.0.0.1:6379' }, { redis: '/run/redis/redis-server.sock' }, { redis: '/var/run/redis/redis.sock' }],
};

/**
 * Where to look for each kind: where the user's environment points (PGHOST or PGSERVICE; MYSQL_HOST,
 * MYSQL_TCP_PORT or MYSQL_UNIX_PORT; REDIS_URL) and only there, as psql, mysql or redis-cli would
 * go; else the default sockets and ports.
 */
export function candidatesFor(kind: DatabaseKind, env: NodeJS.ProcessEnv): DatabaseSpec[] {
  if (!environmentNamesServer(kind, env)) return DEFAULT_CANDIDATES[kind];
  if (kind === 'redis') return [{ redis: env.REDIS_URL! }];
  return kind === 'postgres' ? [{ postgres: 'postgres://' }] : [{ mysql: 'mysql://' }];
}

/** A socket file a target points at, to skip probing files that are not there. */
function socketOf(target: ConnectionTarget): string | undefined {
  if (!target.socket) return undefined;
  return target.kind === 'postgres' ? `${target.socket}/.s.PGSQL.${target.port}` : target.socket;
}

const ABSENT = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

const HOW: Record<DatabaseKind, string> = {
  postgres: 'add databases: {NAME: {postgres: "postgres://USER@HOST:5432/DB", passwordEnv: VAR}} to the config, or set PGUSER and PGPASSWORD, or a line in ~/.pgpass',
  mysql: 'add databases: {NAME: {mysql: "mysql://USER@HOST:3306", passwordEnv: VAR}} to the config, or user= and password= under [client] in ~/.my.cnf (MYSQL_PWD is not read: write passwordEnv: MYSQL_PWD)',
  redis: 'add databases: {NAME: {redis: "redis://HOST:6379", passwordEnv: VAR}} to the config, or set REDISCLI_AUTH',
};

async function probe(kind: DatabaseKind, spec: DatabaseSpec, options: DatabaseSourceOptions): Promise<DiscoveredDatabase | undefined> {
  let socket: string | undefined;
  try {
    socket = socketOf(resolveTarget(spec, options.env, options.home));
  } catch (error) {
    // The environment says where, and cannot be used (PGPORT=abc, a service that is not defined).
    return { name: kind, kind, spec, target: spec[kind] ?? kind, status: 'needs-config', note: `${(error as Error).message}${error instanceof DatabaseError && error.hint ? ` (${error.hint})` : ''}` };
  }
  if (socket) {
    try {
      await access(socket);
    } catch {
      return undefined;
    }
  }
  const source = createDatabaseSource(kind, spec, options);
  try {
    const sample = await collectWithDeadline(source);
    return { name: kind, kind, spec, target: source.target, status: 'ok', version: sample.version };
  } catch (error) {
    const code = error instanceof DatabaseError ? error.code : undefined;
    if (code === undefined || ABSENT.has(code) || /timed out/.test(String((error as Error).message))) return undefined;
    const hint = error instanceof DatabaseError && error.hint ? ` (${error.hint})` : '';
    return { name: kind, kind, spec, target: source.target, status: 'needs-config', note: `${(error as Error).message}${hint} — ${HOW[kind]}` };
  } finally {
    await source.close();
  }
}

/** The local servers that answer, one per kind: the first that lets opsdeck in, else the first that refused it. */
export async function discoverLocalDatabases(options: DiscoverOptions = {}): Promise<DiscoveredDatabase[]> {
  const timeoutMs = options.timeoutMs ?? 1500;
  const sourceOptions: DatabaseSourceOptions = { timeoutMs, connectTimeoutMs: timeoutMs, statementTimeoutMs: timeoutMs, env: options.env, home: options.home };
  const kinds: DatabaseKind[] = ['postgres', 'mysql', 'redis'];
  const found = await Promise.all(
    kinds.map(async (kind) => {
      const results = await Promise.all((options.candidates?.[kind] ?? candidatesFor(kind, options.env ?? process.env)).map((spec) => probe(kind, spec, sourceOptions)));
      return results.find((r) => r?.status === 'ok') ?? results.find((r) => r !== undefined);
    }),
  );
  return found.filter((d): d is DiscoveredDatabase => d !== undefined);
}

