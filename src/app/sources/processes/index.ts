// processes: each host's top processes by CPU and by memory, every other tick (a `ps` costs more than /proc).
import type { ProcessSample } from '../../../domain/model.js';
import { hostSourceId, type SourceId } from '../../../domain/source-id.js';
import { safeText } from '../../apply.js';
import type { DataState } from '../../store.js';
import type { SourceKindModule } from '../kind.js';

function reduceProcesses(data: DataState, id: SourceId<'processes'>, raw: ProcessSample): DataState {
  const host = data.hosts[id.host];
  if (!host) return data;
  const clean = (list: ProcessSample['byCpu']) => list.map((p) => ({ ...p, name: safeText(p.name), user: safeText(p.user) }));
  const sample: ProcessSample = { ...raw, byCpu: clean(raw.byCpu), byMemory: clean(raw.byMemory) };
  return { ...data, hosts: { ...data.hosts, [id.host]: { ...host, processes: sample } } };
}

export const processesKind: SourceKindModule<'processes', ProcessSample> = {
  sources: ({ hosts }) => hosts.map(({ host, watch }) => ({ id: hostSourceId(host.name, 'processes'), label: 'processes', collect: { poll: watch.processes } })),
  reduce: reduceProcesses,
  snapshot: { hostJson: (_data, h) => ({ processes: h.processes ?? null }) },
};
