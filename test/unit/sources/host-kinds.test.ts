// The host kinds' reducers (resources, processes, services), fed as the runtime feeds them: levels
// with hold ticks and their events, history, unit events, terminal-safe text.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../src/app/config/resolve.js';
import { HISTORY_LENGTH } from '../../../src/app/sources/resources/reduce.js';
import { reduceResult, type SourceResult } from '../../../src/app/sources/registry.js';
import type { DataState } from '../../../src/app/store.js';
import type { DiskStat, HostConfig, OpsEvent, ResourceSample, ServicesSample, UnitState } from '../../../src/domain/model.js';
import { hostSourceId } from '../../../src/domain/source-id.js';
import { ThresholdTracker } from '../../../src/domain/thresholds.js';
import { WEB1, withHost } from '../../helpers/fixtures.js';

function reduce<K extends 'resources' | 'processes' | 'services'>(data: DataState, kind: K, result: SourceResult<K>, tracker = new ThresholdTracker(1), host = 'web-1'): DataState {
  return reduceResult(data, hostSourceId(host, kind), result, { at: 0, tracker });
}

function disk(mount: string, usedPercent: number): DiskStat {
  return { mount, fs: `/dev/${mount.replace(/\W/g, '') || 'root'}`, type: 'ext4', sizeBytes: 100e9, usedBytes: usedPercent * 1e9, usedPercent };
}

function sample(at: number, cpu: number, memory = 40, disks: DiskStat[] = [disk('/', 50)], rx = 1000, tx = 500, cores = [cpu, cpu]): ResourceSample {
  return {
    at,
    cpu: { totalPercent: cpu, perCorePercent: cores },
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

describe('resources', () => {
  it('raises a threshold event only once the level has held for the hold ticks', () => {
    const tracker = new ThresholdTracker(3);
    let data = withHost();
    const seen: number[] = [];
    [50, 92, 93, 94, 95].forEach((cpu, tick) => {
      data = reduce(data, 'resources', sample(tick * 2000, cpu), tracker);
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
    data = reduce(data, 'resources', sample(0, 50), tracker);
    data = reduce(data, 'resources', sample(2000, 99), tracker);
    expect(data.hosts['web-1']!.levels.cpu).toBe('ok');
    expect(data.hosts['web-1']!.levels.cores).toEqual(['ok', 'ok']);
    expect(data.hosts['web-1']!.resources!.cpu.totalPercent).toBe(99);
  });

  it('reports going back to normal as an info event', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    for (const [i, memory] of [95, 95, 30, 30, 30].entries()) data = reduce(data, 'resources', sample(i * 2000, 10, memory), tracker);
    expect(thresholdEvents(data).map((e) => e.level)).toEqual(['crit', 'info']);
    expect(thresholdEvents(data)[1]!.message).toMatch(/memory.*normal/);
    expect(data.hosts['web-1']!.levels.memory).toBe('ok');
  });

  it('says a level easing from crit to warn eased, even when the reading is already under warn', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    // The run down from crit held warn (85) before the reading fell under it (60): warn, for now.
    for (const [i, memory] of [95, 95, 85, 60, 60, 60].entries()) data = reduce(data, 'resources', sample(i * 2000, 10, memory), tracker);
    expect(thresholdEvents(data).map((e) => [e.level, e.message])).toEqual([
      ['crit', 'memory crit: 95% (crit 90%)'],
      ['warn', 'memory warn: 60% (down from crit 90%)'],
      ['info', 'memory back to normal: 60% (from warn)'],
    ]);
  });

  it('judges each disk on its own: the event names the mount, the host\'s disk level is the worst', () => {
    const data = reduce(withHost(), 'resources', sample(0, 10, 40, [disk('/', 40), disk('/var/lib/postgresql', 93), disk('/boot', 85)]));
    expect(thresholdEvents(data).map((e) => [e.level, e.message])).toEqual([
      ['crit', 'disk (/var/lib/postgresql) crit: 93% (crit 90%)'],
      ['warn', 'disk (/boot) warn: 85% (warn 80%)'],
    ]);
    expect(data.hosts['web-1']!.levels.disks).toEqual({ '/': 'ok', '/var/lib/postgresql': 'crit', '/boot': 'warn' });
    expect(data.hosts['web-1']!.levels.disk).toBe('crit');
  });

  it('colours each core by its own level, with the same hold ticks, and without events', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    data = reduce(data, 'resources', sample(0, 40, 40, undefined, 0, 0, [10, 95]), tracker);
    data = reduce(data, 'resources', sample(2000, 40, 40, undefined, 0, 0, [10, 95]), tracker);
    expect(data.hosts['web-1']!.levels.cores).toEqual(['ok', 'crit']);
    expect(data.hosts['web-1']!.levels.cpu).toBe('ok');
    expect(thresholdEvents(data)).toEqual([]);
  });

  it('keeps the levels object while no level moves (panes compare by identity)', () => {
    const tracker = new ThresholdTracker(1);
    const first = reduce(withHost(), 'resources', sample(0, 20), tracker);
    const second = reduce(first, 'resources', sample(1000, 25), tracker);
    expect(second.hosts['web-1']!.levels).toBe(first.hosts['web-1']!.levels);
    const third = reduce(second, 'resources', sample(2000, 75), tracker);
    expect(third.hosts['web-1']!.levels).not.toBe(second.hosts['web-1']!.levels);
  });

  it('uses the host\'s own thresholds', () => {
    const strict: HostConfig = { ...WEB1, thresholds: { ...DEFAULT_THRESHOLDS, cpu: { warn: 30, crit: 40 } } };
    const data = reduce(withHost(strict), 'resources', sample(0, 35));
    expect(data.hosts['web-1']!.levels.cpu).toBe('warn');
  });

  it('records history, keeping only the newest HISTORY_LENGTH samples', () => {
    const tracker = new ThresholdTracker(2);
    let data = withHost();
    const total = HISTORY_LENGTH + 15;
    for (let i = 0; i < total; i++) data = reduce(data, 'resources', sample(i * 1000, i % 100, 40, undefined, i, 2 * i), tracker);
    const history = data.history['web-1']!;
    for (const series of [history.cpu, history.memory, history.rx, history.tx]) expect(series).toHaveLength(HISTORY_LENGTH);
    expect(history.rx[0]).toBe(total - HISTORY_LENGTH);
    expect(history.rx.at(-1)).toBe(total - 1);
    expect(history.tx.at(-1)).toBe(2 * (total - 1));
    expect(history.cpu.at(-1)).toBe((total - 1) % 100);
  });

  it('leaves the previous state untouched (panes compare by identity)', () => {
    const tracker = new ThresholdTracker(1);
    const before = reduce(withHost(), 'resources', sample(0, 20), tracker);
    const historyBefore = before.history['web-1']!.cpu;
    const after = reduce(before, 'resources', sample(1000, 95), tracker);
    expect(historyBefore).toEqual([20]);
    expect(before.hosts['web-1']!.levels.cpu).toBe('ok');
    expect(before.events).toEqual([]);
    expect(after).not.toBe(before);
  });

  it('ignores a host that is not in the data', () => {
    const data = withHost();
    expect(reduce(data, 'resources', sample(0, 99), new ThresholdTracker(1), 'web-9')).toBe(data);
  });
});

function unit(name: string, active: string, sub: string, restarts = 0): UnitState {
  return { name, description: name, load: 'loaded', active, sub, restarts };
}

function services(at: number, units: UnitState[]): ServicesSample {
  return { at, units };
}

describe('services', () => {
  it('a unit that goes failed is a crit event naming it', () => {
    let data = withHost();
    data = reduce(data, 'services', services(0, [unit('garden-backend.service', 'active', 'running'), unit('nginx.service', 'active', 'running')]));
    expect(data.events).toEqual([]);
    data = reduce(data, 'services', services(2000, [unit('garden-backend.service', 'failed', 'failed'), unit('nginx.service', 'active', 'running')]));
    expect(data.events).toHaveLength(1);
    expect(data.events[0]).toMatchObject({ at: 2000, host: 'web-1', kind: 'unit', level: 'crit' });
    expect(data.events[0]!.message).toContain('garden-backend.service');
    expect(data.events[0]!.message).toContain('failed');
    expect(data.hosts['web-1']!.services!.units[0]!.active).toBe('failed');
  });

  it('a unit already failed when opsdeck starts is reported once', () => {
    let data = withHost();
    data = reduce(data, 'services', services(0, [unit('garden-backend.service', 'failed', 'failed')]));
    data = reduce(data, 'services', services(2000, [unit('garden-backend.service', 'failed', 'failed')]));
    expect(data.events.map((e) => e.level)).toEqual(['crit']);
  });

  it('coming back to active is an info event; restarts while active are a warning', () => {
    let data = withHost();
    data = reduce(data, 'services', services(0, [unit('garden-backend.service', 'failed', 'failed', 2)]));
    data = reduce(data, 'services', services(2000, [unit('garden-backend.service', 'active', 'running', 3)]));
    data = reduce(data, 'services', services(4000, [unit('garden-backend.service', 'active', 'running', 4)]));
    expect(data.events.map((e) => e.level)).toEqual(['crit', 'info', 'warn']);
    expect(data.events[2]!.message).toMatch(/restart/);
  });

  it('no change, no event', () => {
    let data = withHost();
    const units = [unit('nginx.service', 'active', 'running')];
    data = reduce(data, 'services', services(0, units));
    data = reduce(data, 'services', services(2000, units));
    expect(data.events).toEqual([]);
  });
});

describe('text from hosts reaches the store terminal-safe', () => {
  const ESC = /[\u001b\u0007\u009b]/;
  const hostile = 'x\u001b]0;pwned\u0007\u001b[2Jy';

  it('process names and users', () => {
    const p = { pid: 1, name: hostile, user: hostile, cpuPercent: 1, memBytes: 1 };
    const data = reduce(withHost(), 'processes', { at: 1, byCpu: [p], byMemory: [p] });
    const stored = data.hosts['web-1']!.processes!;
    for (const row of [...stored.byCpu, ...stored.byMemory]) {
      expect(row.name).toBe('xy');
      expect(row.user).not.toMatch(ESC);
    }
  });

  it('unit names and descriptions', () => {
    const unit: UnitState = { name: 'a.service', description: hostile, load: 'loaded', active: 'active', sub: hostile };
    const stored = reduce(withHost(), 'services', { at: 1, units: [unit] }).hosts['web-1']!.services!.units[0]!;
    expect(stored.description).toBe('xy');
    expect(stored.sub).toBe('xy');
  });

  it('mount points', () => {
    const data = reduce(withHost(), 'resources', sample(1, 10, 40, [disk(`/mnt/${hostile}`, 10)]));
    expect(data.hosts['web-1']!.resources!.disks[0]!.mount).toBe('/mnt/xy');
  });
});
