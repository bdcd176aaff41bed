// One backup per database at a time, across processes: a lock file beside the backups naming the
// process that holds it. A holder that died (kill -9, a crash, a reboot) left its file behind; the next
// backup sees that its process is gone and takes the lock over.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackupRefused, lockName } from '../../domain/backup.js';

interface LockOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat): a reused pid has another. */
  processStart?: string;
  host: string;
  startedAt: number;
}

export class BackupBusyError extends BackupRefused {
  constructor(message: string) {
    super(message);
    this.name = 'BackupBusyError';
  }
}

function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStart(owner.pid);
  return owner.processStart === undefined || start === undefined || start === owner.processStart;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.startedAt === 'number' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export interface HeldLock {
  /** Where it is, for messages. */
  path: string;
  /** A stale lock this one replaced: who had it. */
  replaced?: string;
  release(): Promise<void>;
}

const describe = (o: LockOwner) => `pid ${o.pid} on ${o.host}, since ${new Date(o.startedAt).toISOString()}`;

/** Takes the lock of `database` in `dir`, or throws BackupBusyError naming who holds it. */
export async function acquireBackupLock(dir: string, database: string): Promise<HeldLock> {
  const path = join(dir, lockName(database));
  const mine: LockOwner = { pid: process.pid, processStart: processStart(process.pid), host: hostname(), startedAt: Date.now() };
  const text = `${JSON.stringify(mine)}\n`;
  let replaced: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, text, { flag: 'wx', mode: 0o600 });
      return { path, replaced, release: async () => void (await unlink(path).catch(() => undefined)) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const found = await readFile(path, 'utf8').catch(() => undefined);
    if (found === undefined) continue;
    const owner = parseOwner(found);
    if (owner && owner.host !== hostname()) throw new BackupBusyError(`a backup of ${database} holds ${path} (${describe(owner)}); remove the file if no backup runs there`);
    if (owner && alive(owner)) throw new BackupBusyError(`a backup of ${database} is already running (${describe(owner)})`);
    // Stale. Moved aside under a name of our own, so of two processes judging it stale only one takes it;
    // if what was moved is not what was judged (someone took it meanwhile), it goes back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
    } catch {
      continue;
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    if (moved !== found) {
      await rename(aside, path).catch(() => undefined);
      continue;
    }
    await unlink(aside).catch(() => undefined);
    replaced = owner ? describe(owner) : 'an unreadable lock file';
  }
  throw new BackupBusyError(`could not take ${path}: another backup of ${database} keeps taking it`);
}
