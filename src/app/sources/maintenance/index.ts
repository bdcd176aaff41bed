// maintenance: whether a host's maintenance flag file exists (hosts with `maintenance: PATH` only).
import type { OpsEvent } from '../../../domain/model.js';
import { hostSourceId, type SourceId } from '../../../domain/source-id.js';
import { withEvents } from '../../apply.js';
import type { DataState } from '../../store.js';
import type { KindSource, ReduceContext, SourceKindModule } from '../kind.js';

function reduceMaintenance(data: DataState, id: SourceId<'maintenance'>, on: boolean, { at }: ReduceContext): DataState {
  const host = data.hosts[id.host];
  if (!host || host.maintenanceOn === on) return data;
  // Learning at start-up that the flag is not set is no news.
  const events: OpsEvent[] =
    host.maintenanceOn === undefined && !on
      ? []
      : [{ at, host: id.host, kind: 'action', level: on ? 'warn' : 'info', message: `maintenance flag ${on ? 'set' : 'cleared'} (${host.maintenancePath})` }];
  return withEvents({ ...data, hosts: { ...data.hosts, [id.host]: { ...host, maintenanceOn: on } } }, events);
}

export const maintenanceKind: SourceKindModule<'maintenance', boolean> = {
  sources: ({ hosts }) =>
    hosts.flatMap(({ host, watch }): KindSource<'maintenance', boolean>[] =>
      watch.maintenance ? [{ id: hostSourceId(host.name, 'maintenance'), label: 'maintenance flag', collect: { poll: watch.maintenance } }] : [],
    ),
  reduce: reduceMaintenance,
  snapshot: { hostJson: (_data, h) => ({ maintenance: h.maintenancePath ? { path: h.maintenancePath, on: h.maintenanceOn ?? null } : null }) },
};
