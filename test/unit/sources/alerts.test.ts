// The alerts kind on answers captured from Debian's Alertmanager 0.25 (test/fixtures/prometheus/):
// parsing, which host each alert lands on, the events when one starts and stops firing; and the
// HTTP client's deadline against a server that never answers (a Prometheus that hangs).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { reduceAlerts } from '../../../src/app/sources/alerts/reduce.js';
import { ALERTS_SOURCE } from '../../../src/app/sources/alerts/id.js';
import type { DataState } from '../../../src/app/store.js';
import { parseAlerts } from '../../../src/services/alertmanager/client.js';
import { requestJson } from '../../../src/services/prometheus/http.js';
import { withHost, WEB1 } from '../../helpers/fixtures.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/prometheus/${name}`, import.meta.url), 'utf8'));
const alerts = parseAlerts(fixture('alertmanager-alerts.json'));
const AT = Date.parse('2026-12-01T03:30:00Z');

function watched(): DataState {
  const data = withHost(WEB1);
  return { ...data, alerts: { url: 'http://am:9093', list: [] } };
}

describe('parseAlerts on a captured answer', () => {
  it('keeps each alert\'s labels, summary (or description), start and whether a silence holds it', () => {
    const byInstance = Object.fromEntries(alerts.map((a) => [a.labels.instance ?? a.labels.host, a]));
    expect(byInstance['web-1']).toMatchObject({ state: 'active', summary: 'load above 8 for 5m', silencedBy: [] });
    expect(byInstance['web-2']).toMatchObject({ state: 'suppressed', silencedBy: [expect.any(String)] });
    expect(byInstance['db-1']).toMatchObject({ state: 'active', summary: 'disk / at 95%' });
    expect(byInstance['web-1']!.since).toBeLessThan(byInstance['db-1']!.since);
  });

  it('an answer that is not a list is an error, not an empty view', () => {
    expect(() => parseAlerts({ code: 500, message: 'oops' })).toThrow('Alertmanager answered something other than a list of alerts');
  });
});

describe('reduceAlerts', () => {
  it('puts a firing alert on the host its instance names, groups the view by name, and says when it fires and stops', () => {
    let data = reduceAlerts(watched(), ALERTS_SOURCE, { at: AT, alerts });
    expect(data.hosts['web-1']?.firingAlerts).toEqual(['HighLoad']);
    expect(data.alerts!.list.map((a) => [a.name, a.host ?? null, a.state])).toEqual([
      ['DiskFull', null, 'active'],
      ['HighLoad', 'web-1', 'active'],
      ['HighLoad', null, 'suppressed'],
    ]);
    // A silenced alert is not news; an alert on a host opsdeck does not watch still names its machine.
    expect(data.events.map((e) => `${e.host} ${e.level} ${e.message}`)).toEqual(['db-1 warn alert DiskFull firing: disk / at 95%', 'web-1 crit alert HighLoad firing: load above 8 for 5m']);
    data = reduceAlerts(data, ALERTS_SOURCE, { at: AT + 15_000, alerts: alerts.filter((a) => a.labels.instance !== 'web-1') });
    expect(data.hosts['web-1']?.firingAlerts).toBeUndefined();
    expect(data.events.at(-1)).toMatchObject({ host: 'web-1', level: 'info', message: 'alert HighLoad no longer firing' });
  });
});

describe('requestJson', () => {
  it('gives up when the signal says so, saying it had no answer in time', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await expect(requestJson({ url }, 'GET', '/api/v1/query?query=up', AbortSignal.timeout(300))).rejects.toThrow('no answer in time');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
