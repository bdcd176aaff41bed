// A host's levels, judged once per sample through the hold-tick tracker: the one place they are
// decided, so the Hosts row, Resources, Events and the snapshot cannot disagree.
import type { HostLevels, Level, OpsEvent, ResourceSample, ThresholdPair, Thresholds } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { crossedBound, worstLevel, type LevelChange, type ThresholdTracker } from '../../../domain/thresholds.js';

/** How a metric's value and thresholds are written: percent, or load per core. */
interface Unit {
  value(v: number): string;
  suffix: string;
}
const PERCENT: Unit = { value: (v) => v.toFixed(0), suffix: '%' };
const PER_CORE: Unit = { value: (v) => v.toFixed(2), suffix: ' per core' };

function thresholdMessage(what: string, value: number, pair: ThresholdPair, change: LevelChange, unit: Unit): string {
  const reading = `${unit.value(value)}${unit.suffix}`;
  return change.to === 'ok'
    ? `${what} back to normal: ${reading} (from ${change.from})`
    : `${what} ${change.to}: ${reading} (${crossedBound(change, pair, unit.suffix)})`;
}

function sameLevels(a: HostLevels, b: HostLevels): boolean {
  const mounts = Object.keys(a.disks);
  return (
    a.cpu === b.cpu &&
    a.memory === b.memory &&
    a.disk === b.disk &&
    a.load === b.load &&
    mounts.length === Object.keys(b.disks).length &&
    mounts.every((mount) => a.disks[mount] === b.disks[mount]) &&
    a.cores.length === b.cores.length &&
    a.cores.every((level, i) => level === b.cores[i])
  );
}

/** "4.60 on 2 cores": the load as its threshold judges it, before the division. */
export function loadOnCores(sample: ResourceSample): string {
  const cores = sample.cpu.perCorePercent.length;
  return `${sample.load[0].toFixed(2)} on ${cores} ${cores === 1 ? 'core' : 'cores'}`;
}

/** The 1-minute load average per core, as the load threshold judges it. */
export function loadPerCore(sample: ResourceSample): number {
  return sample.load[0] / Math.max(1, sample.cpu.perCorePercent.length);
}

/** The sample's levels and the threshold events it causes; the previous levels object when nothing moved. */
export function judgeHost(id: SourceId<'resources'>, sample: ResourceSample, thresholds: Thresholds, tracker: ThresholdTracker, previous: HostLevels): { levels: HostLevels; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const judge = (metric: string, what: string, value: number, pair: ThresholdPair, unit = PERCENT, kind: 'state' | 'rate' = 'state'): Level => {
    const key = `${sourceKey(id)}:${metric}`;
    const change = tracker.observe(key, value, pair, kind);
    if (change) events.push({ at: sample.at, host: id.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message: thresholdMessage(what, value, pair, change, unit) });
    return tracker.level(key);
  };
  const cpu = judge('cpu', 'cpu', sample.cpu.totalPercent, thresholds.cpu, PERCENT, 'rate');
  const memory = judge('memory', 'memory', sample.memory.usedPercent, thresholds.memory);
  const disks = Object.fromEntries(sample.disks.map((d) => [d.mount, judge(`disk:${d.mount}`, `disk (${d.mount})`, d.usedPercent, thresholds.disk)]));
  // A sample that names no cores (none read this time) cannot say what its load means: the level stands.
  const cpus = sample.cpu.perCorePercent.length;
  const load = cpus > 0 ? judge('load', 'load', loadPerCore(sample), thresholds.load, PER_CORE) : previous.load;
  // Cores only colour the per-core strip: one busy core is not news, the total is.
  const cores = sample.cpu.perCorePercent.map((percent, i) => {
    const key = `${sourceKey(id)}:core:${i}`;
    tracker.observe(key, percent, thresholds.cpu, 'rate');
    return tracker.level(key);
  });
  const levels: HostLevels = { cpu, memory, disk: worstLevel(Object.values(disks)), disks, load, cores };
  return { levels: sameLevels(levels, previous) ? previous : levels, events };
}
