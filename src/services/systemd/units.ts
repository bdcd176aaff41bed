// systemd unit names and `systemctl show` output: validated and parsed here, never passed raw to a shell.
import type { UnitState } from '../../domain/model.js';

// systemd's unit name alphabet; no glob characters, so a name never matches more than itself.
const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]{1,255}$/;

export function isValidUnitName(name: string): boolean {
  return UNIT_NAME.test(name) && name !== '.' && name !== '..';
}

/**
 * `systemctl show` arguments for the given units; `--` so a unit such as `-.mount` is not an option.
 * All properties are read: a comma list after -p prints nothing on the daemonless systemctl that
 * stands in for systemd where it is not PID 1 (containers, the test hosts).
 */
export function showArgs(units: readonly string[]): string[] {
  for (const unit of units) if (!isValidUnitName(unit)) throw new Error(`invalid unit name: ${JSON.stringify(unit)}`);
  return ['show', '--no-pager', '--', ...units];
}

/** systemctl's words on a machine whose init is not systemd (a container, WSL, a chroot). */
export const NO_SYSTEMD = /not been booted with systemd|Failed to connect to bus/i;

/**
 * A machine without systemd, watched with `services: auto`: nothing to watch there and nothing
 * failing, said beside the host's state (`absent`). Asked again once a minute rather than every tick.
 */
export class NoSystemd extends Error {
  readonly absent = 'no systemd';
  readonly retryAfterMs = 60_000;
}

export const LIST_SERVICES_ARGS = ['list-units', '--type=service', '--all', '--no-legend', '--no-pager', '--plain'];

/** Names from `systemctl list-units --plain --no-legend`, first column; anything not a unit name is dropped. */
export function parseListUnits(output: string): string[] {
  const names: string[] = [];
  for (const line of output.split('\n')) {
    const name = line.trim().replace(/^●\s*/, '').split(/\s+/)[0];
    if (name && isValidUnitName(name) && name.endsWith('.service')) names.push(name);
  }
  return names;
}

/**
 * "Mon 2026-11-23 11:49:31 UTC", as systemd prints a time in UTC: systemctl runs with TZ=UTC
 * (commandScript, runLocal), since a zone name such as JST or IST cannot be placed without the
 * host's zone database. Anything else is no time rather than a wrong one.
 */
function parseTimestamp(value: string | undefined): number | undefined {
  const match = /^(?:[A-Za-z]{3} )?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) UTC$/.exec(value ?? '');
  if (!match) return undefined;
  const parsed = Date.parse(`${match[1]}T${match[2]}Z`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Since when a unit is in its state, by state, as `systemctl status` says it ("failed since" is when it failed). */
const SINCE_PROPERTY: Readonly<Record<string, string>> = {
  active: 'ActiveEnterTimestamp',
  reloading: 'ActiveEnterTimestamp',
  failed: 'InactiveEnterTimestamp',
  inactive: 'InactiveEnterTimestamp',
  activating: 'InactiveExitTimestamp',
  deactivating: 'ActiveExitTimestamp',
};

function sinceOf(props: ReadonlyMap<string, string>): number | undefined {
  const property = SINCE_PROPERTY[props.get('ActiveState') ?? ''];
  return parseTimestamp(property && props.get(property)) ?? parseTimestamp(props.get('StateChangeTimestamp'));
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Parses `systemctl show` for one or more units: blocks of KEY=VALUE separated by blank lines, in
 * the order the units were asked for. Units systemd does not know come back with LoadState=not-found.
 */
export function parseShow(output: string, requested: readonly string[]): UnitState[] {
  const blocks = output.split(/\n\s*\n/).map((b) => b.trim()).filter((b) => b.length > 0);
  const units: UnitState[] = [];
  blocks.forEach((block, index) => {
    const props = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1));
    }
    const name = props.get('Id') || requested[index];
    if (!name) return;
    units.push({
      name,
      description: props.get('Description') ?? '',
      load: props.get('LoadState') ?? 'unknown',
      active: props.get('ActiveState') ?? 'unknown',
      sub: props.get('SubState') ?? 'unknown',
      since: sinceOf(props),
      restarts: parseCount(props.get('NRestarts')),
      mainPid: parseCount(props.get('MainPID')) || undefined,
    });
  });
  return units;
}
