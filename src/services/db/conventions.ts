// The settings psql, mysql and redis-cli users already have: PGHOST, PGPORT, PGDATABASE, PGUSER,
// PGSERVICE with pg_service.conf; MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT; REDIS_URL. A
// `databases:` entry and discovery take them where the entry leaves a value out, as those clients do.
// Passwords (PGPASSWORD, a service's password=, REDISCLI_AUTH) are read in target.ts's
// configuredPassword; MYSQL_PWD is not read (deprecated by MySQL: `passwordEnv: MYSQL_PWD` says it).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatabaseError } from './errors.js';
import type { DatabaseKind } from '../../domain/database.js';

/** What an entry left out and a convention filled (undefined: nothing set; the built-in default applies). */
export interface ConventionDefaults {
  /** A host name, or a unix socket path (PostgreSQL: its directory). */
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  /** pg_service.conf's password= for the service. */
  password?: string;
  /** pg_service.conf's sslmode= for the service. */
  sslmode?: string;
}

/** libpq's pg_service.conf: `[name]` sections of `key=value` lines, `#` comments. */
export function parsePgServiceFile(text: string): Map<string, Record<string, string>> {
  const services = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = {};
      // libpq takes the first section of a name.
      if (!services.has(section[1]!)) services.set(section[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return services;
}

/** libpq's search order: $PGSERVICEFILE, else ~/.pg_service.conf; then $PGSYSCONFDIR/pg_service.conf (Debian's libpq: /etc/postgresql-common). */
export function pgServiceFiles(env: NodeJS.ProcessEnv, home = env.HOME || homedir()): string[] {
  return [env.PGSERVICEFILE || join(home, '.pg_service.conf'), join(env.PGSYSCONFDIR || '/etc/postgresql-common', 'pg_service.conf')];
}

/** The settings of service `name`, from the first file that defines it. */
export function pgService(name: string, env: NodeJS.ProcessEnv, home?: string): Record<string, string> {
  const files = pgServiceFiles(env, home);
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const found = parsePgServiceFile(text).get(name);
    if (found) return found;
  }
  throw new DatabaseError(`postgres: service "${name}" is not defined`, `looked in ${files.join(' and ')} (PGSERVICEFILE, ~/.pg_service.conf, PGSYSCONFDIR)`);
}

function port(value: string | undefined, from: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new DatabaseError(`${from}="${value}" is not a port (1-65535)`);
  return n;
}

function host(value: string | undefined, from: string): string | undefined {
  if (!value) return undefined;
  if (value.includes(',')) throw new DatabaseError(`${from}="${value}" lists several hosts`, 'opsdeck watches one server per databases: entry: give each its own');
  return value;
}

/**
 * The defaults for what an entry left out, by kind: PostgreSQL from its service (`?service=` in
 * the URL, else $PGSERVICE), then PGHOST, PGPORT, PGDATABASE, PGUSER, as libpq orders them; MySQL
 * from MYSQL_UNIX_PORT (a socket), MYSQL_HOST, MYSQL_TCP_PORT. REDIS_URL is a whole server, read
 * by discovery only.
 */
export function conventionDefaults(kind: DatabaseKind, service: string | undefined, env: NodeJS.ProcessEnv, home?: string): ConventionDefaults {
  if (kind === 'postgres') {
    const name = service ?? (env.PGSERVICE || undefined);
    const s = name === undefined ? {} : pgService(name, env, home);
    const where = name === undefined ? '' : `service "${name}" `;
    return {
      host: host(s.host, `${where}host`) ?? host(env.PGHOST, 'PGHOST'),
      port: port(s.port, `${where}port`) ?? port(env.PGPORT, 'PGPORT'),
      database: s.dbname || env.PGDATABASE || undefined,
      user: s.user || env.PGUSER || undefined,
      password: s.password,
      sslmode: s.sslmode,
    };
  }
  if (kind === 'mysql') {
    return { host: env.MYSQL_UNIX_PORT || host(env.MYSQL_HOST, 'MYSQL_HOST'), port: port(env.MYSQL_TCP_PORT, 'MYSQL_TCP_PORT') };
  }
  return {};
}

/** Whether the user's environment names a server of this kind; discovery then looks there only, as the client would. */
export function environmentNamesServer(kind: DatabaseKind, env: NodeJS.ProcessEnv): boolean {
  if (kind === 'postgres') return Boolean(env.PGHOST || env.PGSERVICE);
  if (kind === 'mysql') return Boolean(env.MYSQL_HOST || env.MYSQL_TCP_PORT || env.MYSQL_UNIX_PORT);
  return Boolean(env.REDIS_URL);
}
