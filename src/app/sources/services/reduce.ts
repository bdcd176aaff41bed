// A host's systemd units into the store; a unit that fails, recovers or restarts is an event.
import type { Level, OpsEvent, ServicesSample, UnitState } from '../../../domain/model.js';
import type { SourceId } from '../../../domain/source-id.js';
import { safeText, withEvents } from '../../apply.js';
import type { DataState } from '../../store.js';

function unitEvent(hostName: string, before: UnitState | undefined, after: UnitState, at: number): OpsEvent | undefined {
  if (!before || before.active === after.active) {
    if (before && (after.restarts ?? 0) > (before.restarts ?? 0)) {
      return { at, host: hostName, kind: 'unit', level: 'warn', message: `${after.name} restarted (${after.restarts} restarts)` };
    }
    return before || after.active !== 'failed' ? undefined : { at, host: hostName, kind: 'unit', level: 'crit', message: `${after.name} is failed` };
  }
  const level: Level | 'info' = after.active === 'failed' ? 'crit' : after.active === 'active' ? 'info' : 'warn';
  return { at, host: hostName, kind: 'unit', level, message: `${after.name} ${before.active} → ${after.active} (${after.sub})` };
}

export function reduceServices(data: DataState, id: SourceId<'services'>, raw: ServicesSample): DataState {
  const host = data.hosts[id.host];
  if (!host) return data;
  const sample: ServicesSample = {
    ...raw,
    units: raw.units.map((u) => ({ ...u, name: safeText(u.name), description: safeText(u.description), load: safeText(u.load), active: safeText(u.active), sub: safeText(u.sub) })),
  };
  const before = new Map(host.services?.units.map((u) => [u.name, u]));
  const events = sample.units.flatMap((unit) => unitEvent(id.host, before.get(unit.name), unit, sample.at) ?? []);
  return withEvents({ ...data, hosts: { ...data.hosts, [id.host]: { ...host, services: sample } } }, events);
}
