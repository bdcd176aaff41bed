// Set (m) and clear (M) the selected host's maintenance flag file, then read it back: the flag is
// what the file says, not what the write returned.
import { oneLine, type MaintenanceControl } from '../../domain/maintenance.js';
import { hostRows } from '../rows.js';
import type { DataState, UiState } from '../store.js';
import type { OperationKind, OperationOutcome } from './types.js';

export interface MaintenanceParams {
  host: string;
  path: string;
  why: string;
  /** Epoch ms the flag stops counting; absent: until cleared. */
  expiresAt?: number;
}

/** The cockpit's confirmation takes no text: the reason says where it was set; `opsdeck maintenance --reason` is for more. */
export const COCKPIT_REASON = 'set from the opsdeck cockpit';
const TIMEOUT_MS = 15_000;

function selectedHost(data: DataState, ui: UiState): { host: string; path: string } | { error: string } {
  const row = hostRows(data, ui)[ui.cursor.hosts];
  if (!row) return { error: 'no host selected' };
  const path = row.host.maintenancePath;
  if (!path) return { error: `${row.host.name}: no maintenance flag configured (hosts.${row.host.name}.maintenance: PATH)` };
  return { host: row.host.name, path };
}

async function setFlag(p: MaintenanceParams, flag: MaintenanceControl, signal: AbortSignal): Promise<OperationOutcome> {
  await flag.set({ at: Date.now(), why: p.why, ...(p.expiresAt !== undefined ? { expiresAt: p.expiresAt } : {}) }, signal);
  const content = await flag.read(signal);
  const expected = [`why: ${oneLine(p.why)}\n`, ...(p.expiresAt !== undefined ? [`expires: ${new Date(p.expiresAt).toISOString()}\n`] : [])];
  if (content === undefined || !expected.every((line) => content.includes(line))) return { outcome: 'failed', message: `${p.host}: maintenance flag ${p.path} written but not read back${content === undefined ? ' (absent)' : ''}` };
  const until = p.expiresAt !== undefined ? `, expires ${new Date(p.expiresAt).toISOString()}` : '';
  return { outcome: 'ok', message: `${p.host}: maintenance flag set (${p.path}${until}, verified)` };
}

async function clearFlag(p: MaintenanceParams, flag: MaintenanceControl, signal: AbortSignal): Promise<OperationOutcome> {
  await flag.clear(signal);
  if ((await flag.read(signal)) !== undefined) return { outcome: 'failed', message: `${p.host}: maintenance flag ${p.path} still there after removing it` };
  return { outcome: 'ok', message: `${p.host}: maintenance flag cleared (${p.path}, verified absent)` };
}

function maintenanceOperation(on: boolean): OperationKind<MaintenanceParams> {
  return {
    key: on
      ? { context: 'hosts', binding: 'maintenance-on', help: 'set the selected host\'s maintenance flag file (who, when, why), then read it back' }
      : { context: 'hosts', binding: 'maintenance-off', help: 'clear the selected host\'s maintenance flag file, then check it is gone' },
    changesOutside: true,
    fromSelection(data, ui) {
      const selected = selectedHost(data, ui);
      return 'error' in selected ? selected : { params: { ...selected, why: COCKPIT_REASON } };
    },
    describe: (p) => ({
      title: `${on ? 'set' : 'clear'} maintenance on ${p.host}`,
      lines: on ? [`writes ${p.path}: who (your login), when (now), why: ${p.why}${p.expiresAt !== undefined ? `, expires ${new Date(p.expiresAt).toISOString()}` : ''}`] : [`removes ${p.path}`],
      host: p.host,
      target: `maintenance:${p.host}`,
      detail: { path: p.path, ...(on ? { why: p.why } : {}), ...(on && p.expiresAt !== undefined ? { expiresAt: new Date(p.expiresAt).toISOString() } : {}) },
    }),
    confirmation: () => ({ kind: 'yes' }),
    async run(p, ports, signal) {
      const flag = ports.maintenance(p.host);
      if (!flag) return { outcome: 'failed', message: `${p.host}: no maintenance flag configured` };
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]);
      return on ? setFlag(p, flag, bounded) : clearFlag(p, flag, bounded);
    },
  };
}

export const maintenanceOn = maintenanceOperation(true);
export const maintenanceOff = maintenanceOperation(false);
