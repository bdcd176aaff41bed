// The doors operations act through. The runtime opens them onto services; operations see only these
// shapes, so an operation module never reaches I/O by import (panes may import the registry).
import type { AlertControl } from '../../domain/alerts.js';
import type { AuditEntry } from '../../domain/audit.js';
import type { BackupControl } from '../../domain/backup.js';
import type { DatabaseSample } from '../../domain/database.js';
import type { MaintenanceControl } from '../../domain/maintenance.js';
import type { ProcessControl } from '../../domain/process-control.js';
import type { ShellControl } from '../../domain/shell-command.js';
import type { UnitControl } from '../../domain/unit-control.js';

export type { AlertControl, BackupControl, MaintenanceControl, ProcessControl, ShellControl, UnitControl };

/** A watched database's admin side (src/services/db/source.ts implements it). */
export interface DatabaseAdmin {
  /** pg_cancel_backend / KILL QUERY: false when there is no such backend. */
  cancelBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  /** pg_terminate_backend / KILL / CLIENT KILL ID: false when there is no such backend. */
  terminateBackend(pid: number, signal: AbortSignal): Promise<boolean>;
  /** A fresh sample, read now: how an operation sees what it changed. */
  collect(signal: AbortSignal): Promise<DatabaseSample>;
}

/** An SSH host's connection. */
export interface SshHostControl {
  /** Files the key the host offered in known_hosts, then reconnects. */
  trustHostKey(): Promise<void>;
  /** Connects again now instead of waiting for the backoff. */
  reconnect(): void;
}

export interface OperationPorts {
  database(name: string): DatabaseAdmin | undefined;
  /** Undefined for a host that has no SSH connection (the local machine). */
  sshHost(name: string): SshHostControl | undefined;
  /** A watched host's systemd units (src/services/systemd/control.ts through its adapter). */
  units(host: string): UnitControl | undefined;
  /** A watched host's maintenance flag file; undefined for a host without `maintenance:`. */
  maintenance(host: string): MaintenanceControl | undefined;
  /** A watched host's processes (src/services/process-signal.ts through its adapter). */
  processes(host: string): ProcessControl | undefined;
  /** A watched host's shell, for the operator's commands (src/services/operator-command.ts, src/services/ssh/operator-command.ts). */
  shell(host: string): ShellControl | undefined;
  /** A configured database's backups (src/services/backup); undefined without `backup:`. */
  backup(database: string): BackupControl | undefined;
  /** Alertmanager's silences (src/services/alertmanager); absent, or undefined, without `alertmanager:`. */
  alertmanager?(): AlertControl | undefined;
}

/** Appends one audit record and flushes it to disk before resolving (src/services/audit.ts). */
export interface AuditTrail {
  append(record: AuditEntry): Promise<void>;
  /** Where the records go, for messages. */
  readonly location: string;
}
