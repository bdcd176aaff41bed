// Database failures as the operator should read them: what failed, where, and what to change.
import type { DatabaseKind } from '../../domain/database.js';

export class DatabaseError extends Error {
  constructor(
    message: string,
    /** What to do about it, shown under the error. */
    readonly hint?: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

interface DriverError {
  code?: string | number;
  errno?: number;
  message?: string;
  sqlMessage?: string;
  address?: string;
  port?: number;
}

const NETWORK: Record<string, (where: string) => [string, string?]> = {
  ECONNREFUSED: (w) => [`connection refused (${w})`, 'is the server running and listening there?'],
  ENOENT: (w) => [`no socket at ${w}`, 'is the server running? check the socket path'],
  EACCES: (w) => [`permission denied on ${w}`],
  ENOTFOUND: (w) => [`host not found (${w})`, 'check the host name'],
  EAI_AGAIN: (w) => [`host name lookup failed (${w})`, 'check DNS or the host name'],
  ETIMEDOUT: (w) => [`connect timed out (${w})`, 'host down, firewalled, or the server is hung'],
  ECONNRESET: (w) => [`connection reset by the server (${w})`],
  EPIPE: (w) => [`connection lost (${w})`],
  EHOSTUNREACH: (w) => [`host unreachable (${w})`],
  ENETUNREACH: (w) => [`network unreachable (${w})`],
};

const CONNECTION_LOST = /Connection terminated|connection is closed|Connection lost|The server closed the connection|Connection is closed|closed the connection unexpectedly|socket hang up|read ECONNRESET|not queryable|in closed state/i;

function pgError(e: DriverError, where: string, user: string): DatabaseError | undefined {
  const message = e.message ?? '';
  switch (e.code) {
    case '28P01':
      return new DatabaseError(message, `set passwordEnv: VAR, or add ${where.replace(/\s.*$/, '')}:*:${user}:PASSWORD to ~/.pgpass (mode 0600)`, '28P01');
    case '28000':
      return new DatabaseError(message, 'check user: and the server\'s pg_hba.conf', '28000');
    case '3D000':
      return new DatabaseError(message, 'set database: to an existing database', '3D000');
    case '57014':
      return new DatabaseError(`statement timed out on the server (${where})`, 'the server is slow to answer statistics queries; the next tick tries again', '57014');
    case '55P03':
      return new DatabaseError(`a statistics query waited too long for a lock on the server (${where})`, 'something holds an exclusive lock on a catalog table; lock_timeout let opsdeck give up rather than queue behind it', '55P03');
    case '53300':
      return new DatabaseError(`too many connections (${where}): ${message}`, 'opsdeck needs one connection; raise max_connections or free a slot', '53300');
    case '57P01':
    case '57P02':
    case '57P03':
      return new DatabaseError(`${message} (${where})`, 'the server is shutting down or starting up', String(e.code));
  }
  if (/client password must be a string|password must be a string|no password/i.test(message)) {
    return new DatabaseError(`the server asks a password for user ${user} and none is configured (${where})`, 'set passwordEnv: VAR, or add the password to ~/.pgpass (mode 0600)', '28P01');
  }
  if (message === 'timeout expired' || /connection timeout/i.test(message)) return new DatabaseError(`connect timed out (${where})`, 'host down, firewalled, or the server is hung', 'ETIMEDOUT');
  return undefined;
}

function mysqlError(e: DriverError, where: string): DatabaseError | undefined {
  const message = e.sqlMessage ?? e.message ?? '';
  switch (e.code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new DatabaseError(`${message} (${where})`, 'set passwordEnv: VAR, or put user= and password= under [client] in ~/.my.cnf (mode 0600)', 'ER_ACCESS_DENIED_ERROR');
    case 'ER_BAD_DB_ERROR':
      return new DatabaseError(`${message} (${where})`, 'set database: to an existing database, or leave it out', String(e.code));
    case 'ER_CON_COUNT_ERROR':
      return new DatabaseError(`too many connections (${where})`, 'opsdeck needs one connection; raise max_connections or free a slot', String(e.code));
    case 'ER_STATEMENT_TIMEOUT':
    case 'ER_QUERY_TIMEOUT':
    case 'ER_QUERY_INTERRUPTED':
      return new DatabaseError(`statement timed out on the server (${where})`, 'the server is slow to answer statistics queries; the next tick tries again', String(e.code));
  }
  if (e.code === 'PROTOCOL_CONNECTION_LOST') return new DatabaseError(`connection lost (${where})`, undefined, 'ECONNRESET');
  if (typeof e.code === 'string' && e.code.startsWith('ER_')) return new DatabaseError(`${message} (${where})`, undefined, e.code);
  return undefined;
}

function redisError(e: DriverError, where: string): DatabaseError | undefined {
  const message = e.message ?? '';
  if (/^NOAUTH/.test(message)) return new DatabaseError(`the server wants a password (${where})`, 'set passwordEnv: VAR (and user: for an ACL user)', 'NOAUTH');
  if (/^WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    return new DatabaseError(`wrong user or password (${where})`, 'check passwordEnv: and user:', 'WRONGPASS');
  }
  if (/Command timed out/.test(message)) return new DatabaseError(`no answer from the server (${where})`, 'the server is hung or the network dropped; reconnecting on the next tick', 'ETIMEDOUT');
  if (/Stream isn't writeable|enableOfflineQueue/.test(message)) return new DatabaseError(`not connected (${where})`, undefined, 'ECONNRESET');
  if (/^NOPERM/.test(message)) return new DatabaseError(`${message} (${where})`, 'the ACL user needs +info +ping', 'NOPERM');
  return undefined;
}

/** The error to show for a driver failure; `where` is the described target. */
export function explainError(kind: DatabaseKind, error: unknown, where: string, user = ''): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as DriverError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && NETWORK[code]) {
    const [message, hint] = NETWORK[code](where);
    return new DatabaseError(message, hint, code);
  }
  if (/The server does not support SSL|server does not support secure|HANDSHAKE_NO_SSL_SUPPORT/i.test(`${e.message ?? ''} ${code ?? ''}`)) {
    return new DatabaseError(`the server does not offer TLS (${where})`, 'remove tls: from the entry, or enable TLS on the server', 'NOTLS');
  }
  if (code && /CERT|SELF_SIGNED|TLS|SSL|VERIFY|ISSUER|HOSTNAME/.test(code)) {
    return new DatabaseError(`TLS: ${e.message} (${where})`, 'set tls.ca to the CA file, tls.servername, or tls.verify: false', code);
  }
  const specific = kind === 'postgres' ? pgError(e, where, user) : kind === 'mysql' ? mysqlError(e, where) : redisError(e, where);
  if (specific) return specific;
  const message = e.message ?? String(error);
  if (CONNECTION_LOST.test(message)) return new DatabaseError(`connection lost (${where})`, undefined, 'ECONNRESET');
  return new DatabaseError(`${message} (${where})`, undefined, code);
}
