// Cancel and terminate a database backend on the operator's request: refused in read-only mode, and
// every attempt (done, refused or failed) leaves an audit record.
import { auditAppend, auditLogPath, type AuditOutcome, type AuditRecord } from '../audit.js';
import type { DatabaseSource } from './source.js';
import type { DatabaseSample } from '../../domain/database.js';

export interface AdminOptions {
  /** opsdeck runs --read-only: refuse (the app refuses first; this is the second lock). */
  readOnly: boolean;
  /** The operator; default the OS user. */
  user?: string;
  /** Audit log file; default $OPSDECK_AUDIT_LOG or $XDG_STATE_HOME/opsdeck/audit.jsonl. */
  auditLog?: string;
  /** Default 10 s (waits for a tick in flight on the same connection). */
  timeoutMs?: number;
}

export interface AdminResult {
  outcome: AuditOutcome;
  /** One line for the status bar: "cancelled pid 4242 on main". */
  message: string;
  record: AuditRecord;
}

/** Query text for the audit log: string literals (where passwords hide) become '?', even one cut short. */
export function redactLiterals(query: string, kind: DatabaseSample['kind']): string {
  const quotes = kind === 'mysql' ? `'"` : "'";
  let out = '';
  let i = 0;
  while (i < query.length) {
    const ch = query[i] ?? '';
    const dollar = kind === 'postgres' && ch === '$' ? /^\$([A-Za-z_]\w*)?\$/.exec(query.slice(i)) : null;
    if (dollar) {
      const close = query.indexOf(dollar[0], i + dollar[0].length);
      out += "'?'";
      i = close < 0 ? query.length : close + dollar[0].length;
      continue;
    }
    if (!quotes.includes(ch)) {
      out += ch;
      i++;
      continue;
    }
    let j = i + 1;
    for (; j < query.length; j++) {
      if (query[j] === '\\') j++;
      else if (query[j] === ch) {
        if (query[j + 1] === ch) j++;
        else break;
      }
    }
    out += j < query.length ? `${ch}?${ch}` : `${ch}?`;
    i = j + 1;
  }
  return out.slice(0, 500);
}

/** What the operator saw of that backend in the last sample. */
function describeBackend(sample: DatabaseSample | undefined, pid: number): Record<string, unknown> {
  if (!sample) return { pid };
  if (sample.kind === 'postgres') {
    const b = sample.queries.find((q) => q.pid === pid);
    return b ? { pid, user: b.user, database: b.database, state: b.state, durationSec: Math.round(b.durationSec), query: redactLiterals(b.query, 'postgres') } : { pid };
  }
  if (sample.kind === 'mysql') {
    const p = sample.processes.find((q) => q.id === pid);
    return p ? { pid, user: p.user, database: p.db, state: p.state || p.command, durationSec: Math.round(p.timeSec), query: redactLiterals(p.query, 'mysql') } : { pid };
  }
  return { pid };
}

const VERB: Record<'cancel' | 'terminate', { action: string; done: string }> = {
  cancel: { action: 'db.cancel', done: 'cancelled the query of' },
  terminate: { action: 'db.terminate', done: 'terminated' },
};

async function act(which: 'cancel' | 'terminate', source: DatabaseSource, pid: number, options: AdminOptions): Promise<AdminResult> {
  const { action, done } = VERB[which];
  const target = `${source.id} pid ${pid}`;
  const detail = { kind: source.dbKind, server: source.target, ...describeBackend(source.last, pid) };
  let outcome: AuditOutcome;
  let message: string;
  let error: string | undefined;
  if (options.readOnly) {
    outcome = 'refused';
    message = `refused: opsdeck runs read-only (${which} pid ${pid} on ${source.name})`;
  } else if (!Number.isInteger(pid) || pid <= 0 || pid > 2 ** 31 - 1) {
    outcome = 'refused';
    message = `refused: ${pid} is not a backend id`;
  } else {
    try {
      const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
      const found = await (which === 'cancel' ? source.cancelBackend(pid, signal) : source.terminateBackend(pid, signal));
      outcome = found ? 'ok' : 'not-found';
      message = found ? `${done} pid ${pid} on ${source.name}` : `no backend ${pid} on ${source.name} (it may have finished)`;
    } catch (failure) {
      outcome = 'failed';
      error = failure instanceof Error ? failure.message : String(failure);
      message = `${which} pid ${pid} on ${source.name} failed: ${error}`;
    }
  }
  const path = options.auditLog ?? auditLogPath();
  let record: AuditRecord;
  try {
    record = await auditAppend({ action, target, detail, outcome, ...(options.user ? { user: options.user } : {}), ...(error !== undefined ? { error } : {}) }, path);
  } catch (failure) {
    throw new Error(`${message}; but the audit record could not be written to ${path}: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
  }
  return { outcome, message, record };
}

/** pg_cancel_backend / KILL QUERY: the backend's running statement fails, its session stays. */
export function cancelQuery(source: DatabaseSource, pid: number, options: AdminOptions): Promise<AdminResult> {
  return act('cancel', source, pid, options);
}

/** pg_terminate_backend / KILL / CLIENT KILL ID: the backend's whole session ends. */
export function terminateQuery(source: DatabaseSource, pid: number, options: AdminOptions): Promise<AdminResult> {
  return act('terminate', source, pid, options);
}
