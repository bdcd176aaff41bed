// Acting on a systemd unit: the command sent (the confirmation shows the same argv the service runs)
// and how a unit's state after it is judged. Pure, so the operation, the services and tests share it.
import type { LogSourceConfig, UnitState } from './model.js';

export const UNIT_VERBS = ['restart', 'reload', 'stop', 'start'] as const;
export type UnitVerb = (typeof UNIT_VERBS)[number];

/** The unit's last log lines, and where they came from ("journal", or the daemonless systemctl's log file). */
export interface JournalTail {
  lines: string[];
  from?: string;
}

/** A host's units, as an operation acts on them (local: execFile; SSH: the host's connection). */
export interface UnitControl {
  /** Runs the verb; a non-zero exit is returned, not thrown: the unit's state is the verdict. Throws when nothing could run (sudo refused, no systemctl). */
  act(unit: string, verb: UnitVerb, signal: AbortSignal): Promise<{ code: number; stderr: string }>;
  state(unit: string, signal: AbortSignal): Promise<UnitState>;
  journalTail(unit: string, lines: number, signal: AbortSignal): Promise<JournalTail>;
  /** Where the unit's log is to be followed: its journal, or the daemonless systemctl's log file where journald has none; `from` says which. */
  logSource(unit: string, signal: AbortSignal): Promise<{ source: LogSourceConfig; from: string }>;
}

/** `sudo -n` never prompts: without the right it fails at once instead of waiting for a password. */
export function unitCommand(host: { systemctl: string; sudo: boolean }, verb: UnitVerb, unit: string): string[] {
  return [...(host.sudo ? ['sudo', '-n'] : []), host.systemctl, verb, '--', unit];
}

export type Verdict = 'ok' | 'failed' | 'pending';

/** What the unit's state says about the verb, given its state before (restart: a new MainPID). */
export function judgeUnit(verb: UnitVerb, before: UnitState | undefined, now: UnitState): Verdict {
  if (now.load === 'not-found') return 'failed';
  if (now.active === 'failed') return 'failed';
  if (verb === 'stop') return now.active === 'inactive' ? 'ok' : 'pending';
  if (now.active !== 'active') return 'pending';
  if (verb === 'restart' && now.mainPid !== undefined && now.mainPid === before?.mainPid) return 'pending';
  return 'ok';
}

export function describeState(unit: UnitState): string {
  return `${unit.active} (${unit.sub})${unit.mainPid ? `, MainPID ${unit.mainPid}` : ''}`;
}
