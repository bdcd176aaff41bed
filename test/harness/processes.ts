// Processes on this machine, read from /proc: what a test started, and whether it still runs.
import { readdirSync, readFileSync } from 'node:fs';
import { isLiveStat } from '../../src/domain/process-control.js';

/** Running, and not a zombie waiting for its parent. */
export function running(pid: number): boolean {
  try {
    return isLiveStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pid of a running (not zombie) child of `parent` whose command line contains `what`, if there is one. */
export function childOf(parent: number, what: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent || !isLiveStat(stat)) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(what)) return Number(entry);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return undefined;
}
