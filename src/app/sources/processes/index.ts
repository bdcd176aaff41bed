// processes: each host's top processes by CPU and by memory, every other tick (a `ps` costs more than
// /proc), and only for the host whose list is on screen: Resources shows one host's list (none in a
// group view or on the wall), and on a 50-host fleet the other 49 hosts' two `ps` and a `sed` over
// every /proc/PID/stat each 5 s were most of what opsdeck asked of the hosts (docs/PERFORMANCE.md).
import type { ProcessSample } from '../../../domain/model.js';
import { hostSourceId, type SourceId } from '../../../domain/source-id.js';
import { safeText } from '../../apply.js';
import { selectedHost } from '../../scope.js';
import type { DataState } from '../../store.js';
import type { SourceKindModule } from '../kind.js';

function reduceProcesses(data: DataState, id: SourceId<'processes'>, raw: ProcessSample): DataState {
  const host = data.hosts[id.host];
  if (!host) return data;
  const clean = (list: ProcessSample['byCpu']) => list.map((p) => ({ ...p, name: safeText(p.name), user: safeText(p.user) }));
  const sample: ProcessSample = { ...raw, byCpu: clean(raw.byCpu), byMemory: clean(raw.byMemory) };
  return { ...data, hosts: { ...data.hosts, [id.host]: { ...host, processes: sample } } };
}

function withoutProcesses(data: DataState, name: string): DataState {
  const host = data.hosts[name];
  if (!host?.processes) return data;
  return { ...data, hosts: { ...data.hosts, [name]: { ...host, processes: undefined } } };
}

export const processesKind: SourceKindModule<'processes', ProcessSample> = {
  sources: ({ hosts, config }) =>
    hosts.map(({ host, watch }) => ({
      id: hostSourceId(host.name, 'processes'),
      label: 'processes',
      collect: { poll: watch.processes },
      shownOnly: {
        shown: ({ data, ui }) => !config.wall.on && !ui.group && selectedHost(data, ui) === host.name,
        hide: (data) => withoutProcesses(data, host.name),
      },
    })),
  reduce: reduceProcesses,
  snapshot: { hostJson: (_data, h) => ({ processes: h.processes ?? null }) },
};
