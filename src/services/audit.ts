// The audit trail of operator operations: one JSON line per record, written and fsync'd before the
// caller goes on, so the record of an operation exists before the operation does anything.
import { mkdir, open } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { AuditEntry, AuditRecord } from '../domain/audit.js';
import { opsdeckStateDir } from './state-dir.js';

/** `$OPSDECK_AUDIT_LOG`, else `$XDG_STATE_HOME/opsdeck/audit.jsonl` (~/.local/state when unset). */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPSDECK_AUDIT_LOG) return env.OPSDECK_AUDIT_LOG;
  return join(opsdeckStateDir(env), 'audit.jsonl');
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
}

/** Appends one record and flushes it to disk; returns the full record as written. */
export async function auditAppend(entry: AuditEntry & Partial<Pick<AuditRecord, 'at' | 'user'>>, path: string = auditLogPath()): Promise<AuditRecord> {
  const record: AuditRecord = {
    at: entry.at ?? new Date().toISOString(),
    user: entry.user ?? currentUser(),
    id: entry.id,
    action: entry.action,
    target: entry.target,
    host: entry.host,
    ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
    outcome: entry.outcome,
    ...(entry.error !== undefined ? { error: entry.error } : {}),
    ...(entry.result !== undefined ? { result: entry.result } : {}),
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

/** The trail the operation executor writes to. */
export function auditTrail(path: string = auditLogPath()): { append(entry: AuditEntry): Promise<void>; location: string } {
  return { location: path, append: async (entry) => void (await auditAppend(entry, path)) };
}
