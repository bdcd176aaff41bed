// Linux resources read straight from /proc and statfs(2): no child process per tick. The files are
// parsed by the same code as an SSH host's probe output, so local and remote numbers mean the same.
import { readFile, statfs } from 'node:fs/promises';
import type { DiskStat, ProcessSample, ResourceSample } from '../../domain/model.js';
import { parseResourceProbe, PROCESS_PROBE, ProcessRates, ResourceRates, sampleProcesses } from '../ssh/probe.js';
import { runLocal } from '../exec.js';
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
  const mounts = parseMounts(await readFile('/proc/self/mounts', 'utf8')).filter((m) => !isPseudoFilesystem(m.type) && !statfsInFlight.has(m.mount));
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
      this.rates.next(parseResourceProbe(await readProbe()));
      await new Promise((resolve) => setTimeout(resolve, FIRST_INTERVAL_MS));
    }
    const [output, disks] = await Promise.all([readProbe(), localDisks()]);
    return { ...this.rates.next(parseResourceProbe(output)), disks };
  }
}

/**
 * Top processes from the same probe an SSH host runs, through a local shell: current CPU % from
 * /proc tick deltas, so the column means the same here and on every remote host.
 */
export class ProcProcesses {
  private readonly rates = new ProcessRates();

  collect(signal: AbortSignal): Promise<ProcessSample> {
    return sampleProcesses(async () => {
      const result = await runLocal('sh', ['-c', PROCESS_PROBE], signal);
      if (!result.stdout.includes('@end')) throw new Error(`process probe failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
      return result.stdout;
    }, this.rates);
  }
}

/** The /proc files in the sectioned form the SSH probe prints, for its parser. */
async function readProbe(): Promise<string> {
  const texts = await Promise.all(PROC_FILES.map(([, path]) => readFile(path, 'utf8')));
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
