// Where the operator sees a log's measures: the Logs pane's lines above the tail (the top statuses,
// paths and clients only where the pane is wide), and the host's row, at 80x24 and 200x50.
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import type { DataState, LogView } from '../../src/app/store.js';
import { LogMeters } from '../../src/domain/log-meters.js';
import { hostSourceId, sourceKey, type SourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { timeLocal } from '../helpers/access-traffic.js';
import { deliver, hostsData, NOW, sample, withPendingSource } from '../helpers/fixtures.js';
import { renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text } = screenReader(() => app!.frame());

function config(): OpsConfig {
  return resolveConfig(
    {
      hosts: { 'web-1': { ssh: 'deploy@10.0.0.5', logs: [{ file: '/var/log/nginx/access.log', label: 'nginx', format: 'nginx' }] } },
      rules: { 'ssh-bruteforce': { log: 'nginx', match: '^(?<key>\\S+) .*"POST /login .*" 401 ', threshold: 20 } },
    },
    null,
    loadDefaultBindings(),
  ).config;
}

/** 30 s of 20 requests a second, 10 % answered 503, and 30 refused logins from one client. */
function measured(cfg: OpsConfig): DataState {
  const log = cfg.hosts[0]!.logs;
  if (log === 'auto') throw new Error('expected configured logs');
  const id: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '0' };
  const view: LogView = { id, host: 'web-1', label: 'nginx', file: '/var/log/nginx/access.log', lines: [], access: { spec: log[0]!.access!, level: 'ok' }, rules: [{ spec: log[0]!.rules![0]!, top: [], alerts: [] }] };
  const meters = LogMeters.of(log[0]!)!;
  for (let s = 0; s < 30; s++) {
    const at = NOW - 30_000 + s * 1000;
    for (let i = 0; i < 20; i++) meters.line(`10.0.0.${i % 4} - - [${timeLocal(at)}] "GET /api/p${i % 3} HTTP/1.1" ${i < 18 ? 200 : 503} 12 "-" "loadgen/1.0"`, at);
    meters.line(`203.0.113.9 - - [${timeLocal(at)}] "POST /login HTTP/1.1" 401 0 "-" "hydra"`, at);
  }
  const tracker = new ThresholdTracker(cfg.holdTicks);
  let data = hostsData(cfg);
  data = deliver(data, hostSourceId('web-1', 'resources'), sample(20, 30, 40), tracker);
  data = withPendingSource({ ...data, logs: { [sourceKey(id)]: view } }, id, 'log nginx');
  return deliver(data, id, { metrics: meters.read(NOW) }, tracker);
}

describe('a log\'s measures on screen', () => {
  it('80x24: the Logs pane leads with the figures and the rule, each marked crit; the row names both', async () => {
    const cfg = config();
    app = await renderApp(cfg, measured(cfg), { columns: 80, rows: 24, ui: { host: 'web-1', focus: 'logs' } });
    expect(text()).toContain('✖ 21.0 req/s · 4xx 30/min · 5xx 60/min · 5xx 9.5% of 630 in 5m');
    expect(text()).toContain('✖ ssh-bruteforce (≥20 in 5m): 203.0.113.9 ×30');
    expect(text()).not.toContain('top 5m');
    await app.press('1');
    expect(text()).toMatch(/✖ web-1 .* ok · nginx 5xx 9\.5% · ssh-brutefor/);
    expect(text()).toContain('203.0.113.9: 30 matches in 5m on nginx (threshold 20)');
  });

  it('200x50: the wide Logs pane adds the top statuses, paths and clients', async () => {
    const cfg = config();
    app = await renderApp(cfg, measured(cfg), { columns: 200, rows: 50, ui: { host: 'web-1' } });
    expect(text()).toContain('top 5m: 200 ×540, 503 ×60, 401 ×30 · /api/p0 ×210, /api/p1 ×210, /api/p2 ×180, /login ×30');
  });
});
