// Database operations as the cockpit runs them, without the screen: the backend picked from the
// source's last sample (as the Databases pane shows it), then the real executor with a real audit file.
import { databaseRows } from '../../src/app/database-rows.js';
import { databaseView } from '../../src/app/database-view.js';
import { OperationExecutor, type OperationResult } from '../../src/app/operations/executor.js';
import type { BackendParams } from '../../src/app/operations/database-backend.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { auditTrail } from '../../src/services/audit.js';
import type { DatabaseSource } from '../../src/services/db/index.js';

/** The row the operator would have selected for this pid (a bare one when the last sample lacks it). */
export function backendRow(source: DatabaseSource, pid: number): BackendParams {
  const view = databaseView({ name: source.name, kind: source.dbKind, target: source.target, levels: { overall: 'ok' }, thresholds: source.thresholds }, undefined, source.last);
  const row = databaseRows([{ ...view, status: 'ok' }], '').find((r) => r.pid === pid);
  if (!row) return { database: source.name, kind: source.dbKind, pid, user: '', db: '', durationSec: 0, state: '', wait: '', query: '', blockedBy: [], host: 'local', server: source.target };
  return { ...row, host: 'local', server: source.target };
}

export interface BackendRun {
  readOnly?: boolean;
  auditLog: string;
  events?: OpsEvent[];
}

export function runOnBackend(kind: 'db.cancel' | 'db.terminate', source: DatabaseSource, pid: number, options: BackendRun): Promise<OperationResult> {
  const executor = new OperationExecutor({
    ports: { database: (name) => (name === source.name ? source : undefined), sshHost: () => undefined, units: () => undefined, maintenance: () => undefined, processes: () => undefined, shell: () => undefined, backup: () => undefined },
    audit: auditTrail(options.auditLog),
    readOnly: options.readOnly ?? false,
    say: () => undefined,
    record: (event) => options.events?.push(event),
  });
  return executor.start({ kind, params: backendRow(source, pid) });
}

export const cancelQuery = (source: DatabaseSource, pid: number, options: BackendRun) => runOnBackend('db.cancel', source, pid, options);
export const terminateQuery = (source: DatabaseSource, pid: number, options: BackendRun) => runOnBackend('db.terminate', source, pid, options);
