// A host's levels, judged once per sample through the hold-tick tracker: the one place they are
// decided, so the Hosts row, Resources, Events and the snapshot cannot disagree.
import type { HostLevels, Level, OpsEvent, ResourceSample, ThresholdPair, Thresholds } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { worstLevel, type LevelChange, type ThresholdTracker } from '../../../domain/thresholds.js';

function thresholdMessage(what: string, value: number, pair: ThresholdPair, change: LevelChange): string {
  return change.to === 'ok'
    ? `${what} back to normal: ${value.toFixed(0)}% (from ${change.from})`
    : `${what} ${change.to}: ${value.toFixed(0)}% (${change.to === 'crit' ? `crit ${pair.crit}` : `warn ${pair.warn}`}%)`;
}

function sameLevels(a: HostLevels, b: HostLevels): boolean {
  const mounts = Object.keys(a.disks);
  return (
    a.cpu === b.cpu &&
    a.memory === b.memory &&
    a.disk === b.disk &&
    mounts.length === Object.keys(b.disks).length &&
    mounts.every((mount) => a.disks[mount] === b.disks[mount]) &&
    a.cores.length === b.cores.length &&
    a.cores.every((level, i) => level === b.cores[i])
  );
}

/** The sample's levels and the threshold events it causes; the previous levels object when nothing moved. */
export function judgeHost(id: SourceId<'resources'>, sample: ResourceSample, thresholds: Thresholds, tracker: ThresholdTracker, previous: HostLevels): { levels: HostLevels; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const judge = (metric: string, what: string, value: number, pair: ThresholdPair): Level => {
    const key = `${sourceKey(id)}:${metric}`;
    const change = tracker.observe(key, value, pair);
    if (change) events.push({ at: sample.at, host: id.host, kind: 'threshold', level: change.to === 'ok' ? 'info' : change.to, message: thresholdMessage(what, value, pair, change) });
    return tracker.level(key);
  };
  const cpu = judge('cpu', 'cpu', sample.cpu.totalPercent, thresholds.cpu);
  const memory = judge('memory', 'memory', sample.memory.usedPercent, thresholds.memory);
  const disks = Object.fromEntries(sample.disks.map((d) => [d.mount, judge(`disk:${d.mount}`, `disk (${d.mount})`, d.usedPercent, thresholds.disk)]));
  // Cores only colour the per-core strip: one busy core is not news, the total is.
  const cores = sample.cpu.perCorePercent.map((percent, i) => {
    const key = `${sourceKey(id)}:core:${i}`;
    tracker.observe(key, percent, thresholds.cpu);
    return tracker.level(key);
  });
  const levels: HostLevels = { cpu, memory, disk: worstLevel(Object.values(disks)), disks, cores };
  return { levels: sameLevels(levels, previous) ? previous : levels, events };
}
