import { describe, expect, it } from 'vitest';
import { applyProcesses, applyResources, applyServices, applySourceError, applySourceOk, EVENT_LIMIT, HISTORY_LENGTH, hostView, pendingSource, withEvents } from '../../src/app/apply.js';
import { DEFAULT_THRESHOLDS } from '../../src/app/config/resolve.js';
import { emptyData, type DataState } from '../../src/app/store.js';
import type { DiskStat, HostConfig, OpsEvent, ResourceSample, ServicesSample, UnitState } from '../../src/domain/model.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';

const WEB1: HostConfig = {
  name: 'web-1',
  local: false,
  ssh: 'deploy@10.0.0.5:22',
  services: ['garden-backend.service', 'nginx.service'],
  systemctl: 'systemctl',
  sudo: false,
  logs: 'auto',
  thresholds: DEFAULT_THRESHOLDS,
};

function withHost(config: HostConfig = WEB1): DataState {
  return { ...emptyData(), hostOrder: [config.name], hosts: { [config.name]: hostView(config) } };
}

function disk(mount: string, usedPercent: number): DiskStat {
  return { mount, fs: `/dev/${mount.replace(/\W/g, '') || 'root'}`, type: 'ext4', sizeBytes: 100e9, usedBytes: usedPercent * 1e9, usedPercent };
}

function sample(at: number, cpu: number, memory = 40, disks: DiskStat[] = [disk('/', 50)], rx = 1000, tx = 500): ResourceSample {
  return {
    at,
    cpu: { totalPercent: cpu, perCorePercent: [cpu, cpu] },
    memory: { totalBytes: 16e9, usedBytes: (memory / 100) * 16e9, usedPercent: memory, swapTotalBytes: 0, swapUsedBytes: 0 },
    disks,
    load: [1, 1, 1],
    net: { rxBytesPerSec: rx, txBytesPerSec: tx },
    uptimeSec: 1000,
  };
}

function thresholdEvents(data: DataState): OpsEvent[] {
  return data.events.filter((e) => e.kind === 'threshold');
}

describe('applyResources', () => {
  it('raises a threshold event only once the level has held for the hold ticks', () => {
    const tracker = new ThresholdTracker(3);
    let data = withHost();
    const seen: number[] = [];
    [50, 92, 93, 94, 95].forEach((cpu, tick) => {
      data = applyResources(data, WEB1, sample(tick * 2000, cpu), tracker);
      seen.push(thresholdEvents(data).length);
    });
    expect(seen).toEqual([0, 0, 0, 1, 1]);
    const [event] = thresholdEvents(data);
    expect(event).toMatchObject({ at: 6000, host: 'web-1', kind: 'threshold', level: 'crit' });
    expect(event!.message).toMatch(/cpu/);
    expect(event!.message).toContain('94%');
    expect(data.hosts['web-1']!.levels.cpu).toBe('crit');
  });

  it('shows the held level, not the latest sample, until the change is confirmed', () => {
    const tracker = new ThresholdTracker(3);
    let data = withHost();
    data = applyResources(data, WEB1, sample(0, 50), tracker);
    data = applyResources(data, WEB1, sample(2000, 99), tracker);
    expect(data.hosts['web-1']!.levels.cpu).toBe('ok');
    expect(data.hosts['web-1']!.resources!.cpu.totalPercent).toBe(99);
  });

  it('reports going back to normal as an info event', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    for (const [i, memory] of [95, 95, 30, 30, 30].entries()) data = applyResources(data, WEB1, sample(i * 2000, 10, memory), tracker);
    expect(thresholdEvents(data).map((e) => e.level)).toEqual(['crit', 'info']);
    expect(thresholdEvents(data)[1]!.message).toMatch(/memory.*normal/);
    expect(data.hosts['web-1']!.levels.memory).toBe('ok');
  });

  it('a disk event names the fullest mount', () => {
    const tracker = new ThresholdTracker(1);
    const data = applyResources(withHost(), WEB1, sample(0, 10, 40, [disk('/', 40), disk('/var/lib/postgresql', 93), disk('/boot', 20)]), tracker);
    const [event] = thresholdEvents(data);
    expect(event!.message).toContain('/var/lib/postgresql');
    expect(event!.level).toBe('crit');
    expect(data.hosts['web-1']!.levels.disk).toBe('crit');
  });

  it('uses the host\'s own thresholds', () => {
    const strict: HostConfig = { ...WEB1, thresholds: { ...DEFAULT_THRESHOLDS, cpu: { warn: 30, crit: 40 } } };
    const data = applyResources(withHost(strict), strict, sample(0, 35), new ThresholdTracker(1));
    expect(data.hosts['web-1']!.levels.cpu).toBe('warn');
  });

  it('records history, keeping only the newest HISTORY_LENGTH samples', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    const total = HISTORY_LENGTH + 15;
    for (let i = 0; i < total; i++) data = applyResources(data, WEB1, sample(i * 1000, i % 100, 40, undefined, i, 2 * i), tracker);
    const history = data.history['web-1']!;
    for (const series of [history.cpu, history.memory, history.rx, history.tx]) expect(series).toHaveLength(HISTORY_LENGTH);
    expect(history.rx[0]).toBe(total - HISTORY_LENGTH);
    expect(history.rx.at(-1)).toBe(total - 1);
    expect(history.tx.at(-1)).toBe(2 * (total - 1));
    expect(history.cpu.at(-1)).toBe((total - 1) % 100);
  });

  it('leaves the previous state untouched (panes compare by identity)', () => {
    const tracker = new ThresholdTracker(1);
    const before = applyResources(withHost(), WEB1, sample(0, 20), tracker);
    const historyBefore = before.history['web-1']!.cpu;
    const after = applyResources(before, WEB1, sample(1000, 95), tracker);
    expect(historyBefore).toEqual([20]);
    expect(before.hosts['web-1']!.levels.cpu).toBe('ok');
    expect(before.events).toEqual([]);
    expect(after).not.toBe(before);
  });

  it('ignores a host that is not in the data', () => {
    const data = withHost();
    const other: HostConfig = { ...WEB1, name: 'web-9' };
    expect(applyResources(data, other, sample(0, 99), new ThresholdTracker(1))).toBe(data);
  });
});

function unit(name: string, active: string, sub: string, restarts = 0): UnitState {
  return { name, description: name, load: 'loaded', active, sub, restarts };
}

function services(at: number, units: UnitState[]): ServicesSample {
  return { at, units };
}

describe('applyServices', () => {
  it('a unit that goes failed is a crit event naming it', () => {
    let data = withHost();
    data = applyServices(data, 'web-1', services(0, [unit('garden-backend.service', 'active', 'running'), unit('nginx.service', 'active', 'running')]));
    expect(data.events).toEqual([]);
    data = applyServices(data, 'web-1', services(2000, [unit('garden-backend.service', 'failed', 'failed'), unit('nginx.service', 'active', 'running')]));
    expect(data.events).toHaveLength(1);
    expect(data.events[0]).toMatchObject({ at: 2000, host: 'web-1', kind: 'unit', level: 'crit' });
    expect(data.events[0]!.message).toContain('garden-backend.service');
    expect(data.events[0]!.message).toContain('failed');
    expect(data.hosts['web-1']!.services!.units[0]!.active).toBe('failed');
  });

  it('a unit already failed when opsdeck starts is reported once', () => {
    let data = withHost();
    data = applyServices(data, 'web-1', services(0, [unit('garden-backend.service', 'failed', 'failed')]));
    data = applyServices(data, 'web-1', services(2000, [unit('garden-backend.service', 'failed', 'failed')]));
    expect(data.events.map((e) => e.level)).toEqual(['crit']);
  });

  it('coming back to active is an info event; restarts while active are a warning', () => {
    let data = withHost();
    data = applyServices(data, 'web-1', services(0, [unit('garden-backend.service', 'failed', 'failed', 2)]));
    data = applyServices(data, 'web-1', services(2000, [unit('garden-backend.service', 'active', 'running', 3)]));
    data = applyServices(data, 'web-1', services(4000, [unit('garden-backend.service', 'active', 'running', 4)]));
    expect(data.events.map((e) => e.level)).toEqual(['crit', 'info', 'warn']);
    expect(data.events[2]!.message).toMatch(/restart/);
  });

  it('no change, no event', () => {
    let data = withHost();
    const units = [unit('nginx.service', 'active', 'running')];
    data = applyServices(data, 'web-1', services(0, units));
    data = applyServices(data, 'web-1', services(2000, units));
    expect(data.events).toEqual([]);
  });
});

describe('source health', () => {
  const source = { id: 'web-1:resources', host: 'web-1', kind: 'resources' as const, label: 'web-1 resources' };

  function withSource(): DataState {
    return { ...withHost(), sources: { [source.id]: pendingSource(source, 0) } };
  }

  it('a source that never delivered data is in error, with a warning event', () => {
    const data = applySourceError(withSource(), source.id, 'ssh: connect ECONNREFUSED', 1000, 'is sshd running?');
    expect(data.sources[source.id]).toMatchObject({ status: 'error', error: 'ssh: connect ECONNREFUSED', hint: 'is sshd running?', since: 1000 });
    expect(data.events).toHaveLength(1);
    expect(data.events[0]).toMatchObject({ kind: 'source', level: 'warn', host: 'web-1' });
    expect(data.events[0]!.message).toContain('ECONNREFUSED');
  });

  it('a source with data that then fails is stale (its values stay), with a crit event', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out after 5s', 7000);
    expect(data.sources[source.id]).toMatchObject({ status: 'stale', error: 'timed out after 5s', since: 7000, lastOkAt: 1000 });
    expect(data.events.map((e) => [e.kind, e.level])).toEqual([['source', 'crit']]);
    expect(data.events[0]!.message).toContain('timed out after 5s');
  });

  it('the same failure again changes nothing', () => {
    const once = applySourceError(withSource(), source.id, 'boom', 1000);
    expect(applySourceError(once, source.id, 'boom', 3000)).toBe(once);
  });

  it('a different failure while down updates the error, keeps since, and is not a new event', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out', 5000);
    data = applySourceError(data, source.id, 'connection reset', 9000);
    expect(data.sources[source.id]).toMatchObject({ status: 'stale', error: 'connection reset', since: 5000 });
    expect(data.events).toHaveLength(1);
  });

  it('recovering after a failure is an info event saying how long it was down', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out', 10_000);
    data = applySourceOk(data, source.id, 100_000);
    expect(data.sources[source.id]).toMatchObject({ status: 'ok', since: 100_000, lastOkAt: 100_000 });
    expect(data.sources[source.id]!.error).toBeUndefined();
    expect(data.sources[source.id]!.hint).toBeUndefined();
    const back = data.events.at(-1)!;
    expect(back).toMatchObject({ kind: 'source', level: 'info', at: 100_000 });
    expect(back.message).toMatch(/back after 1m30s/);
  });

  it('recovering from a never-worked error is also an event', () => {
    let data = applySourceError(withSource(), source.id, 'no route to host', 1000);
    data = applySourceOk(data, source.id, 4000);
    expect(data.events.map((e) => e.level)).toEqual(['warn', 'info']);
    expect(data.events[1]!.message).toMatch(/back after 3s/);
  });

  it('the first success and later successes are not events', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceOk(data, source.id, 3000);
    expect(data.events).toEqual([]);
    expect(data.sources[source.id]).toMatchObject({ status: 'ok', since: 1000, lastOkAt: 3000 });
  });

  it('an unknown source id changes nothing', () => {
    const data = withSource();
    expect(applySourceOk(data, 'nope', 1)).toBe(data);
    expect(applySourceError(data, 'nope', 'x', 1)).toBe(data);
  });
});

describe('withEvents', () => {
  it(`keeps the newest ${EVENT_LIMIT} events`, () => {
    const make = (n: number): OpsEvent => ({ at: n, host: 'web-1', kind: 'log', level: 'info', message: `e${n}` });
    let data = withHost();
    data = withEvents(data, Array.from({ length: EVENT_LIMIT - 2 }, (_, i) => make(i)));
    data = withEvents(data, [make(EVENT_LIMIT - 2), make(EVENT_LIMIT - 1), make(EVENT_LIMIT), make(EVENT_LIMIT + 1)]);
    expect(data.events).toHaveLength(EVENT_LIMIT);
    expect(data.events[0]!.at).toBe(2);
    expect(data.events.at(-1)!.at).toBe(EVENT_LIMIT + 1);
  });

  it('no events: the same data object', () => {
    const data = withHost();
    expect(withEvents(data, [])).toBe(data);
  });
});

describe('text from hosts reaches the store terminal-safe', () => {
  const ESC = /[\u001b\u0007\u009b]/;
  const hostile = 'x\u001b]0;pwned\u0007\u001b[2Jy';

  it('process names and users', () => {
    const p = { pid: 1, name: hostile, user: hostile, cpuPercent: 1, memBytes: 1 };
    const data = applyProcesses(withHost(), 'web-1', { at: 1, byCpu: [p], byMemory: [p] });
    const stored = data.hosts['web-1']!.processes!;
    for (const row of [...stored.byCpu, ...stored.byMemory]) {
      expect(row.name).toBe('xy');
      expect(row.user).not.toMatch(ESC);
    }
  });

  it('unit names and descriptions', () => {
    const unit: UnitState = { name: 'a.service', description: hostile, load: 'loaded', active: 'active', sub: hostile };
    const stored = applyServices(withHost(), 'web-1', { at: 1, units: [unit] }).hosts['web-1']!.services!.units[0]!;
    expect(stored.description).toBe('xy');
    expect(stored.sub).toBe('xy');
  });

  it('mount points', () => {
    const data = applyResources(withHost(), WEB1, sample(1, 10, 40, [disk(`/mnt/${hostile}`, 10)]), new ThresholdTracker(1));
    expect(data.hosts['web-1']!.resources!.disks[0]!.mount).toBe('/mnt/xy');
  });

  it('errors and hints carrying remote stderr', () => {
    let data = withHost();
    data = { ...data, sources: { 'web-1:services': pendingSource({ id: 'web-1:services', host: 'web-1', kind: 'services', label: 'services' }, 0) } };
    data = applySourceError(data, 'web-1:services', `systemctl: ${hostile}`, 1, hostile);
    expect(data.sources['web-1:services']!.error).toBe('systemctl: xy');
    expect(data.sources['web-1:services']!.hint).toBe('xy');
    expect(data.events.at(-1)!.message).not.toMatch(ESC);
  });
});
