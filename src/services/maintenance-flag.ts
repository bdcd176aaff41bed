// Sets and clears a host's maintenance flag file: written under a temporary name beside it and renamed
// over it (atomic on one filesystem), removed with force so clearing twice is no error.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { formatMaintenanceNote, MAINTENANCE_READ_LIMIT, type MaintenanceControl, type MaintenanceNote } from '../domain/maintenance.js';
import type { ExecResult } from './exec.js';
import { shQuote } from './shell-quote.js';

/** The operator is whoever runs opsdeck here, as the audit record names them. */
const signed = (note: Omit<MaintenanceNote, 'who'>): string => formatMaintenanceNote({ who: userInfo().username, ...note });

const temporaryName = (path: string): string => `${path}.opsdeck-${process.pid}-${randomBytes(4).toString('hex')}`;

export function localMaintenanceFlag(path: string): MaintenanceControl {
  return {
    path,
    async set(note: Omit<MaintenanceNote, 'who'>) {
      const temporary = temporaryName(path);
      try {
        await writeFile(temporary, signed(note), { mode: 0o644, flag: 'wx' });
        await rename(temporary, path);
      } finally {
        await rm(temporary, { force: true });
      }
    },
    clear: () => rm(path, { force: true }),
    read: () => readHead(path),
  };
}

/** The flag's first MAINTENANCE_READ_LIMIT bytes, or undefined when there is no flag. */
async function readHead(path: string): Promise<string | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(MAINTENANCE_READ_LIMIT);
    const { bytesRead } = await file.read(buffer, 0, MAINTENANCE_READ_LIMIT, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Exit status the read script gives for "no flag": cat's own failures are 1. */
const ABSENT = 3;

export function remoteMaintenanceFlag(hostName: string, path: string, run: (script: string, signal: AbortSignal) => Promise<ExecResult>): MaintenanceControl {
  const target = shQuote(path);
  const check = (what: string, result: ExecResult): void => {
    if (result.code !== 0) throw new Error(`${what} ${path} on ${hostName}: ${result.stderr.trim().split('\n')[0] || `exit code ${result.code}`}`);
  };
  return {
    path,
    async set(note: Omit<MaintenanceNote, 'who'>, signal: AbortSignal) {
      const temporary = shQuote(temporaryName(path));
      const script = `umask 022\nprintf '%s' ${shQuote(signed(note))} > ${temporary} && mv -f -- ${temporary} ${target} || { rm -f -- ${temporary}; exit 1; }`;
      check('writing', await run(script, signal));
    },
    async clear(signal: AbortSignal) {
      check('removing', await run(`rm -f -- ${target}`, signal));
    },
    async read(signal: AbortSignal) {
      const result = await run(`test -e ${target} || exit ${ABSENT}\nhead -c ${MAINTENANCE_READ_LIMIT} -- ${target}`, signal);
      if (result.code === ABSENT) return undefined;
      check('reading', result);
      return result.stdout;
    },
  };
}
