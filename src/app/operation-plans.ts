// Operations named on a command line rather than selected on screen: a host or a group in config order,
// units in the order given or the host's configured `services:` order. Every name is checked against
// the config before anything runs; what is wrong comes back as one message (the CLI's exit 2).
import type { HostConfig } from '../domain/model.js';
import type { UnitVerb } from '../domain/unit-control.js';
import { isValidUnitName } from '../services/systemd/units.js';
import type { OpsConfig } from './config/resolve.js';
import type { MaintenanceParams } from './operations/maintenance.js';
import type { Operation } from './operations/registry.js';
import { unitParams } from './operations/unit.js';

export type Plan = { operations: Operation[] } | { error: string };

/** The hosts `name` means: that host, else every host of that group, in config order. */
export function resolveHosts(config: OpsConfig, name: string): HostConfig[] | { error: string } {
  const host = config.hosts.find((h) => h.name === name);
  if (host) return [host];
  const group = config.hosts.filter((h) => h.group === name);
  if (group.length > 0) return group;
  const groups = [...new Set(config.hosts.flatMap((h) => (h.group ? [h.group] : [])))];
  return { error: `no host or group "${name}" in ${config.file ?? 'the built-in default'} (hosts: ${config.hosts.map((h) => h.name).join(', ')}; groups: ${groups.join(', ') || 'none'})` };
}

// systemd's unit types; a name without one of them is a service, as systemctl reads it.
const UNIT_TYPES = new Set(['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'timer', 'path', 'slice', 'scope']);

/** `nginx` is `nginx.service`, as systemctl reads it, so either spelling matches the config's. */
export function fullUnitName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && UNIT_TYPES.has(name.slice(dot + 1)) ? name : `${name}.service`;
}

/** The units of `host` to act on, in order, checked against what it watches. */
function unitsFor(host: HostConfig, named: readonly string[]): string[] | { error: string } {
  const configured = host.services === 'auto' ? undefined : host.services.map(fullUnitName);
  if (named.length === 0) {
    if (!configured) return { error: `${host.name} watches every loaded unit (services: auto): name the units to act on` };
    if (configured.length === 0) return { error: `${host.name} has no services: configured: name the units to act on` };
    return configured;
  }
  const units: string[] = [];
  for (const name of named) {
    if (!isValidUnitName(name)) return { error: `${JSON.stringify(name)} is not a systemd unit name (letters, digits, ":-_.\\@", no spaces or glob characters)` };
    const unit = fullUnitName(name);
    if (configured && !configured.includes(unit)) return { error: `${host.name} does not watch ${unit} (its services: ${configured.join(', ') || 'none'})` };
    if (!units.includes(unit)) units.push(unit);
  }
  return units;
}

const UNIT_KINDS = { restart: 'unit.restart', reload: 'unit.reload', start: 'unit.start', stop: 'unit.stop' } as const;

/** `verb` on each unit of each host of `target`: host by host in config order, units in the order given (or configured). */
export function unitPlan(config: OpsConfig, verb: UnitVerb, target: string, named: readonly string[]): Plan {
  const hosts = resolveHosts(config, target);
  if ('error' in hosts) return hosts;
  const operations: Operation[] = [];
  for (const host of hosts) {
    const units = unitsFor(host, named);
    if ('error' in units) return units;
    // The kind is the verb's own (UNIT_KINDS), which TypeScript cannot correlate across the union.
    for (const unit of units) operations.push({ kind: UNIT_KINDS[verb], params: unitParams(host, unit, verb) } as Operation);
  }
  return { operations };
}

/** Sets (with the reason and an optional expiry) or clears the maintenance flag of each host of `target`. */
export function maintenancePlan(config: OpsConfig, on: boolean, target: string, note: Pick<MaintenanceParams, 'why' | 'expiresAt'>): Plan {
  const hosts = resolveHosts(config, target);
  if ('error' in hosts) return hosts;
  const without = hosts.filter((h) => !h.maintenance);
  if (without.length > 0) return { error: `no maintenance flag configured for ${without.map((h) => h.name).join(', ')} (hosts.${without[0]!.name}.maintenance: PATH)` };
  return {
    operations: hosts.map((h): Operation => {
      const params: MaintenanceParams = { host: h.name, path: h.maintenance!, ...note };
      return on ? { kind: 'host.maintenance-on', params } : { kind: 'host.maintenance-off', params };
    }),
  };
}
