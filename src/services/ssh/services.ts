// Unit states on a remote host: one `systemctl show` per tick for every watched unit, through the
// host's configured systemctl and optionally `sudo -n` (never a password prompt).
import type { ExecResult } from '../exec.js';
import type { HostConfig, ServicesSample } from '../../domain/model.js';
import { shJoin } from '../shell-quote.js';
import { LIST_SERVICES_ARGS, NO_SYSTEMD, NoSystemd, parseListUnits, parseShow, showArgs } from '../systemd/units.js';
import { isSafeCommandPath } from './validate.js';

export type RemoteRun = (script: string, signal: AbortSignal) => Promise<ExecResult>;

/** The script that runs systemctl with these arguments, through `sudo -n` when the host says so. */
export function systemctlScript(host: Pick<HostConfig, 'systemctl' | 'sudo'>, args: readonly string[]): string {
  if (!isSafeCommandPath(host.systemctl)) throw new Error(`systemctl: ${JSON.stringify(host.systemctl)} is not a command name or path`);
  return commandScript([...(host.sudo ? ['sudo', '-n'] : []), host.systemctl, ...args]);
}

/**
 * The script that runs exactly `argv` (each word quoted), in the C locale without colours or a pager,
 * and in UTC: systemd prints times in the zone of its environment, and a host on JST, CET or IST
 * would otherwise print zone names no parser can place (`Mon 2026-11-30 21:04:05 JST`).
 */
export function commandScript(argv: readonly string[]): string {
  return `LC_ALL=C SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat TZ=UTC; export LC_ALL SYSTEMD_COLORS SYSTEMD_PAGER TZ\nexec ${shJoin(argv)}`;
}

function unavailable(host: HostConfig, result: ExecResult): Error {
  const reason = result.stderr.trim().split('\n')[0] || `exit code ${result.code}, no output`;
  const notFound = result.code === 127;
  // No systemctl at all (a container, Alpine) is no systemd too, unless the config named another path.
  if (host.services === 'auto' && (NO_SYSTEMD.test(reason) || (notFound && host.systemctl === 'systemctl'))) return new NoSystemd(`${host.systemctl} on ${host.name}: ${notFound ? 'not found' : reason}`);
  if (notFound) return new Error(`${host.systemctl}: not found on ${host.name} (set systemctl: to its path)`);
  if (host.sudo && /password is required|a terminal is required|not allowed/i.test(reason)) {
    return new Error(`sudo -n refused on ${host.name}: ${reason} (allow ${host.systemctl} without a password in sudoers, or set sudo: false)`);
  }
  return new Error(`${host.systemctl} on ${host.name}: ${reason}`);
}

export async function collectRemoteServices(run: RemoteRun, host: HostConfig, signal: AbortSignal): Promise<ServicesSample> {
  let names: readonly string[];
  if (host.services === 'auto') {
    const listed = await run(systemctlScript(host, LIST_SERVICES_ARGS), signal);
    if (listed.code !== 0 && listed.stdout.trim() === '') throw unavailable(host, listed);
    // Names come from the host's output: parseListUnits keeps only valid unit names.
    names = parseListUnits(listed.stdout);
  } else {
    names = host.services;
  }
  if (names.length === 0) return { at: Date.now(), units: [] };
  // showArgs refuses an invalid unit name before anything is sent.
  const script = systemctlScript(host, showArgs(names));
  const shown = await run(script, signal);
  if (shown.stdout.trim() === '') throw unavailable(host, shown);
  return { at: Date.now(), units: parseShow(shown.stdout, names) };
}
