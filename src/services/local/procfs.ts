// Linux resources read straight from /proc and statfs(2): no child process per tick. The files are
// parsed by the same code as an SSH host's probe output, so local and remote numbers mean the same.
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import type { DiskStat, ProcessSample, ResourceSample } from '../../domain/model.js';
import { parseCpu, parseResourceProbe, ProcessRates, programName, ResourceRates, sampleProcesses, type ProcessEntry, type ProcessReading } from '../ssh/probe.js';
import { isPseudoFilesystem, usefulDisks } from './resources.js';

const PROC_FILES = [
  ['stat', '/proc/stat'],
  ['meminfo', '/proc/meminfo'],
  ['loadavg', '/proc/loadavg'],
  ['netdev', '/proc/net/dev'],
  ['uptime', '/proc/uptime'],
] as const;

/** Mount points in /proc/self/mounts escape space, tab, newline and backslash as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): { fs: string; mount: string; type: string }[] {
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 3)
    .map(([fs, mount, type]) => ({ fs: unescapeMount(fs!), mount: unescapeMount(mount!), type: type! }));
}

// A statfs on a dead NFS mount never returns and holds one of libuv's four threads: such a mount
// is asked again only once its last call has come back, so it can block one thread at most.
const statfsInFlight = new Set<string>();

async function localDisks(): Promise<DiskStat[]> {
  const mounts = parseMounts(readFileSync('/proc/self/mounts', 'utf8')).filter((m) => !isPseudoFilesystem(m.type) && !statfsInFlight.has(m.mount));
  const disks = await Promise.all(
    mounts.map(async (m): Promise<DiskStat | undefined> => {
      statfsInFlight.add(m.mount);
      try {
        const s = await statfs(m.mount).finally(() => statfsInFlight.delete(m.mount));
        const used = (s.blocks - s.bfree) * s.bsize;
        const available = s.bavail * s.bsize;
        // As df: used against what a normal user can have (root's reserve left out).
        const usedPercent = used + available > 0 ? Math.ceil((used / (used + available)) * 100) : 0;
        return { ...m, sizeBytes: s.blocks * s.bsize, usedBytes: used, usedPercent };
      } catch {
        return undefined;
      }
    }),
  );
  return usefulDisks(disks.filter((d): d is DiskStat => d !== undefined));
}

/** CPU is a difference of two readings; the first tick reads twice so it never shows an average since boot. */
const FIRST_INTERVAL_MS = 250;

export class ProcResources {
  private readonly rates = new ResourceRates();
  private primed = false;

  async collect(): Promise<ResourceSample> {
    if (!this.primed) {
      this.primed = true;
      this.rates.next(parseResourceProbe(readProbe()));
      await new Promise((resolve) => setTimeout(resolve, FIRST_INTERVAL_MS));
    }
    const disks = await localDisks();
    return { ...this.rates.next(parseResourceProbe(readProbe())), disks };
  }
}

/**
 * Top processes read straight from /proc (stat, status, cmdline of each pid), with the SSH probe's
 * rates and naming, so the CPU % column means the same here and on every remote host. The probe's
 * five programs (sh, grep, two ps, sed) cost ~60 ms of CPU a reading from a process this size, more
 * than the cockpit's whole frame work at idle; these reads cost a few.
 */
export class ProcProcesses {
  private readonly rates = new ProcessRates();
  private readonly users = new UserNames();

  collect(signal: AbortSignal): Promise<ProcessSample> {
    return sampleProcesses(() => readProcessTable(this.users, signal), this.rates);
  }

  resume(): void {
    this.rates.forget();
  }
}

/** Pids read between two turns of the event loop: a few ms of reads, so a busy host's thousands of processes never hold a key press. */
const PIDS_PER_TURN = 64;

async function readProcessTable(users: UserNames, signal: AbortSignal): Promise<ProcessReading> {
  const totalTicks = parseCpu(readFileSync('/proc/stat', 'utf8').split('\n'))[0]!.total;
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  const processes = new Map<number, ProcessEntry>();
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % PIDS_PER_TURN === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
    }
    const entry = readProcess(pids[i]!, users);
    if (entry) processes.set(Number(pids[i]), entry);
  }
  // No probe shell of ours to leave out: no pid is -1.
  return { self: -1, totalTicks, processes };
}

/** One process as ps would list it (comm, effective user, RSS) with its CPU ticks; undefined once it has exited. */
function readProcess(pid: string, users: UserNames): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The comm may hold spaces and parentheses: it ends at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1] ?? '0';
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
    return {
      ppid: Number(fields[1]),
      user: users.name(Number(uid)),
      memBytes: rssKiB * 1024,
      // Kernel threads have no command line: ps shows them as [comm], and so keeps their comm.
      name: args === '' ? comm : programName(comm, args),
      ticks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined;
  }
}

/** Users by uid from /etc/passwd, as ps names them (a uid without a name as its number). */
class UserNames {
  private names = new Map<number, string>();
  private readAt = 0;

  name(uid: number): string {
    // A user added since the last read: read again, at most once a minute.
    if (!this.names.has(uid) && Date.now() - this.readAt > 60_000) this.read();
    return this.names.get(uid) ?? String(uid);
  }

  private read(): void {
    this.readAt = Date.now();
    try {
      this.names = new Map(
        readFileSync('/etc/passwd', 'utf8')
          .split('\n')
          .map((line) => line.split(':'))
          .filter((f) => f.length >= 3 && /^\d+$/.test(f[2]!))
          .map((f) => [Number(f[2]), f[0]!]),
      );
    } catch {
      // No passwd to read: uids stay numbers, as ps shows them.
    }
  }
}

/**
 * The /proc files in the sectioned form the SSH probe prints, for its parser. Read synchronously: the
 * kernel writes them out from memory, and five promise reads a second (open, fstat, read, close each
 * through the thread pool) cost more than the reads themselves.
 */
function readProbe(): string {
  const texts = PROC_FILES.map(([, path]) => readFileSync(path, 'utf8'));
  return [...PROC_FILES.map(([name], i) => `@${name}\n${texts[i]}`), '@df', '@end'].join('\n');
}

export async function hasProcfs(): Promise<boolean> {
  try {
    await readFile('/proc/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}
