// Set (m) and clear (M) a host's maintenance flag file, then read it back: the flag is what the file
// says, not what the write returned. The keys work wherever a host is shown: in Hosts on the row under
// the cursor, elsewhere on the host the detail panes show (where its banner is).
import { durationThenWords, formatClock, formatDuration } from '../../domain/duration.js';
import { oneLine, type MaintenanceControl } from '../../domain/maintenance.js';
import { hostRows } from '../rows.js';
import { selectedHost } from '../scope.js';
import type { DataState, HostView, UiState } from '../store.js';
import type { OperationKind, OperationOutcome } from './types.js';

export interface MaintenanceParams {
  host: string;
  path: string;
  why: string;
  /** How long after it is set the flag shows as expired; absent: until cleared. */
  expiresInMs?: number;
}

/** The cockpit's confirmation takes no text: the reason says where it was set; `opsdeck maintenance --reason` is for more. */
export const COCKPIT_REASON = 'set from the opsdeck cockpit';
const TIMEOUT_MS = 15_000;

function targetHost(data: DataState, ui: UiState): HostView | { error: string } {
  if (ui.focus === 'hosts') {
    const row = hostRows(data, ui)[ui.cursor.hosts];
    return row ? row.host : { error: 'no host selected' };
  }
  if (ui.group) return { error: `group ${ui.group} is in view: pick one host in Hosts (1) for its maintenance flag` };
  return data.hosts[selectedHost(data, ui)] ?? { error: 'no host selected' };
}

function selectedFlag(data: DataState, ui: UiState): { host: string; path: string; expiresInMs?: number } | { error: string } {
  const host = targetHost(data, ui);
  if ('error' in host) return host;
  const path = host.maintenancePath;
  if (!path) return { error: `${host.name}: no maintenance flag configured (hosts.${host.name}.maintenance: PATH)` };
  return { host: host.name, path, ...(host.maintenanceExpiryMs === undefined ? {} : { expiresInMs: host.maintenanceExpiryMs }) };
}

const expiryWords = (p: MaintenanceParams): string => (p.expiresInMs === undefined ? 'no expiry' : `expires ${formatDuration(p.expiresInMs)} after it is set`);

async function setFlag(p: MaintenanceParams, flag: MaintenanceControl, signal: AbortSignal): Promise<OperationOutcome> {
  const at = Date.now();
  const expiresAt = p.expiresInMs === undefined ? undefined : at + p.expiresInMs;
  await flag.set({ at, why: p.why, ...(expiresAt === undefined ? {} : { expiresAt }) }, signal);
  const content = await flag.read(signal);
  const expiry = expiresAt === undefined ? undefined : `expires: ${new Date(expiresAt).toISOString()}`;
  if (content === undefined || !content.includes(`why: ${oneLine(p.why)}\n`) || (expiry !== undefined && !content.includes(expiry))) {
    return { outcome: 'failed', message: `${p.host}: maintenance flag ${p.path} written but not read back${content === undefined ? ' (absent)' : ''}` };
  }
  const until = expiresAt === undefined ? 'no expiry' : `until ${formatClock(expiresAt)} (${formatDuration(p.expiresInMs!)})`;
  return { outcome: 'ok', message: `${p.host}: maintenance flag set (${p.path}, verified), ${until}` };
}

async function clearFlag(p: MaintenanceParams, flag: MaintenanceControl, signal: AbortSignal): Promise<OperationOutcome> {
  await flag.clear(signal);
  if ((await flag.read(signal)) !== undefined) return { outcome: 'failed', message: `${p.host}: maintenance flag ${p.path} still there after removing it` };
  return { outcome: 'ok', message: `${p.host}: maintenance flag cleared (${p.path}, verified absent)` };
}

/** What the operator typed: the expiry (a duration with its unit, or 0 for none), then why, as the silence dialog takes them ("2h DB migration"). */
function withExpiry(p: MaintenanceParams, text: string): { params: MaintenanceParams } | { error: string } {
  const { first, ms, words } = durationThenWords(text);
  const why = words === '' ? p.why : words;
  if (first === '0') {
    const never = { ...p, why };
    delete never.expiresInMs;
    return { params: never };
  }
  return ms === undefined ? { error: `"${first}" is not a duration: type one such as 30m or 2h (0: no expiry), then why, or Esc` } : { params: { ...p, why, expiresInMs: ms } };
}

function maintenanceOperation(on: boolean): OperationKind<MaintenanceParams> {
  return {
    key: on
      ? { context: 'global', binding: 'maintenance-on', help: "set the maintenance flag file (who, when, why, optional expiry) of the selected host, or of the host shown; then read it back" }
      : { context: 'global', binding: 'maintenance-off', help: 'clear the maintenance flag file of the selected host, or of the host shown; then check it is gone' },
    changesOutside: true,
    fromSelection(data, ui) {
      const selected = selectedFlag(data, ui);
      return 'error' in selected ? selected : { params: { ...selected, why: COCKPIT_REASON } };
    },
    describe: (p) => ({
      title: `${on ? 'set' : 'clear'} maintenance on ${p.host}`,
      lines: on ? [`writes ${p.path}: who (your login), when (now), why: ${p.why}; ${expiryWords(p)}`] : [`removes ${p.path}`],
      host: p.host,
      target: `maintenance:${p.host}`,
      detail: { path: p.path, ...(on ? { why: p.why, expiresInMs: p.expiresInMs ?? null } : {}) },
    }),
    confirmation: (p) =>
      on ? { kind: 'value', label: 'expires in', placeholder: p.expiresInMs === undefined ? 'no expiry' : formatDuration(p.expiresInMs), hint: '2h [why] (0: none)' } : { kind: 'yes' },
    ...(on ? { withValue: withExpiry } : {}),
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
