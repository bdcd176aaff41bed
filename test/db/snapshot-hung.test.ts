// A snapshot's reads of a hung database (Redis behind a frozen proxy: connections accepted, no byte
// answered): it is read once, not again for its rate, and it costs the snapshot one timeout. And a
// healthy one with less time left than the kind's rate interval still gets its rate.
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { sourceTimeoutMs } from '../../src/app/refresh.js';
import { sourceState } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore } from '../../src/app/store.js';
import type { HostAdapter } from '../../src/services/host-adapter.js';
import { quietWatch } from '../helpers/fixtures.js';
import { pgUrl, RD, TcpProxy } from './harness.js';

const REFRESH_MS = 500;
const TIMEOUT_MS = sourceTimeoutMs(REFRESH_MS);
/** Room for the database kind's rate read (1 s after the first) several times over: only the rule keeps it from happening. */
const ROOM_MS = TIMEOUT_MS + 4000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The local host with quiet figures: only the database is under test. */
const quietHost: HostAdapter = {
  watch: async (host) => quietWatch(host),
  close: () => {},
};

describe('snapshot reads of a hung Redis', () => {
  it('one connection, no rate read, done one timeout after the start, reported as timed out', async () => {
    const proxy = await new TcpProxy(RD.port).start();
    cleanups.push(() => proxy.stop());
    proxy.freeze();
    const raw = { refresh: `${REFRESH_MS}ms`, hosts: { local: { local: true as const } }, databases: { cache: { redis: `redis://127.0.0.1:${proxy.port}` } } };
    const config = resolveConfig(raw, null, loadDefaultBindings()).config;
    const store = createOpsStore();
    const runtime = new Runtime(config, store, { local: quietHost });
    cleanups.push(() => runtime.stop());
    await runtime.prepare();

    const started = performance.now();
    await runtime.collectOnce({ deadline: started + ROOM_MS, logGraceMs: 0 });
    const elapsedMs = performance.now() - started;
    runtime.stop();

    expect(sourceState(store.getState().data, { host: 'local', kind: 'database', name: 'cache' })).toMatchObject({ status: 'error', error: `timed out after ${TIMEOUT_MS} ms` });
    expect(elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    expect(elapsedMs).toBeLessThan(TIMEOUT_MS + 1000);
    expect(proxy.acceptedCount).toBe(1);
  });
});

describe('snapshot reads after the snapshot\'s end', () => {
  it('a source the snapshot had no time left for says it was not read, not "timed out after 0 ms"', async () => {
    const proxy = await new TcpProxy(RD.port).start();
    cleanups.push(() => proxy.stop());
    proxy.freeze();
    const raw = { refresh: `${REFRESH_MS}ms`, hosts: { local: { local: true as const } }, databases: { cache: { redis: `redis://127.0.0.1:${proxy.port}` } } };
    const store = createOpsStore();
    const runtime = new Runtime(resolveConfig(raw, null, loadDefaultBindings()).config, store, { local: quietHost });
    cleanups.push(() => runtime.stop());
    await runtime.prepare();
    await runtime.collectOnce({ deadline: performance.now(), logGraceMs: 0 });
    runtime.stop();
    expect(sourceState(store.getState().data, { host: 'local', kind: 'database', name: 'cache' })?.error).toBe("not read: the snapshot's time was up before it could start");
  });
});

describe('snapshot reads of a healthy PostgreSQL with little time left', () => {
  it('a deadline under the rate interval away still gives a rate, read within it (a loaded machine\'s slow start lost tps)', async () => {
    const raw = { refresh: `${REFRESH_MS}ms`, hosts: { local: { local: true as const } }, databases: { main: { postgres: pgUrl() } } };
    const config = resolveConfig(raw, null, loadDefaultBindings()).config;
    const store = createOpsStore();
    const runtime = new Runtime(config, store, { local: quietHost });
    cleanups.push(() => runtime.stop());
    await runtime.prepare();

    // 900 ms: less than the 1 s the database kind's two reads are apart when there is room.
    const deadline = performance.now() + 900;
    await runtime.collectOnce({ deadline, logGraceMs: 0 });
    const finished = performance.now();
    runtime.stop();

    const main = store.getState().data.databases.main;
    expect(main?.sample).toMatchObject({ kind: 'postgres', tps: expect.any(Number) });
    expect(finished).toBeLessThanOrEqual(deadline + 50);
  });
});
