// Unit states on the local machine through its systemctl, with a plain reason when there is none.
import { ExecError, runLocal } from '../exec.js';
import type { ServicesSample } from '../../domain/model.js';
import { LIST_SERVICES_ARGS, NO_SYSTEMD, NoSystemd, parseListUnits, parseShow, showArgs } from '../systemd/units.js';

/** systemd is missing or not running: asked again once a minute rather than every tick. */
export class ServicesUnavailable extends ExecError {
  readonly retryAfterMs = 60_000;
}

export async function collectLocalServices(systemctl: string, units: readonly string[] | 'auto', signal: AbortSignal): Promise<ServicesSample> {
  let names: readonly string[];
  if (units === 'auto') {
    const listed = await runLocal(systemctl, LIST_SERVICES_ARGS, signal);
    if (listed.code !== 0) throw unavailable(systemctl, listed.stderr, units);
    names = parseListUnits(listed.stdout);
  } else {
    names = units;
  }
  if (names.length === 0) return { at: Date.now(), units: [] };
  const shown = await runLocal(systemctl, showArgs(names), signal);
  // show exits 0 even for unknown units (LoadState=not-found); anything else means no systemd to ask.
  if (shown.stdout.trim() === '') throw unavailable(systemctl, shown.stderr, units);
  return { at: Date.now(), units: parseShow(shown.stdout, names) };
}

function unavailable(systemctl: string, stderr: string, units: readonly string[] | 'auto'): Error {
  const reason = stderr.trim().split('\n')[0] || 'no output';
  if (NO_SYSTEMD.test(reason)) {
    const message = `systemd is not running on this machine (${systemctl}: "${reason}")`;
    // Units named in the config are expected to run here: then their state is missing, not merely absent.
    return units === 'auto' ? new NoSystemd(message) : new ServicesUnavailable(message);
  }
  return new ServicesUnavailable(`${systemctl}: ${reason}`);
}
