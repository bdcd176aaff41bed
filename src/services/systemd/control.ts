// Restart, reload, stop and start a unit and read back its state and last log lines, through a runner
// of argv (local: execFile, no shell; SSH: the one quoting module), so both hosts share one behaviour.
import type { ExecResult } from '../exec.js';
import type { UnitState } from '../../domain/model.js';
import { unitCommand, type JournalTail, type UnitControl, type UnitVerb } from '../../domain/unit-control.js';
import { isValidUnitName, parseShow, showArgs } from './units.js';

/** Runs argv on the host; resolves with the exit code (127: no such program), rejects when it could not run. */
export type ArgvRunner = (argv: readonly string[], signal: AbortSignal) => Promise<ExecResult>;

export interface ControlledHost {
  name: string;
  systemctl: string;
  sudo: boolean;
}

const SUDO_REFUSED = /password is required|a terminal is required|not allowed|may not run|not in the sudoers/i;

function checkUnit(unit: string): void {
  if (!isValidUnitName(unit)) throw new Error(`invalid unit name: ${JSON.stringify(unit)}`);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Why nothing ran, when the answer says so: sudo refused, or a program missing on the host. */
function notRun(host: ControlledHost, result: ExecResult, program: string): Error | undefined {
  const reason = firstLine(result.stderr);
  if (host.sudo && SUDO_REFUSED.test(reason)) return new Error(`sudo -n refused on ${host.name}: ${reason} (allow ${host.systemctl} without a password in sudoers, or set sudo: false)`);
  if (result.code === 127) return new Error(`${host.sudo && /sudo/.test(reason) ? 'sudo' : program}: not found on ${host.name}${reason ? ` (${reason})` : ''}`);
  return undefined;
}

/** The daemonless systemctl (no journald) keeps a unit's output in ROOT/var/log/journal/UNIT.log; ROOT is above its unit file. */
export function daemonlessLogPath(statusOutput: string, unit: string): string | undefined {
  const file = /Loaded: \w+ \(([^,)]+)/.exec(statusOutput)?.[1];
  const root = file === undefined ? undefined : /^(.*)\/(?:etc|lib|usr\/lib)\/systemd\/system\/[^/]+$/.exec(file)?.[1];
  return root === undefined ? undefined : `${root}/var/log/journal/${unit}.log`;
}

export function unitControl(host: ControlledHost, run: ArgvRunner): UnitControl {
  const sudo = host.sudo ? ['sudo', '-n'] : [];
  return {
    async act(unit: string, verb: UnitVerb, signal: AbortSignal) {
      checkUnit(unit);
      const result = await run(unitCommand(host, verb, unit), signal);
      const refused = result.code === 0 ? undefined : notRun(host, result, host.systemctl);
      if (refused) throw refused;
      return { code: result.code, stderr: result.stderr.trim() };
    },
    async state(unit: string, signal: AbortSignal): Promise<UnitState> {
      const result = await run([...sudo, host.systemctl, ...showArgs([unit])], signal);
      const [state] = parseShow(result.stdout, [unit]);
      if (!state) throw notRun(host, result, host.systemctl) ?? new Error(`${host.systemctl} show ${unit} on ${host.name}: ${firstLine(result.stderr) || `exit code ${result.code}, no output`}`);
      return state;
    },
    async journalTail(unit: string, lines: number, signal: AbortSignal): Promise<JournalTail> {
      const n = Math.max(1, Math.floor(lines));
      const found = await findLog(unit, n, signal);
      if (found.journal.length > 0) return { lines: found.journal, from: 'journal' };
      if (!found.file) return { lines: [] };
      const tail = await run([...sudo, 'tail', '-n', String(n), '--', found.file], signal);
      if (tail.code !== 0) return { lines: [] };
      return { lines: tail.stdout.split('\n').filter((l) => l.trim() !== ''), from: daemonlessFrom(found.file) };
    },
    async logSource(unit: string, signal: AbortSignal) {
      const found = await findLog(unit, 1, signal);
      if (found.journal.length === 0 && found.file) return { source: { kind: 'file', path: found.file, label: unit }, from: daemonlessFrom(found.file) };
      return { source: { kind: 'journal', unit, label: unit }, from: found.journal.length > 0 ? 'journal' : 'journal (no entries yet)' };
    },
  };

  /** The unit's last journal lines; when there are none, the daemonless systemctl's log file, if that is what runs the unit. */
  async function findLog(unit: string, lines: number, signal: AbortSignal): Promise<{ journal: string[]; file?: string }> {
    checkUnit(unit);
    const journal = await run([...sudo, 'journalctl', '-u', unit, '-n', String(lines), '--no-pager', '-o', 'cat', '-q'], signal).catch(() => undefined);
    const fromJournal = journal?.code === 0 ? journal.stdout.split('\n').filter((l) => l.trim() !== '') : [];
    if (fromJournal.length > 0) return { journal: fromJournal };
    const status = await run([...sudo, host.systemctl, 'status', '--no-pager', '--', unit], signal);
    return { journal: [], file: daemonlessLogPath(status.stdout, unit) };
  }
}

const daemonlessFrom = (file: string): string => `no journal entries; the daemonless systemctl's log ${file}`;
