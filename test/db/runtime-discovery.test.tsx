// With no `databases:` in the config, the runtime watches the local servers that answer: each one is
// in the Databases pane with its figures and on the local host's row, like a configured one.
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { databaseViews, hostRows, sourceState } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, initialUi } from '../../src/app/store.js';
import type { HostAdapter } from '../../src/services/host-adapter.js';
import { DatabasesPane } from '../../src/panes/DatabasesPane.js';
import { quietWatch } from '../helpers/fixtures.js';
import { inkTerminal } from '../helpers/ink-terminal.js';
import { waitFor } from '../helpers/wait.js';

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

describe('the Databases pane while the runtime looks for local databases', () => {
  it('says it is looking until discovery has answered, then shows what it found', async () => {
    const config = resolveConfig({ hosts: { local: { local: true } } }, null, loadDefaultBindings()).config;
    const store = createOpsStore();
    const runtime = new Runtime(config, store, { local: quietHost });
    runtimes.push(runtime);
    await runtime.prepare();
    const pane = () => {
      const terminal = inkTerminal(<DatabasesPane databases={databaseViews(store.getState().data)} width={100} height={8} focused={false} cursor={0} filter="" discovering={store.getState().data.discovering} />, { columns: 100, rows: 10 });
      const frame = stripVTControlCharacters(terminal.lastFrame());
      terminal.unmount();
      return frame;
    };
    expect(pane()).toContain('looking for PostgreSQL, MySQL/MariaDB and Redis on this machine…');
    expect(pane()).not.toContain('no database configured or found');
    runtime.start();
    await waitFor('discovery answered', () => !store.getState().data.discovering, 20_000);
    // Found: listed (its first figures may still be on their way).
    expect(pane()).toMatch(/[●…▲✖] postgres/);
    expect(pane()).not.toContain('looking for');
  });
});
