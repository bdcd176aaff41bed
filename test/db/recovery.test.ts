// A database that goes away (port closed), or hangs (no byte answered), through a TCP proxy the test
// controls: the source says so clearly, never stacks queries, does not hold up other sources, and
// comes back on its own when the server does.
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseKind } from '../../src/services/db/index.js';
import { Scheduler } from '../../src/services/scheduler.js';
import { waitFor } from '../helpers/wait.js';
import { MY, myUrl, PG, pgUrl, RD, redisUrl, sleep, TcpProxy, tick } from './harness.js';

const KINDS: { kind: DatabaseKind; port: number; url: (port: number) => string }[] = [
  { kind: 'postgres', port: PG.port, url: pgUrl },
  { kind: 'mysql', port: MY.port, url: myUrl },
  { kind: 'redis', port: RD.port, url: redisUrl },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function throughProxy(kind: DatabaseKind, port: number, url: (port: number) => string, timeoutMs = 1500) {
  const proxy = await new TcpProxy(port).start();
  const source = createDatabaseSource(`${kind}-proxied`, { [kind]: url(proxy.port) }, { timeoutMs, statementTimeoutMs: 800, connectTimeoutMs: 800 });
  cleanups.push(async () => {
    await source.close();
    await proxy.stop();
  });
  return { proxy, source };
}

describe.each(KINDS)('$kind through a proxy', ({ kind, port, url }) => {
  it('reports "connection refused" while the port is closed, and recovers by itself when it opens', async () => {
    const { proxy, source } = await throughProxy(kind, port, url);
    expect((await tick(source)).kind).toBe(kind);
    await proxy.cut();
    const failure = await waitFor('"connection refused" from the closed port', async () => {
      try {
        await tick(source);
        return undefined;
      } catch (error) {
        return /connection refused/.test((error as Error).message) ? (error as Error & { hint?: string }) : undefined;
      }
    }, 5000);
    expect(failure.message).toBe(`connection refused (127.0.0.1:${proxy.port})`);
    expect(failure.hint).toMatch(/server running/);
    await proxy.restore();
    const back = await waitFor('a sample once the port opens again', async () => tick(source), 5000);
    expect(back.kind).toBe(kind);
    expect(source.stats.connects).toBe(2);
  });

  it('gives a hung server one query, never a second on top, then drops the connection and recovers', async () => {
    const { proxy, source } = await throughProxy(kind, port, url);
    await tick(source);
    proxy.freeze();
    await expect(tick(source)).rejects.toThrow(/timed out|no answer/);
    // The tick's query went down one connection and was never answered.
    const hung = proxy.traffic.filter((t) => t.sentFrozen > 0);
    expect(hung).toHaveLength(1);
    const stuck = hung[0]!;
    // The next tick comes while it is unanswered. Over every connection the proxy ever had: nothing
    // more went down the stuck one, and no other carried a byte while it was still open (Redis, past
    // its commandTimeout, drops the stuck one and tries a new one).
    await expect(tick(source)).rejects.toThrow(/previous query still running|no answer|timed out/);
    const traffic = proxy.traffic;
    expect(traffic.find((t) => t.id === stuck.id)!.sentFrozen).toBe(stuck.sentFrozen);
    for (const other of traffic.filter((t) => t.id !== stuck.id && t.sentFrozen > 0)) {
      const closedAt = traffic.find((t) => t.id === stuck.id)!.closedAt;
      expect(closedAt, `connection ${other.id} sent while ${stuck.id} was open`).toBeDefined();
      expect(other.firstFrozenAt!).toBeGreaterThanOrEqual(closedAt!);
    }
    proxy.thaw();
    const back = await waitFor('a sample once the server answers again', async () => tick(source), 10_000, 300);
    expect(back.kind).toBe(kind);
  });
});

describe('a database going down among other sources', () => {
  it('shows its error with the time it began while the others keep updating, then recovers', async () => {
    const { proxy, source: down } = await throughProxy('postgres', PG.port, pgUrl);
    const healthy = createDatabaseSource('cache', { redis: redisUrl() }, { timeoutMs: 1500 });
    cleanups.push(() => healthy.close());
    const oks: { name: string; at: number }[] = [];
    const fails: { name: string; at: number; message: string }[] = [];
    const scheduler = new Scheduler(200);
    for (const source of [down, healthy]) {
      scheduler.add(source, { ok: (_value, at) => oks.push({ name: source.name, at }), fail: (error, at) => fails.push({ name: source.name, at, message: error.message }) });
    }
    scheduler.start();
    cleanups.push(async () => scheduler.stop());
    await waitFor('a first sample of the database that goes down', async () => (oks.some((o) => o.name === down.name) ? true : undefined));

    const cutAt = Date.now();
    await proxy.cut();
    const firstFailure = await waitFor('the first failure after the cut', async () => fails.find((f) => f.name === down.name));
    expect(firstFailure.at).toBeGreaterThanOrEqual(cutAt);
    await sleep(1000);
    const healthyDuringOutage = oks.filter((o) => o.name === healthy.name && o.at > firstFailure.at).length;
    // 200 ms refresh: the healthy source kept its pace while the other failed.
    expect(healthyDuringOutage).toBeGreaterThanOrEqual(3);
    expect(oks.some((o) => o.name === down.name && o.at > firstFailure.at)).toBe(false);
    expect(fails.filter((f) => f.name === down.name).every((f) => /connection (refused|lost)/.test(f.message))).toBe(true);

    const restoredAt = Date.now();
    await proxy.restore();
    const recovered = await waitFor('a sample after the restore', async () => oks.find((o) => o.name === down.name && o.at >= restoredAt), 5000);
    expect(recovered.at - restoredAt).toBeLessThan(2000);
  });
});
