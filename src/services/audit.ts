// The audit trail of operator operations: one JSON line per record, written and fsync'd before the
// caller goes on, so the record of an operation exists before the operation does anything.
import { mkdir, open, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { AuditEntry, AuditRecord } from '../domain/audit.js';
import { opsdeckStateDir } from './state-dir.js';

/** `$OPSDECK_AUDIT_LOG`, else `$XDG_STATE_HOME/opsdeck/audit.jsonl` (~/.local/state when unset). */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPSDECK_AUDIT_LOG) return env.OPSDECK_AUDIT_LOG;
  return join(opsdeckStateDir(env), 'audit.jsonl');
}

/** The operator: the OS user running opsdeck. */
export function currentUser(): string {
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
    ...(entry.incident !== undefined ? { incident: entry.incident } : {}),
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

/**
 * The trail the operation executor writes to. `incident` names the incident open at the time (read
 * per record: one may be opened from another terminal), which the record is tagged with.
 */
export function auditTrail(path: string = auditLogPath(), incident?: () => Promise<string | undefined>): { append(entry: AuditEntry): Promise<void>; location: string } {
  return {
    location: path,
    append: async (entry) => {
      const open = entry.incident ?? (await incident?.().catch(() => undefined));
      await auditAppend(open ? { ...entry, incident: open } : entry, path);
    },
  };
}

const isRecord = (value: unknown): value is AuditRecord => {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) && typeof r.id === 'string' && typeof r.action === 'string' && typeof r.outcome === 'string' && typeof r.user === 'string';
};

/** The records written between `from` and `to` (epoch ms); lines that are not records are skipped and counted. */
export async function readAudit(from: number, to: number, path: string = auditLogPath()): Promise<{ records: AuditRecord[]; skipped: number }> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const records: AuditRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (!isRecord(value)) skipped++;
    else if (Date.parse(value.at) >= from && Date.parse(value.at) <= to) records.push(value);
  }
  return { records, skipped };
}
