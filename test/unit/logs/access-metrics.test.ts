// The access meter's figures over known traffic, and its memory staying bounded.
import { describe, expect, it } from 'vitest';
import { AccessMeter, type AccessLogSpec } from '../../../src/domain/access-metrics.js';
import { SlidingCounts, TopKeys, TOP_KEYS_PER_MINUTE, OTHER } from '../../../src/domain/sliding-window.js';

const SPEC: AccessLogSpec = { format: 'nginx', errorRate: { warn: 1, crit: 5 }, windowSec: 60, minRequests: 20 };
const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);

function stamp(ms: number): string {
  const d = new Date(ms);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

const line = (ms: number, status: number, path = '/api', client = '10.0.0.1') => `${client} - - [${stamp(ms)}] "GET ${path} HTTP/1.1" ${status} 3 "-" "curl/7.88.1"`;

/** `seconds` seconds of 20 requests each: 14 × 200, 4 × 404, 2 × 503 (10 % 5xx). */
function traffic(meter: AccessMeter, fromMs: number, seconds: number): void {
  for (let s = 0; s < seconds; s++) {
    const at = fromMs + s * 1000;
    for (let i = 0; i < 20; i++) meter.line(line(at, i < 14 ? 200 : i < 18 ? 404 : 503, `/p${i % 3}`, `10.0.0.${i % 4}`), at + 500);
  }
}

describe('AccessMeter', () => {
  it('counts a known mix: requests per second, 4xx and 5xx per minute, the 5xx share over the window', () => {
    const meter = new AccessMeter(SPEC);
    traffic(meter, T0, 90);
    const m = meter.read(T0 + 90_000);
    expect(m.requestsPerSec).toBe(20);
    expect(m.lastMinute).toEqual({ requests: 1200, clientErrors: 240, serverErrors: 120, unparsed: 0 });
    expect(m.window).toEqual({ seconds: 60, requests: 1200, serverErrors: 120, errorRate: 10, judged: true });
    expect(m.top.statuses).toEqual([
      { key: '200', count: 1260 },
      { key: '404', count: 360 },
      { key: '503', count: 180 },
    ]);
    expect(m.top.clients.map((k) => k.key)).toEqual(['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('leaves out the second under way, and counts a request in the second its server logged it', () => {
    const meter = new AccessMeter(SPEC);
    // Written at 02:00:10 but arriving 3 s late (a slow follower): still second 10.
    meter.line(line(T0 + 10_000, 200), T0 + 13_000);
    meter.line(line(T0 + 13_000, 500), T0 + 13_200);
    expect(meter.read(T0 + 13_500).window.requests).toBe(1);
    expect(meter.read(T0 + 14_000).window).toMatchObject({ requests: 2, serverErrors: 1, errorRate: 50, judged: false });
  });

  it('does not count a backlog older than the window, and counts a line from a clock ahead as now', () => {
    const meter = new AccessMeter(SPEC);
    for (let i = 0; i < 100; i++) meter.line(line(T0 - 3_600_000, 500), T0);
    meter.line(line(T0 + 3_600_000, 200), T0);
    expect(meter.read(T0 + 1000).window).toMatchObject({ requests: 1, serverErrors: 0 });
  });

  it('counts lines that are not requests in its format apart', () => {
    const meter = new AccessMeter({ ...SPEC, format: 'json' });
    meter.line(line(T0, 200), T0);
    meter.line('{"status":200,"path":"/"}', T0);
    expect(meter.read(T0 + 1000).lastMinute).toMatchObject({ requests: 1, unparsed: 1 });
  });

  it('slides: an hour later nothing of the burst is left', () => {
    const meter = new AccessMeter(SPEC);
    traffic(meter, T0, 10);
    const later = meter.read(T0 + 3_600_000);
    expect(later.window.requests).toBe(0);
    expect(later.requestsPerSec).toBe(0);
    expect(later.top.paths).toEqual([]);
  });
});

describe('bounded memory', () => {
  it('a ring of buckets forgets a lap ago, and refuses a second older than it reaches', () => {
    const counts = new SlidingCounts(10);
    counts.add(5);
    counts.add(15);
    expect(counts.sum(0, 20)).toBe(1);
    expect(counts.add(4)).toBe(false);
  });

  it('a minute of a million distinct paths keeps a bounded map: the rest count as one key', () => {
    const top = new TopKeys(5);
    for (let i = 0; i < 100_000; i++) top.add(0, `/scan/${i}`);
    const keys = top.top(1000, 0);
    expect(keys.length).toBe(TOP_KEYS_PER_MINUTE + 1);
    expect(keys[0]).toEqual({ key: OTHER, count: 100_000 - TOP_KEYS_PER_MINUTE });
  });
});
