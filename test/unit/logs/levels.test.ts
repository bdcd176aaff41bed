// A log's samples through the reducer: levels with hold ticks, one event per crossing, and a quiet
// log's second that changes nothing leaves the store as it was (nothing drawn again).
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../../src/app/config/default-keys.js';
import { resolveConfig } from '../../../src/app/config/resolve.js';
import type { DataState, LogView } from '../../../src/app/store.js';
import { emptyData } from '../../../src/app/store.js';
import { reduceResult } from '../../../src/app/sources/registry.js';
import type { AccessMetrics } from '../../../src/domain/access-metrics.js';
import type { LogMetricsSample } from '../../../src/domain/log-meters.js';
import { sourceKey, type SourceId } from '../../../src/domain/source-id.js';
import { ThresholdTracker } from '../../../src/domain/thresholds.js';

const id: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '0' };

function seeded(): DataState {
  const config = resolveConfig(
    { hosts: { 'web-1': { ssh: 'web-1', logs: [{ file: '/var/log/nginx/access.log', label: 'nginx', format: 'nginx' }] } }, rules: { brute: { log: 'nginx', match: '^(?<key>\\S+) .* 401 ', threshold: 20 } } },
    null,
    loadDefaultBindings(),
  ).config;
  const log = config.hosts[0]!.logs;
  if (log === 'auto') throw new Error('configured logs expected');
  const view: LogView = { id, host: 'web-1', label: 'nginx', lines: [], access: { spec: log[0]!.access!, level: 'ok' }, rules: [{ spec: log[0]!.rules![0]!, top: [], alerts: [] }] };
  return { ...emptyData(), logs: { [sourceKey(id)]: view } };
}

function metrics(at: number, requests: number, serverErrors: number): AccessMetrics {
  return {
    at,
    requestsPerSec: requests / 300,
    lastMinute: { requests, clientErrors: 0, serverErrors, unparsed: 0 },
    window: { seconds: 300, requests, serverErrors, errorRate: requests > 0 ? (serverErrors / requests) * 100 : undefined, judged: requests >= 20 },
    top: { statuses: [], paths: [], clients: [] },
  };
}

const sample = (at: number, serverErrors: number, keys: { key: string; count: number }[] = []): LogMetricsSample => ({ at, access: metrics(at, 100, serverErrors), rules: [{ name: 'brute', keys }] });

describe('a log\'s levels', () => {
  it('holds a crossing for `hold` samples, then raises one event; a quiet second keeps the very same data', () => {
    const tracker = new ThresholdTracker(2);
    const reduce = (data: DataState, s: LogMetricsSample) => reduceResult(data, id, { metrics: s }, { at: s.at, tracker });
    let data = reduce(seeded(), sample(1000, 0));
    data = reduce(data, sample(2000, 10));
    const view = () => data.logs[sourceKey(id)]!;
    expect(view().access!.level).toBe('ok');
    data = reduce(data, sample(3000, 10));
    expect(view().access!.level).toBe('crit');
    expect(data.events.map((e) => [e.level, e.message])).toEqual([['crit', 'nginx: 5xx rate crit: 10% (10 of 100 requests in 5m; crit 5%)']]);
    const quiet = reduce(data, sample(4000, 10));
    expect(quiet).toBe(data);
  });

  it('a rule\'s key at its threshold alerts by name; back under it, it clears with an event', () => {
    const tracker = new ThresholdTracker(1);
    const reduce = (data: DataState, s: LogMetricsSample) => reduceResult(data, id, { metrics: s }, { at: s.at, tracker });
    let data = reduce(seeded(), sample(1000, 0, [{ key: '203.0.113.9', count: 25 }, { key: '198.51.100.7', count: 2 }]));
    const rule = () => data.logs[sourceKey(id)]!.rules![0]!;
    expect(rule().alerts).toEqual([{ key: '203.0.113.9', count: 25, level: 'crit' }]);
    expect(rule().top.map((k) => k.key)).toEqual(['203.0.113.9', '198.51.100.7']);
    data = reduce(data, sample(2000, 0, [{ key: '198.51.100.7', count: 2 }]));
    expect(rule().alerts).toEqual([]);
    expect(data.events.map((e) => [e.level, e.message])).toEqual([
      ['crit', 'brute: 25 matches from 203.0.113.9 in 5m on nginx (threshold 20)'],
      ['info', 'brute from 203.0.113.9: back under 20 in 5m on nginx (from crit)'],
    ]);
  });
});
