// The audit trail's record: one JSON line per step of an operator's operation (before it runs, and
// its outcome after), or one for an operation refused before it ran.

export type AuditOutcome = 'started' | 'ok' | 'refused' | 'failed' | 'not-found' | 'cancelled';

export interface AuditEntry {
  /** One id per attempt: the record written before it runs and the one after share it. */
  id: string;
  /** Dotted verb: db.cancel, db.terminate, host.trust-key, unit.restart... */
  action: string;
  /** What it acted on: "db:main pid 4242", "web1 nginx.service". */
  target: string;
  /** The host it acted on or through. */
  host: string;
  /** What the operator saw when deciding (never a secret). */
  detail?: Record<string, unknown>;
  outcome: AuditOutcome;
  error?: string;
  /** What it produced (a backup's file and sha256), on the outcome's record. */
  result?: Record<string, unknown>;
  /** The incident open when it ran (src/domain/incident.ts). */
  incident?: string;
}

export interface AuditRecord extends AuditEntry {
  /** ISO 8601 time of the step. */
  at: string;
  /** The operator (OS user running opsdeck). */
  user: string;
}
