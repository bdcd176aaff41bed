// resources: each host's CPU, memory, disks, load and network, every tick; its levels colour the host.
import type { ResourceSample } from '../../../domain/model.js';
import { hostSourceId } from '../../../domain/source-id.js';
import type { SourceKindModule } from '../kind.js';
import { reduceResources } from './reduce.js';
import { resourcesSnapshot } from './snapshot.js';

export const resourcesKind: SourceKindModule<'resources', ResourceSample> = {
  // A host linked to Prometheus (`prometheus:`) has its figures from there (src/app/sources/prometheus).
  sources: ({ hosts }) => hosts.flatMap(({ host, watch }) => (host.prometheus === undefined ? [{ id: hostSourceId(host.name, 'resources'), label: 'resources', collect: { poll: watch.resources } }] : [])),
  // CPU and network are differences of two reads; over SSH a first read alone is the average since boot.
  rateIntervalMs: 1000,
  reduce: reduceResources,
  snapshot: resourcesSnapshot,
};
