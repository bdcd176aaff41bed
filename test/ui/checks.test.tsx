// The checks on screen at 80x24 and 200x50: the Hosts row of a host with a failing check says so,
// C shows the Checks view (kind, target, from, mark, latency, days left, a sparkline of recent
// latencies, the state or why not), and Enter on a check opens its host.
import { afterEach, describe, expect, it } from 'vitest';
import { checkView } from '../../src/app/sources/check/index.js';
import { checkSourceId } from '../../src/app/sources/check/id.js';
import type { DataState } from '../../src/app/store.js';
import type { CheckSpec } from '../../src/domain/check.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, fleetConfig, fleetData, withPendingSource } from '../helpers/fixtures.js';
import { GREEN, RED, screenReader } from '../helpers/screen.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';

const DAY = 86_400_000;
/** The view reads certificate days from the run's own time: these runs are now. */
const NOW = Date.now();
const days = { warn: 30, crit: 7 };
const SPECS: CheckSpec[] = [
  { name: 'api', kind: 'http', target: 'http://127.0.0.1:5000/health', expect: 'healthy', latency: { warn: 500, crit: 1000 }, days, timeoutMs: 5000, from: 'web-1', host: 'web-1' },
  { name: 'shop', kind: 'http', target: 'https://shop.example/health', days, timeoutMs: 5000 },
  { name: 'cert', kind: 'tls', target: 'shop.example:443', days, timeoutMs: 5000 },
  { name: 'redis', kind: 'tcp', target: '10.0.0.9:6379', days, timeoutMs: 5000, host: 'db-1' },
];

/** The fleet with four checks: api answering in varied times then failing, shop ok, cert 4 days from its end, redis ok. */
function withChecks(): DataState {
  let data: DataState = { ...fleetData(), checks: Object.fromEntries(SPECS.map((s) => [s.name, checkView(s)])) };
  for (const spec of SPECS) data = withPendingSource(data, checkSourceId(spec), `check ${spec.name}`);
  const tracker = new ThresholdTracker(1);
  [40, 80, 300, 120, 60].forEach((latencyMs, i) => {
    data = deliver(data, checkSourceId(SPECS[0]!), { at: NOW - (5 - i) * 2000, status: 200, latencyMs }, tracker, NOW - (5 - i) * 2000);
  });
  data = deliver(data, checkSourceId(SPECS[0]!), { at: NOW, status: 500, latencyMs: 12, failure: 'HTTP 500' }, tracker, NOW);
  data = deliver(data, checkSourceId(SPECS[1]!), { at: NOW, status: 200, latencyMs: 45, certificate: { notAfter: NOW + 60 * DAY, subject: 'shop.example', issuer: 'R11' } }, tracker, NOW);
  data = deliver(data, checkSourceId(SPECS[2]!), { at: NOW, latencyMs: 30, certificate: { notAfter: NOW + 4.5 * DAY, subject: 'shop.example', issuer: 'R11' } }, tracker, NOW);
  return deliver(data, checkSourceId(SPECS[3]!), { at: NOW, latencyMs: 2 }, tracker, NOW);
}

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

describe('checks on screen', () => {
  it('80x24: the Hosts row of web-1 names its failing check; C lists every check with its state, Enter opens its host', async () => {
    app = await renderApp(fleetConfig(), withChecks(), { columns: 80, rows: 24 });
    const screen = screenReader(app.frame);
    expect(screen.text()).toMatch(/✖ web-1 .*check api failing/);
    await app.press('C');
    const frame = screen.text();
    expect(frame).toContain('Checks');
    // No room for the targets at 80 columns: the selected one's is under the list.
    expect(frame).toMatch(/○ api +http +web-1 +12 ms +– +▁▂▃▂▁▁ failing since \d\d:\d\d:\d\d: HTTP 500/);
    expect(frame).toMatch(/● shop +http +· +45 ms +60d +▁ HTTP 200 in 45 ms, 60 days left/);
    expect(frame).toMatch(/✖ cert +tls +· +30 ms +4d +▁ crit: certificate expires in 4 days/);
    expect(frame).toMatch(/● redis +tcp .*connected in 2 ms/);
    expect(screen.colourBefore('60d', '●')).toBe(GREEN);
    expect(screen.colourBefore('4d', '✖')).toBe(RED);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // The selected check's whole state under the list.
    expect(frame).toContain('api: http http://127.0.0.1:5000/health from web-1 — failing since');
    await app.press('j', 'j', 'j', KEYS.enter);
    expect(app.store.getState().ui).toMatchObject({ host: 'db-1', focus: 'resources' });
  });

  it('200x50 zoomed: targets, the sparkline of api\'s recent latencies; C again goes back to the hosts', async () => {
    app = await renderApp(fleetConfig(), withChecks(), { columns: 200, rows: 50 });
    // Zoomed (z), the view has the whole width: the targets get their column.
    await app.press('C', 'z');
    const screen = screenReader(app.frame);
    // Five answers, then the 500 in 12 ms, against the 1 s crit latency: the 300 ms one the tallest.
    expect(screen.text()).toMatch(/○ api +http +http:\/\/127\.0\.0\.1:5000\/health +web-1 +12 ms +– +▁▂▃▂▁▁ failing since/);
    expect(screen.text()).toMatch(/✖ cert +tls +shop\.example:443 +· +30 ms +4d +▁ crit: certificate expires in 4 days \(crit 7 days\)/);
    expect(screen.text()).toMatch(/TARGET +FROM +LATENCY +DAYS +RECENT +STATE/);
    await app.press('C', 'z');
    expect(screen.text()).toMatch(/Hosts/);
    expect(screen.text()).toMatch(/CHECK/);
  });
});
