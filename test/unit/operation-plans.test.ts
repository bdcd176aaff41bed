// What a command line's names become before anything runs: hosts or a group in config order, units in
// the order given or configured, and a clear message for every name the config does not know.
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { fullUnitName, maintenancePlan, resolveHosts, unitPlan } from '../../src/app/operation-plans.js';
import { bind } from '../../src/app/operations/registry.js';

const config = resolveConfig(
  {
    hosts: {
      'db-1': { ssh: 'db-1', group: 'db', services: ['postgresql.service'], maintenance: '/srv/maintenance.flag' },
      'web-2': { ssh: 'web-2', group: 'web', services: ['nginx', 'app.service'], sudo: true, maintenance: '/opt/garden/maintenance.flag' },
      'web-1': { ssh: 'web-1', group: 'web', services: ['nginx.service', 'app.service'], systemctl: '/usr/bin/systemctl', maintenance: '/opt/garden/maintenance.flag' },
      box: { local: true },
    },
  },
  '/etc/opsdeck.yaml',
  loadDefaultBindings(),
).config;

const steps = (plan: ReturnType<typeof unitPlan>) => ('error' in plan ? plan : plan.operations.map((o) => bind(o).description.title));

describe('operation plans from names', () => {
  it('a host is itself; a group is its hosts in config order; anything else lists what there is', () => {
    expect(resolveHosts(config, 'web-1')).toEqual([expect.objectContaining({ name: 'web-1' })]);
    expect((resolveHosts(config, 'web') as { name: string }[]).map((h) => h.name)).toEqual(['web-2', 'web-1']);
    expect(resolveHosts(config, 'wbe')).toEqual({ error: 'no host or group "wbe" in /etc/opsdeck.yaml (hosts: db-1, web-2, web-1, box; groups: db, web)' });
  });

  it('reads a unit name as systemctl does: no type means a service', () => {
    expect(['nginx', 'nginx.service', 'app@2', 'backup.timer', 'var-lib.mount', 'my.app'].map(fullUnitName)).toEqual(['nginx.service', 'nginx.service', 'app@2.service', 'backup.timer', 'var-lib.mount', 'my.app.service']);
  });

  it('runs host by host, the units in the order given, each spelling matched to the configured one', () => {
    expect(steps(unitPlan(config, 'restart', 'web', ['app', 'nginx.service']))).toEqual(['restart app.service on web-2', 'restart nginx.service on web-2', 'restart app.service on web-1', 'restart nginx.service on web-1']);
  });

  it("without units takes the host's services: in their order, with the host's systemctl and sudo", () => {
    const plan = unitPlan(config, 'stop', 'web-2', []);
    expect(steps(plan)).toEqual(['stop nginx.service on web-2', 'stop app.service on web-2']);
    expect('operations' in plan && bind(plan.operations[0]!).description.command).toBe('sudo -n systemctl stop -- nginx.service');
    expect('operations' in plan && bind(plan.operations[0]!).confirmation).toEqual({ kind: 'typed', word: 'stop' });
  });

  it('refuses a unit a host does not watch, a name that is not a unit name, and no units where the host watches every unit', () => {
    expect(unitPlan(config, 'restart', 'web', ['postgresql'])).toEqual({ error: 'web-2 does not watch postgresql.service (its services: nginx.service, app.service)' });
    expect(unitPlan(config, 'restart', 'web-1', ['ng*'])).toEqual({ error: '"ng*" is not a systemd unit name (letters, digits, ":-_.\\@", no spaces or glob characters)' });
    expect(unitPlan(config, 'restart', 'box', [])).toEqual({ error: 'box watches every loaded unit (services: auto): name the units to act on' });
    expect(steps(unitPlan(config, 'reload', 'box', ['cron']))).toEqual(['reload cron.service on box']);
  });

  it('sets the maintenance flag of each host of a group with the reason and expiry, or says which host has none', () => {
    const plan = maintenancePlan(config, true, 'web', { why: 'release 4.2', expiresAt: Date.parse('2026-12-01T02:00:00Z') });
    expect('operations' in plan && plan.operations.map((o) => [o.kind, o.params])).toEqual([
      ['host.maintenance-on', { host: 'web-2', path: '/opt/garden/maintenance.flag', why: 'release 4.2', expiresAt: Date.parse('2026-12-01T02:00:00Z') }],
      ['host.maintenance-on', { host: 'web-1', path: '/opt/garden/maintenance.flag', why: 'release 4.2', expiresAt: Date.parse('2026-12-01T02:00:00Z') }],
    ]);
    expect('operations' in plan && bind(plan.operations[0]!).description.lines).toEqual(['writes /opt/garden/maintenance.flag: who (your login), when (now), why: release 4.2, expires 2026-12-01T02:00:00.000Z']);
    expect(maintenancePlan(config, false, 'box', { why: '' })).toEqual({ error: 'no maintenance flag configured for box (hosts.box.maintenance: PATH)' });
  });
});
