// With no `databases:` in the config, the runtime watches the local servers that answer: each one is
// in the Databases pane with its figures and on the local host's row, like a configured one.
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { databaseViews, hostRows, sourceState } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, initialUi } from '../../src/app/store.js';
import type { HostAdapter } from '../../src/services/host-adapter.js';
import { quietWatch } from '../helpers/fixtures.js';

const runtimes: Runtime[] = [];
afterEach(() => runtimes.splice(0).forEach((r) => r.stop()));

/** The local host with quiet figures: only its databases are under test. */
const quietHost: HostAdapter = {
  watch: async (host) => quietWatch(host),
  close: () => {},
};

describe('discovered local databases in the runtime', () => {
  it('are watched like configured ones: figures with rates, ok sources, the local row healthy', async () => {
    const config = resolveConfig({ hosts: { local: { local: true } } }, null, loadDefaultBindings()).config;
    expect(config.databases).toBeUndefined();
    const store = createOpsStore();
    const runtime = new Runtime(config, store, { local: quietHost });
    runtimes.push(runtime);
    await runtime.prepare();
    await runtime.collectOnce({ deadline: performance.now() + 10_000, logGraceMs: 0 });
    runtime.stop();

    const data = store.getState().data;
    const views = databaseViews(data);
    expect(views.map((v) => [v.name, v.status])).toEqual([
      ['postgres', 'ok'],
      ['mysql', 'ok'],
      ['redis', 'ok'],
    ]);
    const redis = views.find((v) => v.name === 'redis')!;
    expect(redis.sample?.kind === 'redis' && redis.sample.opsPerSec).toEqual(expect.any(Number));
    expect(sourceState(data, { host: 'local', kind: 'database', name: 'postgres' })).toMatchObject({ label: 'db postgres', status: 'ok' });
    expect(hostRows(data, initialUi())[0]).toMatchObject({ host: { name: 'local' }, health: 'ok', issues: [] });
  });
});
