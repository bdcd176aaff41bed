// Signalling a process on a host (the htop habit): the door an operation acts through, and how a
// process's state is read, so local and SSH hosts judge "gone" the same way.

export const PROCESS_SIGNALS = ['TERM', 'KILL'] as const;
export type ProcessSignal = (typeof PROCESS_SIGNALS)[number];

/** A host's processes, as the process operations act on them (local: process.kill; SSH: `kill` through the host's connection). */
export interface ProcessControl {
  /** Sends the signal: 'gone' when there is no such process; throws when it may not be sent (not permitted, sudo refused). */
  signal(pid: number, signal: ProcessSignal, abort: AbortSignal): Promise<'sent' | 'gone'>;
  /** Whether the process still runs: a zombie has ended (only its parent has yet to reap it). */
  alive(pid: number, abort: AbortSignal): Promise<boolean>;
}

/** The command an SSH host runs (`sudo -n` on a `sudo: true` host never prompts), and what the confirmation shows for any host. */
export function killArgv(pid: number, signal: ProcessSignal, sudo: boolean): string[] {
  return [...(sudo ? ['sudo', '-n'] : []), 'kill', `-${signal}`, String(pid)];
}

/** A pid opsdeck may name on a command line: a positive integer within Linux's pid range. */
export function isProcessId(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && pid <= 4_194_304;
}

/** Whether `/proc/PID/stat` describes a running process: its state (after the command's closing parenthesis) is not Z (zombie) or X (dead). */
export function isLiveStat(stat: string): boolean {
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z' && state !== 'X';
}
