// A resources sample into its host: terminal-safe mount names, levels with hold ticks, history rings.
import type { ResourceSample } from '../../../domain/model.js';
import type { SourceId } from '../../../domain/source-id.js';
import { safeText, withEvents } from '../../apply.js';
import type { DataState, HostHistory } from '../../store.js';
import type { ReduceContext } from '../kind.js';
import { judgeHost } from './levels.js';

export const HISTORY_LENGTH = 120;

function pushCapped(series: readonly number[], value: number): number[] {
  const next = series.length >= HISTORY_LENGTH ? series.slice(series.length - HISTORY_LENGTH + 1) : [...series];
  next.push(value);
  return next;
}

export function reduceResources(data: DataState, id: SourceId<'resources'>, raw: ResourceSample, { tracker }: ReduceContext): DataState {
  const host = data.hosts[id.host];
  if (!host) return data;
  const sample: ResourceSample = { ...raw, disks: raw.disks.map((d) => ({ ...d, mount: safeText(d.mount), fs: safeText(d.fs), type: safeText(d.type) })) };
  const { levels, events } = judgeHost(id, sample, host.thresholds, tracker, host.levels);
  const previous: HostHistory = data.history[id.host] ?? { cpu: [], memory: [], rx: [], tx: [] };
  const history: HostHistory = {
    cpu: pushCapped(previous.cpu, sample.cpu.totalPercent),
    memory: pushCapped(previous.memory, sample.memory.usedPercent),
    rx: pushCapped(previous.rx, sample.net.rxBytesPerSec),
    tx: pushCapped(previous.tx, sample.net.txBytesPerSec),
  };
  const next: DataState = {
    ...data,
    hosts: { ...data.hosts, [id.host]: { ...host, resources: sample, levels } },
    history: { ...data.history, [id.host]: history },
  };
  return withEvents(next, events);
}
