// One level per metric, judged once with hold ticks: while a crossing is held, every place that shows
// the metric says the same (the Hosts row, Resources or Databases, Events and `snapshot --format json`).
// Each host and database first reports a normal sample: a crossing in the very first one counts at once.
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import { snapshotJson } from '../../src/app/snapshot.js';
import { snapshotFindings } from '../../src/app/snapshot-verdict.js';
import type { DataState } from '../../src/app/store.js';
import type { PostgresSample } from '../../src/domain/database.js';
import { hostSourceId, type SourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { DEFAULT_DATABASE_THRESHOLDS } from '../../src/services/db/index.js';
import { deliver, hostsData, NOW, sample, withPendingSource } from '../helpers/fixtures.js';
import { renderApp, type AppHarness } from '../helpers/render-app.js';
import { GREEN, RED, screenReader, YELLOW } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

const { text, colourBefore } = screenReader(() => app!.frame());

/** The mark before `name` and its colour: a Hosts row's worst level, or a database header's. */
function markOf(name: string): [string | undefined, string | undefined] {
  const found = new RegExp(`(\u001b\\[\\d+m)([●▲✖○]) (?:\u001b\\[\\d+m)*${name}`).exec(app!.frame());
  return [found?.[1], found?.[2]];
}

/** The runtime's commit of a new data state; the screen follows on its next frame. */
async function commit(data: DataState): Promise<void> {
  app!.store.setState((s) => ({ ...s, data }));
  await app!.flush();
}

function holdTwo(extra: object = {}): OpsConfig {
  return resolveConfig({ hold: 2, hosts: { 'web-1': { ssh: 'deploy@10.0.0.5' } }, ...extra }, null, loadDefaultBindings()).config;
}

describe('during hold ticks one sample shows one level everywhere', () => {
  it('CPU over warn: ok on the Hosts row, in Resources, in Events and in the json snapshot, then warn in all of them', async () => {
    const config = holdTwo();
    const tracker = new ThresholdTracker(config.holdTicks);
    const resources = hostSourceId('web-1', 'resources');
    const normal = deliver(hostsData(config), resources, sample(20, 40, 30, NOW - 2000), tracker, NOW - 2000);
    const once = deliver(normal, resources, sample(76, 40, 30, NOW), tracker, NOW);
    app = await renderApp(config, once);

    expect(colourBefore('● web-1', '76%')).toBe(GREEN);
    expect(colourBefore('76.0%', '76.0%')).toBe(GREEN);
    expect(text()).not.toMatch(/WARN.*cpu/);
    const first = snapshotJson(once, config) as { hosts: Record<string, { level: string; levels: { cpu: string } }> };
    expect(first.hosts['web-1']).toMatchObject({ level: 'ok', levels: { cpu: 'ok' } });

    const twice = deliver(once, resources, sample(76, 40, 30, NOW + 2000), tracker, NOW + 2000);
    await commit(twice);

    expect(colourBefore('▲ web-1', '76%▲')).toBe(YELLOW);
    expect(colourBefore('76.0%▲', '76.0%▲')).toBe(YELLOW);
    expect(colourBefore('cpu warn: 76% (warn 70%)', 'WARN')).toBe(YELLOW);
    const second = snapshotJson(twice, config) as { hosts: Record<string, { level: string; levels: { cpu: string } }>; events: { message: string }[] };
    expect(second.hosts['web-1']).toMatchObject({ level: 'warn', levels: { cpu: 'warn' } });
    expect(second.events.map((e) => e.message)).toContain('cpu warn: 76% (warn 70%)');
  });

  it('load over 2 per core: the Hosts row, Resources, Events and the snapshot say crit once the crossing is held', async () => {
    const config = holdTwo();
    const tracker = new ThresholdTracker(config.holdTicks);
    const resources = hostSourceId('web-1', 'resources');
    // Two cores: 4.60 is 2.30 per core, past the default crit of 2 (and CPU itself stays low).
    const loaded = (at: number) => ({ ...sample(10, 40, 30, at), load: [4.6, 3.1, 1.2] as [number, number, number] });
    const normal = deliver(hostsData(config), resources, sample(10, 40, 30, NOW - 2000), tracker, NOW - 2000);
    const once = deliver(normal, resources, loaded(NOW), tracker, NOW);
    app = await renderApp(config, once);
    expect(colourBefore('● web-1', '4.60')).toBe(GREEN);

    const twice = deliver(once, resources, loaded(NOW + 2000), tracker, NOW + 2000);
    await commit(twice);
    expect(colourBefore('✖ web-1', '4.60✖')).toBe(RED);
    expect(colourBefore('load 4.60 3.10 1.20✖', 'load 4.60')).toBe(RED);
    expect(text()).toContain('load crit: 2.30 per core (crit 2 per core)');
    const json = snapshotJson(twice, config) as { hosts: Record<string, { level: string; levels: { load: string } }> };
    expect(json.hosts['web-1']).toMatchObject({ level: 'crit', levels: { load: 'crit' } });
    expect(snapshotFindings(twice)).toContainEqual({ level: 'crit', subject: 'host web-1 load', reason: 'crit 2.30 per core, 4.60 on 2 cores (crit at 2 per core)' });
  });

  it('load in a group\'s Resources rows at 80 columns: the figure and its mark are in view, in the level\'s colour', async () => {
    const config = resolveConfig({ hold: 1, hosts: { 'web-1': { ssh: 'deploy@10.0.0.5', group: 'web' }, 'web-2': { ssh: 'deploy@10.0.0.6', group: 'web' } } }, null, loadDefaultBindings()).config;
    const tracker = new ThresholdTracker(config.holdTicks);
    let data = hostsData(config);
    data = deliver(data, hostSourceId('web-1', 'resources'), { ...sample(10, 40, 30), load: [4.6, 3.1, 1.2] }, tracker);
    data = deliver(data, hostSourceId('web-2', 'resources'), sample(10, 40, 30), tracker);
    app = await renderApp(config, data, { columns: 80, rows: 24 });
    await app.press(':', ...'group web', '\r', '2');
    expect(text()).toMatch(/web-1 .* load 4\.60✖/);
    expect(text()).toMatch(/web-2 .* load 0\.50 /);
    expect(colourBefore('web-1 ', 'load 4.60✖')).toBe(RED);
  });

  it('a full disk: its bar in Resources is coloured like the Hosts row while the crossing is held', async () => {
    const config = holdTwo();
    const tracker = new ThresholdTracker(config.holdTicks);
    const resources = hostSourceId('web-1', 'resources');
    const normal = deliver(hostsData(config), resources, sample(10, 40, 50, NOW - 2000), tracker, NOW - 2000);
    const once = deliver(normal, resources, sample(10, 40, 93, NOW), tracker, NOW);
    app = await renderApp(config, once);
    expect(colourBefore('● web-1', '93%')).toBe(GREEN);
    expect(colourBefore('93.0G/100G', '93%')).toBe(GREEN);

    await commit(deliver(once, resources, sample(10, 40, 93, NOW + 2000), tracker, NOW + 2000));
    expect(colourBefore('✖ web-1', '93%✖')).toBe(RED);
    expect(colourBefore('93.0G/100G', '93%✖')).toBe(RED);
  });

  it('connections over warn: the Databases header, the host row, Events and the json snapshot move together', async () => {
    const config = holdTwo({ hosts: { local: { local: true } } });
    const tracker = new ThresholdTracker(config.holdTicks);
    const id: SourceId<'database'> = { host: 'local', kind: 'database', name: 'main' };
    const busy = (at: number): PostgresSample => ({
      kind: 'postgres', at, intervalSec: 2, version: '15.4', connections: { total: 85, max: 100, byState: { idle: 85 } },
      counters: { commits: 0, rollbacks: 0, blksHit: 0, blksRead: 0, deadlocks: 0, tempFiles: 0, tempBytes: 0 },
      tps: 10, cacheHitPercent: 99.5, deadlocksSinceLast: 0, tempFilesSinceLast: 0, tempBytesSinceLast: 0,
      queries: [], blocking: [], idleInTransaction: { count: 0, longestSec: 0 }, databases: [], replication: { role: 'primary', replicas: [] },
    });
    let data = deliver(hostsData(config), hostSourceId('local', 'resources'), sample(5, 10, 20, NOW), tracker, NOW);
    data = withPendingSource(
      { ...data, databases: { main: { name: 'main', kind: 'postgres', target: 'postgres://monitor@127.0.0.1:5432/app', host: 'local', thresholds: DEFAULT_DATABASE_THRESHOLDS, levels: { overall: 'ok' } } } },
      id,
      'db main',
    );
    const normal = deliver(data, id, { ...busy(NOW - 2000), connections: { total: 12, max: 100, byState: { idle: 12 } } }, tracker, NOW - 2000);
    const once = deliver(normal, id, busy(NOW), tracker, NOW);
    app = await renderApp(config, once);
    expect(colourBefore('main pg 15.4', '85/100')).toBe(GREEN);
    expect(markOf('main')).toEqual([GREEN, '●']);
    expect(markOf('local')).toEqual([GREEN, '●']);
    expect(text()).not.toContain('main: connections');
    expect((snapshotJson(once, config) as { databases: Record<string, { level: string }> }).databases.main!.level).toBe('ok');

    const twice = deliver(once, id, busy(NOW + 2000), tracker, NOW + 2000);
    await commit(twice);
    expect(colourBefore('main pg 15.4', '85/100▲')).toBe(YELLOW);
    expect(markOf('main')).toEqual([YELLOW, '▲']);
    expect(markOf('local')).toEqual([YELLOW, '▲']);
    expect(colourBefore('main: connections 85% (warn 80%)', 'WARN')).toBe(YELLOW);
    const report = snapshotJson(twice, config) as { hosts: Record<string, { level: string }>; databases: Record<string, { level: string; levels: { connections: string } }> };
    expect(report.databases.main).toMatchObject({ level: 'warn', levels: { connections: 'warn' } });
    expect(report.hosts.local!.level).toBe('warn');
  });
});
