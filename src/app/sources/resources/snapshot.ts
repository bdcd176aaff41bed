// A host's resources in a snapshot: the sample with its levels and thresholds, CPU, memory and disks.
import { formatDuration } from '../../../domain/duration.js';
import type { ResourceSample } from '../../../domain/model.js';
import { gib, iso, pct } from '../../snapshot-format.js';
import type { SnapshotSections } from '../kind.js';
import { markdownTable } from '../../markdown-table.js';

function resourcesJson(r: ResourceSample | undefined) {
  if (!r) return null;
  return { at: iso(r.at), cpu: r.cpu, memory: r.memory, disks: r.disks, load: r.load, net: r.net, uptimeSec: r.uptimeSec };
}

export const resourcesSnapshot: SnapshotSections = {
  hostJson: (_data, h) => ({ levels: h.levels, thresholds: h.thresholds, resources: resourcesJson(h.resources) }),
  hostMarkdown: (_data, h) => {
    const r = h.resources;
    if (!r) return [];
    return [
      `- CPU ${r.cpu.totalPercent.toFixed(1)}% on ${r.cpu.perCorePercent.length} cores, load ${r.load.map((l) => l.toFixed(2)).join(' / ')}, up ${formatDuration(r.uptimeSec * 1000)}`,
      `- Memory ${r.memory.usedPercent.toFixed(1)}% (${gib(r.memory.usedBytes)} of ${gib(r.memory.totalBytes)}), ${r.memory.swapTotalBytes > 0 ? `swap ${gib(r.memory.swapUsedBytes)} of ${gib(r.memory.swapTotalBytes)}` : 'no swap'}`,
      '',
      ...markdownTable(['mount', { name: 'used', align: 'right' }, { name: 'size', align: 'right' }], r.disks.map((d) => [d.mount, `${d.usedPercent.toFixed(0)}%`, gib(d.sizeBytes)])),
    ];
  },
  hostText: (_data, h) => {
    const r = h.resources;
    if (!r) return [];
    return [`  cpu ${pct(r.cpu.totalPercent)}  mem ${pct(r.memory.usedPercent)}  load ${r.load.map((l) => l.toFixed(2)).join(' ')}`, ...r.disks.map((d) => `  disk ${d.mount} ${pct(d.usedPercent)} of ${gib(d.sizeBytes)}`)];
  },
};
