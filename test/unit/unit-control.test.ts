// How a unit's state after restart/reload/start/stop is judged, and where its log is found without journald.
import { describe, expect, it } from 'vitest';
import type { UnitState } from '../../src/domain/model.js';
import { judgeUnit, unitCommand } from '../../src/domain/unit-control.js';
import { daemonlessLogPath } from '../../src/services/systemd/control.js';

const unit = (active: string, sub: string, mainPid?: number, load = 'loaded'): UnitState => ({ name: 'app.service', description: '', load, active, sub, mainPid });

describe('judgeUnit', () => {
  it('restart is done only once the unit runs under a new MainPID', () => {
    const before = unit('active', 'running', 100);
    expect(judgeUnit('restart', before, unit('active', 'running', 100))).toBe('pending');
    expect(judgeUnit('restart', before, unit('activating', 'start', 101))).toBe('pending');
    expect(judgeUnit('restart', before, unit('active', 'running', 101))).toBe('ok');
    expect(judgeUnit('restart', unit('inactive', 'dead'), unit('active', 'running', 5))).toBe('ok');
  });

  it('failed is failed whatever the verb; an unknown unit too', () => {
    for (const verb of ['restart', 'reload', 'start', 'stop'] as const) expect(judgeUnit(verb, undefined, unit('failed', 'failed'))).toBe('failed');
    expect(judgeUnit('start', undefined, unit('inactive', 'dead', undefined, 'not-found'))).toBe('failed');
  });

  it('stop wants inactive; start and reload want active', () => {
    expect(judgeUnit('stop', undefined, unit('deactivating', 'stop-sigterm', 7))).toBe('pending');
    expect(judgeUnit('stop', undefined, unit('inactive', 'dead'))).toBe('ok');
    expect(judgeUnit('start', undefined, unit('inactive', 'dead'))).toBe('pending');
    expect(judgeUnit('start', undefined, unit('active', 'running', 9))).toBe('ok');
    expect(judgeUnit('reload', undefined, unit('reloading', 'running', 9))).toBe('pending');
    expect(judgeUnit('reload', undefined, unit('active', 'running', 9))).toBe('ok');
  });
});

describe('unitCommand', () => {
  it('is systemctl VERB -- UNIT, behind sudo -n when the host says so (never a password prompt)', () => {
    expect(unitCommand({ systemctl: 'systemctl', sudo: false }, 'restart', '-.mount')).toEqual(['systemctl', 'restart', '--', '-.mount']);
    expect(unitCommand({ systemctl: '/usr/bin/systemctl', sudo: true }, 'stop', 'app.service')).toEqual(['sudo', '-n', '/usr/bin/systemctl', 'stop', '--', 'app.service']);
  });
});

describe('daemonlessLogPath', () => {
  it('is ROOT/var/log/journal/UNIT.log, ROOT being above the unit file the status names', () => {
    const status = 'app.service - App\n    Loaded: loaded (/srv/t/root/etc/systemd/system/app.service, static)\n    Active: failed (failed)';
    expect(daemonlessLogPath(status, 'app.service')).toBe('/srv/t/root/var/log/journal/app.service.log');
    expect(daemonlessLogPath('app.service - App\n    Loaded: failed', 'app.service')).toBeUndefined();
  });
});
