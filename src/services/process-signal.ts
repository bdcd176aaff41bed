// Sends TERM or KILL to a process and reads whether it still runs: on this machine through
// process.kill and /proc, on an SSH host through `kill` and /proc over its connection (with `sudo -n`
// on a `sudo: true` host, so a missing right fails at once instead of waiting on a password prompt).
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { isLiveStat, isProcessId, killArgv, type ProcessControl, type ProcessSignal } from '../domain/process-control.js';
import type { ExecResult } from './exec.js';
import { shJoin } from './shell-quote.js';

function checkPid(pid: number): void {
  if (!isProcessId(pid)) throw new Error(`${JSON.stringify(pid)} is not a process id`);
}

/** Reads /proc/PID/stat: absent (or gone between open and read, ESRCH) means the process is gone. */
async function localAlive(pid: number): Promise<boolean> {
  try {
    return isLiveStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ESRCH') throw error;
    return false;
  }
}

export function localProcessControl(): ProcessControl {
  return {
    async signal(pid: number, signal: ProcessSignal) {
      checkPid(pid);
      try {
        process.kill(pid, `SIG${signal}`);
        return 'sent';
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ESRCH') return 'gone';
        if (code === 'EPERM') throw new Error(`not permitted to signal pid ${pid}: it belongs to another user (opsdeck runs as ${userInfo().username})`, { cause: error });
        throw error;
      }
    },
    alive: (pid: number) => localAlive(pid),
  };
}

const SUDO_REFUSED = /password is required|a terminal is required|not allowed|may not run|not in the sudoers/i;
/** What the alive script exits with when the process is gone. */
const GONE = 3;

export function remoteProcessControl(hostName: string, sudo: boolean, run: (script: string, signal: AbortSignal) => Promise<ExecResult>): ProcessControl {
  return {
    async signal(pid: number, signal: ProcessSignal, abort: AbortSignal) {
      checkPid(pid);
      const result = await run(`LC_ALL=C ${shJoin(killArgv(pid, signal, sudo))}`, abort);
      if (result.code === 0) return 'sent';
      const reason = result.stderr.trim().split('\n')[0] ?? '';
      if (/no such process/i.test(reason)) return 'gone';
      if (sudo && SUDO_REFUSED.test(reason)) throw new Error(`sudo -n refused on ${hostName}: ${reason} (allow kill without a password in sudoers, or set sudo: false)`);
      if (/not permitted/i.test(reason)) throw new Error(`not permitted to signal pid ${pid} on ${hostName}: it belongs to another user${sudo ? '' : ' (sudo: true on the host runs kill through sudo -n)'}`);
      throw new Error(`kill -${signal} ${pid} on ${hostName}: ${reason || `exit code ${result.code}`}`);
    },
    async alive(pid: number, abort: AbortSignal) {
      checkPid(pid);
      const result = await run(`${shJoin(['cat', `/proc/${pid}/stat`])} 2>/dev/null || exit ${GONE}`, abort);
      if (result.code === GONE) return false;
      if (result.code !== 0) throw new Error(`reading /proc/${pid}/stat on ${hostName}: exit code ${result.code}`);
      return isLiveStat(result.stdout);
    },
  };
}
