// A host's resources and top processes from one batched shell command each, read from /proc, df and
// ps and parsed here, into the shapes the local collector produces (which reads /proc with the same
// parsers). No agent on the host.
import { TOP_PROCESSES, type DiskStat, type ProcessSample, type ProcessStat, type ResourceSample } from '../../domain/model.js';
import { usefulDisks } from '../local/resources.js';

/**
 * One command per tick for everything the resources pane shows. The five /proc files are read by one
 * awk, each under its section's name (/proc/net/dev is "netdev"), /proc/stat's cpu lines only: a
 * process per file cost the watched host five forks a tick, which a fleet watched from one machine
 * felt (docs/PERFORMANCE.md). df runs under timeout(1) where there is one: a dead NFS mount would
 * otherwise hang the whole probe.
 */
export const RESOURCE_PROBE = [
  'LC_ALL=C; export LC_ALL',
  `awk 'FNR == 1 { name = FILENAME; sub("^/proc/", "", name); gsub("/", "", name); print "@" name } FILENAME != "/proc/stat" || /^cpu/' /proc/stat /proc/meminfo /proc/loadavg /proc/net/dev /proc/uptime`,
  'echo @df; if command -v timeout >/dev/null 2>&1; then timeout 3 df -P -k -T; else df -P -k -T; fi 2>/dev/null',
  'echo @end',
].join('\n');

export interface CpuTimes {
  busy: number;
  total: number;
}

/** What one probe read: counters, not yet rates. */
export interface ResourceReading {
  /** Index 0 is the whole machine, then one per core. */
  cpu: CpuTimes[];
  memory: ResourceSample['memory'];
  load: [number, number, number];
  /** Cumulative bytes per interface, loopback left out. */
  net: Map<string, { rx: number; tx: number }>;
  uptimeSec: number;
  disks: DiskStat[];
}

export class ProbeError extends Error {
  override name = 'ProbeError';
}

/** Splits `@name` sections; a missing `@end` means the output was cut short. */
export function sections(output: string, required: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const marker = /^@([a-z]+)(?:\s|$)/.exec(line);
    if (marker) {
      current = [];
      found.set(marker[1]!, current);
      if (line.length > marker[0].length) current.push(line.slice(marker[0].length).trim());
      continue;
    }
    current?.push(line);
  }
  if (!found.has('end')) throw new ProbeError('probe output cut short');
  for (const name of required) if (!found.has(name)) throw new ProbeError(`probe output has no ${name} section`);
  return found;
}

export function parseCpu(lines: readonly string[]): CpuTimes[] {
  const cpus: CpuTimes[] = [];
  for (const line of lines) {
    const match = /^cpu(\d*)\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[2]!.split(/\s+/).map(Number);
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    const index = match[1] === '' ? 0 : Number(match[1]) + 1;
    cpus[index] = { busy: total - idle - iowait, total };
  }
  if (!cpus[0]) throw new ProbeError('no cpu line in /proc/stat');
  return cpus;
}

function parseMeminfo(lines: readonly string[]): ResourceSample['memory'] {
  const kb = new Map<string, number>();
  for (const line of lines) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)/.exec(line);
    if (match) kb.set(match[1]!, Number(match[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (!total) throw new ProbeError('no MemTotal in /proc/meminfo');
  // MemAvailable exists since Linux 3.14; before it, free + buffers + page cache is the usual estimate.
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  const usedBytes = Math.max(0, total - available);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  return {
    totalBytes: total,
    usedBytes,
    usedPercent: (usedBytes / total) * 100,
    swapTotalBytes: swapTotal,
    swapUsedBytes: Math.max(0, swapTotal - (kb.get('SwapFree') ?? 0)),
  };
}

function parseLoad(lines: readonly string[]): [number, number, number] {
  const [a, b, c] = (lines[0] ?? '').trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => Number.isFinite(n))) throw new ProbeError('unreadable /proc/loadavg');
  return [a!, b!, c!];
}

function parseNetDev(lines: readonly string[]): Map<string, { rx: number; tx: number }> {
  const net = new Map<string, { rx: number; tx: number }>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (iface === 'lo' || iface === '' || fields.length < 9) continue;
    net.set(iface, { rx: fields[0]!, tx: fields[8]! });
  }
  return net;
}

// df -P -T: "Filesystem Type 1024-blocks Used Available Capacity Mounted on"; the device name may
// hold spaces, the mount point too, so both ends are anchored on the numeric columns.
const DF_LINE = /^(.+?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/;

function parseDf(lines: readonly string[]): DiskStat[] {
  const disks: DiskStat[] = [];
  for (const line of lines) {
    const match = DF_LINE.exec(line);
    if (!match) continue;
    const size = Number(match[3]) * 1024;
    disks.push({ fs: match[1]!, type: match[2]!, sizeBytes: size, usedBytes: Number(match[4]) * 1024, usedPercent: Number(match[6]), mount: match[7]! });
  }
  return usefulDisks(disks);
}

export function parseResourceProbe(output: string): ResourceReading {
  const found = sections(output, ['stat', 'meminfo', 'loadavg', 'netdev', 'uptime', 'df']);
  const uptime = Number((found.get('uptime')![0] ?? '').trim().split(/\s+/)[0]);
  if (!Number.isFinite(uptime)) throw new ProbeError('unreadable /proc/uptime');
  return {
    cpu: parseCpu(found.get('stat')!),
    memory: parseMeminfo(found.get('meminfo')!),
    load: parseLoad(found.get('loadavg')!),
    net: parseNetDev(found.get('netdev')!),
    uptimeSec: uptime,
    disks: parseDf(found.get('df')!),
  };
}

function cpuPercent(now: CpuTimes | undefined, before: CpuTimes | undefined): number {
  if (!now) return 0;
  const busy = now.busy - (before?.busy ?? 0);
  const total = now.total - (before?.total ?? 0);
  return total > 0 ? Math.min(100, Math.max(0, (busy / total) * 100)) : 0;
}

/**
 * CPU percentages and network rates are differences between two readings: this keeps one host's
 * previous reading. The first sample shows CPU since boot and no network rate. Time is the host's
 * own /proc/uptime, so network latency does not bend the rates.
 */
export class ResourceRates {
  private previous: ResourceReading | undefined;

  next(reading: ResourceReading, at = Date.now()): ResourceSample {
    const before = this.previous && reading.uptimeSec > this.previous.uptimeSec ? this.previous : undefined;
    this.previous = reading;
    const seconds = before ? reading.uptimeSec - before.uptimeSec : 0;
    let rx = 0;
    let tx = 0;
    if (before && seconds > 0) {
      for (const [iface, counters] of reading.net) {
        const old = before.net.get(iface);
        if (!old) continue;
        // A counter that went down was reset (interface recreated): that interval counts as nothing.
        rx += Math.max(0, counters.rx - old.rx);
        tx += Math.max(0, counters.tx - old.tx);
      }
    }
    return {
      at,
      cpu: {
        totalPercent: cpuPercent(reading.cpu[0], before?.cpu[0]),
        perCorePercent: reading.cpu.slice(1).map((core, i) => cpuPercent(core, before?.cpu[i + 1])),
      },
      memory: reading.memory,
      disks: reading.disks,
      load: reading.load,
      net: { rxBytesPerSec: seconds > 0 ? rx / seconds : 0, txBytesPerSec: seconds > 0 ? tx / seconds : 0 },
      uptimeSec: reading.uptimeSec,
    };
  }
}


/**
 * Every process: who it is from ps (pid, parent, user, resident KiB, name) and the CPU ticks it has
 * used from /proc/PID/stat (utime and stime, fields 14 and 15, after a name that may hold spaces and
 * parentheses: the greedy `(.*)` ends at its last one), with /proc/stat's cpu line as the clock. Two
 * readings make a rate (ProcessRates), so the CPU % is what a process uses now, as top and htop show,
 * not ps's average over its whole life. The probe's own shell and its children are left out.
 */
export const PROCESS_PROBE = [
  'LC_ALL=C; export LC_ALL',
  'echo "@self $$"',
  'echo @cpu; grep "^cpu " /proc/stat',
  'echo @ps; ps -eo pid=,ppid=,user:32=,rss=,comm=',
  // A second ps: args cannot share a line with comm (ps narrows a column after a wide one, so no
  // fixed width separates them, and either may hold spaces).
  'echo @args; ps -eo pid=,args=',
  `echo @ticks; sed -n 's/^\\([0-9][0-9]*\\) (.*) [A-Za-z] \\([-0-9][0-9]* \\)\\{10\\}\\([0-9][0-9]*\\) \\([0-9][0-9]*\\) .*$/\\1 \\3 \\4/p' /proc/[0-9]*/stat 2>/dev/null`,
  'echo @end',
].join('\n');

/**
 * The name a process is listed under: its comm, as top shows, unless that is not its program's but a
 * name the program gave its main thread (Node's is `MainThread`, whatever script it runs); then the
 * program's base name from its command line. Kernel threads (`[kworker/0:1]`) and titles a program set
 * on itself (`postgres: 15/main: checkpointer`, `sshd: root@pts/0`) keep their comm.
 */
export function programName(comm: string, args: string): string {
  const argv0 = args.split(' ')[0] ?? '';
  const program = argv0.slice(argv0.lastIndexOf('/') + 1).replace(/^-/, '').replace(/:$/, '');
  if (program === '' || args.startsWith('[') || comm.startsWith(program) || program.startsWith(comm)) return comm;
  return program;
}

/** One process in a reading: what ps says of it, and the CPU ticks it has used so far. */
export interface ProcessEntry {
  ppid: number;
  user: string;
  name: string;
  memBytes: number;
  ticks?: number;
}

/** What one process probe read: counters, not yet rates. */
export interface ProcessReading {
  /** The probe's shell, left out with its children. */
  self: number;
  /** Ticks of every CPU together since boot: the clock process ticks are measured against. */
  totalTicks: number;
  processes: Map<number, ProcessEntry>;
}

export function parseProcessProbe(output: string): ProcessReading {
  const found = sections(output, ['self', 'cpu', 'ps', 'ticks']);
  const self = Number(found.get('self')![0]);
  const processes = new Map<number, ProcessEntry>();
  for (const line of found.get('ps')!) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) processes.set(Number(match[1]), { ppid: Number(match[2]), user: match[3]!, memBytes: Number(match[4]) * 1024, name: match[5]! });
  }
  if (processes.size === 0) throw new ProbeError('ps printed nothing (is procps installed?)');
  for (const line of found.get('args') ?? []) {
    const match = /^\s*(\d+) (.*)$/.exec(line);
    const entry = match ? processes.get(Number(match[1])) : undefined;
    if (entry) entry.name = programName(entry.name, match![2]!);
  }
  for (const line of found.get('ticks')!) {
    const match = /^(\d+) (\d+) (\d+)$/.exec(line.trim());
    const entry = match ? processes.get(Number(match[1])) : undefined;
    if (entry) entry.ticks = Number(match![2]) + Number(match![3]);
  }
  return { self, totalTicks: parseCpu(found.get('cpu')!)[0]!.total, processes };
}

/**
 * Per-process CPU % between two readings of one host, as a share of all its CPUs (the scale of the
 * host's own CPU figure): the ticks a process used over the ticks that passed on every CPU. A
 * process not in the previous reading (or a pid used again) started within the interval, so all
 * its ticks count.
 */
export class ProcessRates {
  /** What the next reading is measured against: ticks only, not the reading (its names hold the probe's output). */
  private previous: { totalTicks: number; ticks: Map<number, number> } | undefined;

  get primed(): boolean {
    return this.previous !== undefined;
  }

  /** After a pause in sampling: the next sample reads twice, as the first does, so its CPU % is a current one, not the pause's average. */
  forget(): void {
    this.previous = undefined;
  }

  next(reading: ProcessReading, at = Date.now()): ProcessSample {
    const before = this.previous;
    const ticks = new Map<number, number>();
    for (const [pid, p] of reading.processes) if (p.ticks !== undefined) ticks.set(pid, p.ticks);
    this.previous = { totalTicks: reading.totalTicks, ticks };
    const elapsed = before ? reading.totalTicks - before.totalTicks : 0;
    const rows: ProcessStat[] = [];
    for (const [pid, p] of reading.processes) {
      if (pid === reading.self || p.ppid === reading.self) continue;
      const old = before?.ticks.get(pid);
      const used = p.ticks === undefined ? 0 : old !== undefined && p.ticks >= old ? p.ticks - old : p.ticks;
      const cpuPercent = elapsed > 0 ? Math.min(100, (used / elapsed) * 100) : 0;
      rows.push({ pid, user: p.user, name: p.name, memBytes: p.memBytes, cpuPercent });
    }
    const top = (order: (a: ProcessStat, b: ProcessStat) => number) => [...rows].sort(order).slice(0, TOP_PROCESSES).map(kept);
    return {
      at,
      byCpu: top((a, b) => b.cpuPercent - a.cpuPercent || b.memBytes - a.memBytes),
      byMemory: top((a, b) => b.memBytes - a.memBytes),
    };
  }
}

/**
 * A row as the store keeps it until the next sample: its names copied out of the probe's output. V8
 * keeps a substring of 13 or more characters as a slice of the string it was cut from, so one kept
 * name held the host's whole process listing (182 KB a host when every fleet host was this machine).
 */
function kept(row: ProcessStat): ProcessStat {
  return { ...row, user: Buffer.from(row.user).toString(), name: Buffer.from(row.name).toString() };
}

/** The first sample reads twice this far apart, so its CPU % is already a current one. */
export const FIRST_PROCESS_INTERVAL_MS = 250;

/** One host's top processes: `read` takes a reading there (PROCESS_PROBE over SSH, /proc on this machine). */
export async function sampleProcesses(read: () => Promise<ProcessReading>, rates: ProcessRates): Promise<ProcessSample> {
  if (!rates.primed) {
    rates.next(await read());
    await new Promise((resolve) => setTimeout(resolve, FIRST_PROCESS_INTERVAL_MS));
  }
  return rates.next(await read());
}
