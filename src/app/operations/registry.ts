// Every operation kind, by the name its audit records carry. A new kind is its module, one line here
// and its key in keymaps/default.yaml.
import { runAction } from './action.js';
import { expireSilence, silenceAlert } from './alert.js';
import { backupDatabase, restoreBackup, testRestoreBackup } from './backup.js';
import { cancelQuery, terminateQuery } from './database-backend.js';
import { maintenanceOff, maintenanceOn } from './maintenance.js';
import { killProcess, termProcess } from './process.js';
import { reconnectHost, trustHostKey } from './ssh-host.js';
import { reloadUnit, restartUnit, startUnit, stopUnit } from './unit.js';
import type { Confirmation, OperationDescription, OperationKind, OperationOutcome, OperationOutput } from './types.js';
import type { OperationPorts } from './ports.js';

export const OPERATIONS = {
  'db.cancel': cancelQuery,
  'db.terminate': terminateQuery,
  'db.backup': backupDatabase,
  'db.test-restore': testRestoreBackup,
  'db.restore': restoreBackup,
  'host.trust-key': trustHostKey,
  'host.reconnect': reconnectHost,
  'host.maintenance-on': maintenanceOn,
  'host.maintenance-off': maintenanceOff,
  'unit.restart': restartUnit,
  'unit.reload': reloadUnit,
  'unit.start': startUnit,
  'unit.stop': stopUnit,
  'process.term': termProcess,
  'process.kill': killProcess,
  'alert.silence': silenceAlert,
  'alert.expire-silence': expireSilence,
  'action.run': runAction,
} as const;

export type OperationName = keyof typeof OPERATIONS;

type ParamsOf<T> = T extends OperationKind<infer P> ? P : never;

/** An operation as data (serialisable): what the store holds while it waits for the operator's yes. */
export type Operation = { [K in OperationName]: { kind: K; params: ParamsOf<(typeof OPERATIONS)[K]> } }[OperationName];

/** An operation with its kind's behaviour bound to its parameters. */
export interface BoundOperation {
  operation: Operation;
  changesOutside: boolean;
  description: OperationDescription;
  confirmation: Confirmation;
  run(ports: OperationPorts, signal: AbortSignal, progress: (text: string) => void, output: OperationOutput): Promise<OperationOutcome>;
}

export function bind(operation: Operation): BoundOperation {
  // TypeScript cannot correlate `kind` with `params` across the union; every Operation is built from its
  // own kind's fromSelection (or typed as that kind in a test), so the pair always matches.
  const kind = OPERATIONS[operation.kind] as OperationKind<unknown>;
  return {
    operation,
    changesOutside: kind.changesOutside,
    description: kind.describe(operation.params),
    confirmation: kind.confirmation(operation.params),
    run: (ports, signal, progress, output) => kind.run(operation.params, ports, signal, progress, output),
  };
}

/** The operation a key asks for, built from what is selected, or why there is nothing to act on. */
export function operationFromSelection(name: OperationName, ...selection: Parameters<NonNullable<OperationKind<unknown>['fromSelection']>>): Operation | { error: string } {
  const fromSelection = (OPERATIONS[name] as OperationKind<unknown>).fromSelection;
  if (!fromSelection) return { error: `${name} is not started from a selection` };
  const built = fromSelection(...selection);
  return 'error' in built ? built : ({ kind: name, params: built.params } as Operation);
}

/** The operation with the value typed in its confirmation, or why that value will not do. */
export function withConfirmedValue(operation: Operation, text: string): Operation | { error: string } {
  const kind = OPERATIONS[operation.kind] as OperationKind<unknown>;
  if (!kind.withValue) return { error: `${operation.kind} takes no value` };
  const read = kind.withValue(operation.params, text);
  return 'error' in read ? read : ({ kind: operation.kind, params: read.params } as Operation);
}
