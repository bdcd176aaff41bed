// Resources of the machine opsdeck runs on, through systeminformation, in the shape every host uses.
import { loadavg, uptime } from 'node:os';
import { loadSysteminformation } from '../libraries.js';
import { TOP_PROCESSES, type DiskStat, type ProcessSample, type ResourceSample } from '../../domain/model.js';

// Pseudo and image filesystems say nothing about space an operator can run out of.
const IGNORED_FS_TYPES = new Set(['tmpfs', 'devtmpfs', 'squashfs', 'overlay', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'nsfs', 'ramfs', 'iso9660']);

export function isPseudoFilesystem(type: string): boolean {
  return IGNORED_FS_TYPES.has(type);
}

export function usefulDisks(disks: readonly DiskStat[]): DiskStat[] {
  const seen = new Set<string>();
  return disks.filter((d) => {
    if (isPseudoFilesystem(d.type) || d.sizeBytes <= 0 || seen.has(d.mount)) return false;
    seen.add(d.mount);
    return true;
  });
}

export async function collectLocalResources(): Promise<ResourceSample> {
  const si = await loadSysteminformation();
  const [load, mem, fs, net] = await Promise.all([si.currentLoad(), si.mem(), si.fsSize(), si.networkStats('*')]);
  const [l1, l5, l15] = loadavg() as [number, number, number];
  // "available" is what the kernel can hand out without swapping: used = total - available, as in free(1).
  const usedBytes = mem.total - mem.available;
  const external = net.filter((n) => n.iface !== 'lo');
  return {
    at: Date.now(),
    cpu: { totalPercent: load.currentLoad, perCorePercent: load.cpus.map((c) => c.load) },
    memory: {
      totalBytes: mem.total,
      usedBytes,
      usedPercent: mem.total > 0 ? (usedBytes / mem.total) * 100 : 0,
      swapTotalBytes: mem.swaptotal,
      swapUsedBytes: mem.swapused,
    },
    disks: usefulDisks(
      fs.map((f) => ({ mount: f.mount, fs: f.fs, type: f.type, sizeBytes: f.size, usedBytes: f.used, usedPercent: f.use ?? 0 })),
    ),
    load: [l1, l5, l15],
    net: {
      rxBytesPerSec: external.reduce((sum, n) => sum + (n.rx_sec ?? 0), 0),
      txBytesPerSec: external.reduce((sum, n) => sum + (n.tx_sec ?? 0), 0),
    },
    uptimeSec: uptime(),
  };
}


export async function collectLocalProcesses(): Promise<ProcessSample> {
  const { list } = await (await loadSysteminformation()).processes();
  const rows = list.map((p) => ({ pid: p.pid, name: p.name, user: p.user, cpuPercent: p.cpu, memBytes: p.memRss * 1024 }));
  return {
    at: Date.now(),
    byCpu: [...rows].sort((a, b) => b.cpuPercent - a.cpuPercent).slice(0, TOP_PROCESSES),
    byMemory: [...rows].sort((a, b) => b.memBytes - a.memBytes).slice(0, TOP_PROCESSES),
  };
}
