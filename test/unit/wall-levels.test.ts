// The wall's tiles say why a host is not ok in a few words: a crossed threshold names its figure.
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { CHECKS, wallGroups } from '../../src/app/wall.js';
import { checkView } from '../../src/app/sources/check/index.js';
import type { SourceId } from '../../src/domain/source-id.js';
import type { DataState } from '../../src/app/store.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, fleetData, fleetWithDatabase, hostsData, NOW, sample, withPendingSource } from '../helpers/fixtures.js';

describe('the wall', () => {
  it("names a host's load past its threshold among the reasons, and its tile goes crit with it", () => {
    const config = resolveConfig({ hold: 1, hosts: { 'web-1': { ssh: 'deploy@10.0.0.5', group: 'web' }, 'web-2': { ssh: 'deploy@10.0.0.6', group: 'web' } } }, null, loadDefaultBindings()).config;
    const tracker = new ThresholdTracker(config.holdTicks);
    // Two cores: 4.6 is 2.3 per core, past crit (2); web-2's 0.5 is not.
    let data = deliver(hostsData(config), hostSourceId('web-1', 'resources'), { ...sample(10, 40, 30), load: [4.6, 3.1, 1.2] }, tracker);
    data = deliver(data, hostSourceId('web-2', 'resources'), sample(10, 40, 30), tracker);
    const [web] = wallGroups(data, NOW);
    expect(web).toMatchObject({ name: 'web', state: 'crit' });
    expect(web!.hosts.map((h) => [h.name, h.state, h.reasons])).toEqual([
      ['web-1', 'crit', ['load 4.6']],
      ['web-2', 'ok', []],
    ]);
  });

  it('shows the checks on no host\'s row in a tile of their own: a failing one is down with its reason, first on the wall', () => {
    const days = { warn: 30, crit: 7 };
    const shop: SourceId<'check'> = { host: '', kind: 'check', name: 'shop' };
    const api: SourceId<'check'> = { host: 'web-1', kind: 'check', name: 'api' };
    let data: DataState = { ...fleetData(), checks: { shop: checkView({ name: 'shop', kind: 'http', target: 'https://shop.example/health', days, timeoutMs: 5000 }), api: checkView({ name: 'api', kind: 'http', target: 'http://10.0.0.5/health', host: 'web-1', days, timeoutMs: 5000 }) } };
    data = withPendingSource(withPendingSource(data, shop, 'check shop'), api, 'check api');
    const tracker = new ThresholdTracker(1);
    data = deliver(deliver(data, api, { at: NOW, status: 200, latencyMs: 12 }, tracker), shop, { at: NOW, failure: 'connection refused' }, tracker);
    const groups = wallGroups(data, NOW);
    const checks = groups.find((g) => g.name === CHECKS);
    // The check on web-1's row is named on web-1's tile line, as before; only shop has no host.
    expect(checks).toMatchObject({ state: 'down', hosts: [{ name: 'shop', state: 'down', reasons: ['connection refused'] }] });
    expect(groups[0]!.state).toBe('down');
  });

  it("names a host's database past its thresholds among the reasons, as the Hosts pane does", () => {
    const data = fleetWithDatabase();
    const local = wallGroups(data, NOW).flatMap((g) => g.hosts).find((h) => h.name === 'local')!;
    expect(data.databases.main!.levels.overall).not.toBe('ok');
    expect(local.state).toBe(data.databases.main!.levels.overall);
    expect(local.reasons.some((r) => r.startsWith('db main '))).toBe(true);
  });

  it('calls the tile of hosts without a group "other" beside named groups, "hosts" when no host has a group', () => {
    const grouped = resolveConfig({ hosts: { 'web-1': { ssh: 'deploy@10.0.0.5', group: 'web' }, bastion: { ssh: 'ops@10.0.0.9' } } }, null, loadDefaultBindings()).config;
    expect(wallGroups(hostsData(grouped), NOW).map((g) => g.name).sort()).toEqual(['other', 'web']);
    const single = resolveConfig({ hosts: { local: { local: true } } }, null, loadDefaultBindings()).config;
    expect(wallGroups(hostsData(single), NOW).map((g) => g.name)).toEqual(['hosts']);
  });
});
