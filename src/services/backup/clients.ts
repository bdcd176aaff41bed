// The database client programs a backup runs (pg_dump, psql, pg_restore, mysqldump, mysql,
// redis-cli) and how each is told where to connect: everything but the database name goes through the
// environment or an option file, so no password is ever in an argv `ps` can show.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseKind } from '../../domain/database.js';
import type { ConnectionTarget } from '../db/target.js';

/** A program to run, with what it needs in its environment. */
export interface ClientCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** Where a backup connects and, for PostgreSQL and MySQL, which database it dumps. */
export interface BackupConnection {
  kind: DatabaseKind;
  target: ConnectionTarget;
  /** From passwordEnv or the URL; undefined lets the client find its own (~/.pgpass, ~/.my.cnf). */
  password?: string;
  /** The database dumped (PostgreSQL, MySQL); a Redis backup is the whole server. */
  database?: string;
}

/**
 * A database name a client cannot mistake for something else: pg_dump reads a name with `=` or a URI
 * as connection settings, and mysqldump one starting with `-` as an option.
 */
export function checkDatabaseName(name: string): string | undefined {
  if (name === '') return 'the database name is empty';
  if (/[\0-\x1f\x7f]/.test(name)) return 'the database name holds a control character';
  if (name.startsWith('-')) return `database name "${name}" starts with "-"`;
  if (name.includes('=') || /^postgres(ql)?:/i.test(name)) return `database name "${name}" would be read as connection settings`;
  return undefined;
}

/** libpq's environment: nothing of the connection is left for argv. */
function postgresEnv(c: BackupConnection, database = c.database): Record<string, string> {
  const t = c.target;
  const env: Record<string, string> = { PGHOST: t.socket ?? t.host, PGPORT: String(t.port), PGAPPNAME: 'opsdeck-backup', PGCONNECT_TIMEOUT: '15' };
  if (t.user) env.PGUSER = t.user;
  if (database) env.PGDATABASE = database;
  if (c.password !== undefined) env.PGPASSWORD = c.password;
  if (t.tls) {
    env.PGSSLMODE = t.tls.verify === false ? 'require' : 'verify-full';
    if (t.tls.ca) env.PGSSLROOTCERT = t.tls.ca;
    if (t.tls.cert) env.PGSSLCERT = t.tls.cert;
    if (t.tls.key) env.PGSSLKEY = t.tls.key;
  }
  return env;
}

/** An option-file value: double-quoted, with the escapes MySQL's option file parser undoes. */
const optionValue = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The [client] group every MySQL program reads first (`--defaults-extra-file`, 0600, in a 0700 directory). */
function mysqlOptions(c: BackupConnection): string {
  const t = c.target;
  const lines = ['[client]'];
  if (t.socket) lines.push(`socket=${optionValue(t.socket)}`);
  else lines.push(`host=${optionValue(t.host)}`, `port=${t.port}`, 'protocol=TCP');
  if (t.user) lines.push(`user=${optionValue(t.user)}`);
  if (c.password !== undefined) lines.push(`password=${optionValue(c.password)}`);
  if (t.tls) {
    lines.push('ssl');
    if (t.tls.ca) lines.push(`ssl-ca=${optionValue(t.tls.ca)}`);
    if (t.tls.cert) lines.push(`ssl-cert=${optionValue(t.tls.cert)}`);
    if (t.tls.key) lines.push(`ssl-key=${optionValue(t.tls.key)}`);
    if (t.tls.verify !== false) lines.push('ssl-verify-server-cert');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * MySQL's connection options (its password among them), for as long as `work` runs: a 0600 file in a
 * fresh 0700 directory, removed after. Other kinds need no file: `work` gets undefined.
 */
export async function withClientOptions<T>(c: BackupConnection, work: (file: string | undefined) => Promise<T>): Promise<T> {
  if (c.kind !== 'mysql') return work(undefined);
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-my-'));
  try {
    const file = join(dir, 'client.cnf');
    await writeFile(file, mysqlOptions(c), { mode: 0o600, flag: 'wx' });
    return await work(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function redisArgs(c: BackupConnection): { args: string[]; env: Record<string, string> } {
  const t = c.target;
  const args = t.socket ? ['-s', t.socket] : ['-h', t.host, '-p', String(t.port)];
  if (t.user) args.push('--user', t.user);
  if (t.tls) {
    args.push('--tls');
    if (t.tls.ca) args.push('--cacert', t.tls.ca);
    if (t.tls.cert) args.push('--cert', t.tls.cert);
    if (t.tls.key) args.push('--key', t.tls.key);
    if (t.tls.verify === false) args.push('--insecure');
    if (t.tls.servername) args.push('--sni', t.tls.servername);
  }
  // redis-cli reads the password from REDISCLI_AUTH: `-a` would show it to ps.
  return { args, env: c.password !== undefined ? { REDISCLI_AUTH: c.password } : {} };
}

/** The dump, written to stdout (PostgreSQL, MySQL) or, for Redis, to `path` (redis-cli's own writer). */
export function dumpCommand(c: BackupConnection, optionFile: string | undefined, path: string): ClientCommand {
  switch (c.kind) {
    case 'postgres':
      // A table held by an exclusive lock (a migration) fails the backup after 2 min instead of hanging it.
      return { file: 'pg_dump', args: ['-Fc', '--no-password', '--lock-wait-timeout=2min'], env: postgresEnv(c) };
    case 'mysql':
      return { file: 'mysqldump', args: [`--defaults-extra-file=${optionFile ?? ''}`, '--single-transaction', '--routines', '--triggers', '--events', '--', c.database ?? ''], env: {} };
    case 'redis': {
      const { args, env } = redisArgs(c);
      return { file: 'redis-cli', args: [...args, '--rdb', path], env };
    }
  }
}

/** A statement whose result is printed bare, one row per line, fields tab-separated (PostgreSQL, MySQL). */
export function queryCommand(c: BackupConnection, optionFile: string | undefined, sql: string, database = c.database): ClientCommand {
  if (c.kind === 'postgres') return { file: 'psql', args: ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '--no-password', '-c', sql], env: postgresEnv(c, database) };
  return { file: 'mysql', args: [`--defaults-extra-file=${optionFile ?? ''}`, '-N', '-B', ...(database ? [`--database=${database}`] : []), '-e', sql], env: {} };
}

/** One Redis command through redis-cli (its reply printed raw). */
export function redisCommand(c: BackupConnection, command: string[]): ClientCommand {
  const { args, env } = redisArgs(c);
  return { file: 'redis-cli', args: [...args, ...command], env };
}

/** Loads a dump (stdin for MySQL; the file for pg_restore) into `database`. */
export function loadCommand(c: BackupConnection, optionFile: string | undefined, database: string, path: string, replace: boolean): ClientCommand {
  if (c.kind === 'postgres') {
    // One transaction: a restore that fails half-way leaves the database as it was.
    const args = ['--no-password', '--exit-on-error', '--single-transaction', '--no-owner', ...(replace ? ['--clean', '--if-exists'] : []), '-d', database, path];
    return { file: 'pg_restore', args, env: postgresEnv(c, database) };
  }
  return { file: 'mysql', args: [`--defaults-extra-file=${optionFile ?? ''}`, `--database=${database}`], env: {} };
}
