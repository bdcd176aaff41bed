// The audit trail of operator actions: one JSON line per attempt (done, refused or failed), written
// and fsync'd before the caller goes on, so a record survives the crash that may follow the action.
import { mkdir, open } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export type AuditOutcome = 'ok' | 'refused' | 'failed' | 'not-found';

export interface AuditRecord {
  /** ISO 8601 time of the attempt. */
  at: string;
  /** The operator (OS user running opsdeck). */
  user: string;
  /** Dotted verb: db.cancel, db.terminate, unit.restart... */
  action: string;
  /** What it acted on: "db:main pid 4242", "web1 nginx.service". */
  target: string;
  /** What the operator saw when deciding (never a secret). */
  detail?: Record<string, unknown>;
  outcome: AuditOutcome;
  error?: string;
}

export type AuditInput = Omit<AuditRecord, 'at' | 'user'> & Partial<Pick<AuditRecord, 'at' | 'user'>>;

/** `$OPSDECK_AUDIT_LOG`, else `$XDG_STATE_HOME/opsdeck/audit.jsonl` (~/.local/state when unset). */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPSDECK_AUDIT_LOG) return env.OPSDECK_AUDIT_LOG;
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'opsdeck', 'audit.jsonl');
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
}

/** Appends one record and flushes it to disk; returns the full record as written. */
export async function auditAppend(input: AuditInput, path: string = auditLogPath()): Promise<AuditRecord> {
  const record: AuditRecord = {
    at: input.at ?? new Date().toISOString(),
    user: input.user ?? currentUser(),
    action: input.action,
    target: input.target,
    ...(input.detail !== undefined ? { detail: input.detail } : {}),
    outcome: input.outcome,
    ...(input.error !== undefined ? { error: input.error } : {}),
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const file = await open(path, 'a', 0o600);
  try {
    await file.appendFile(`${JSON.stringify(record)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  return record;
}
