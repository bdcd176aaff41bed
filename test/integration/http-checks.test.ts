// HTTP and TCP checks against real servers on loopback, run by the runtime as the cockpit runs them:
// a 500, a missing word or a crit latency is the check's state with the reason, an event, and a
// recovery event when the endpoint is fixed; redirects are followed (bounded); nobody home is named.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { startChecks, type RunningChecks } from '../helpers/checks.js';
import { hostRows } from '../../src/app/rows.js';

let server: Server;
let base: string;
/** What /health answers now; the tests change it as an incident would. */
let health = { status: 200, body: '{"status":"healthy"}', delayMs: 0 };
let closedPort: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/old') return res.writeHead(302, { location: '/health' }).end();
    if (req.url?.startsWith('/loop')) return res.writeHead(301, { location: `/loop${Number(req.url.slice(5) || 0) + 1}` }).end();
    if (req.url === '/hang') return; // never answers
    setTimeout(() => res.writeHead(health.status, { 'content-type': 'application/json' }).end(health.body), health.delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  closedPort = (closed.address() as AddressInfo).port;
  closed.close();
});
afterAll(() => server.close());

let running: RunningChecks | undefined;
afterEach(() => {
  running?.runtime.stop();
  running = undefined;
  health = { status: 200, body: '{"status":"healthy"}', delayMs: 0 };
});

const config = (checks: string[]) => ['refresh: 500ms', 'hold: 1', 'hosts: {local: {local: true, logs: [], services: []}}', 'checks:', ...checks.map((c) => `  ${c}`)].join('\n');

describe('HTTP checks', () => {
  it('a 500, then a body without the word: failing with the reason and an event each time it goes down; fixed, it recovers with an event', async () => {
    running = await startChecks(config([`api: {http: "${base}/health", expect: healthy, host: local}`]));
    const ok = await running.until('api', 'ok');
    expect(ok.check.result).toMatchObject({ status: 200 });

    health = { ...health, status: 500, body: 'oops' };
    await running.until('api', 'failing', /^HTTP 500$/);
    expect(running.events().at(-1)).toMatchObject({ level: 'crit', host: 'local', message: 'check api failing: HTTP 500' });
    // The host's row carries it: its level and the words in its status.
    const row = hostRows(running.store.getState().data, { filters: { hosts: '' } })[0]!;
    expect(row.level).toBe('crit');
    expect(row.checks.map((c) => c.check.name)).toEqual(['api']);

    health = { ...health, status: 200, body: '{"status":"healthy"}' };
    await running.until('api', 'ok');
    expect(running.events().at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/^check api ok again after \S+ \(was failing: HTTP 500\)$/) });

    health = { ...health, body: '{"status":"degraded"}' };
    await running.until('api', 'failing', /^HTTP 200 but the body lacks "healthy"$/);
    expect(running.events().at(-1)).toMatchObject({ level: 'crit', message: 'check api failing: HTTP 200 but the body lacks "healthy"' });
    health = { ...health, body: '{"status":"healthy"}' };
    await running.until('api', 'ok');
    expect(running.events().map((e) => e.level)).toEqual(['crit', 'info', 'crit', 'info']);
  });

  it('slower than the crit latency: crit with the latency and its threshold, an event, and back to ok when fast again', async () => {
    running = await startChecks(config([`api: {http: "${base}/health", latency: {warn: 1s, crit: 2s}, timeout: 10s}`]));
    await running.until('api', 'ok');
    health = { ...health, delayMs: 2600 };
    const slow = await running.until('api', 'crit', /^latency \d+(\.\d)?s \(crit 2s\)$/);
    expect(slow.check.result!.latencyMs).toBeGreaterThanOrEqual(2600);
    expect(running.events().at(-1)).toMatchObject({ level: 'crit', message: expect.stringMatching(/^check api crit: latency/) });
    health = { ...health, delayMs: 0 };
    await running.until('api', 'ok');
    expect(running.events().at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/^check api ok again .*\(was crit: latency/) });
    // Every run's latency is kept for the sparkline.
    expect(running.check('api')!.check.latencies.some((ms) => ms >= 2600)).toBe(true);
  });

  it('follows redirects, and gives up on a loop after a bounded number', async () => {
    running = await startChecks(config([`moved: {http: "${base}/old", expect: healthy}`, `loop: {http: "${base}/loop0"}`]));
    const moved = await running.until('moved', 'ok');
    expect(moved.check.result).toMatchObject({ status: 200, redirects: 1 });
    await running.until('loop', 'failing', /^more than 5 redirects$/);
  });

  it('names nobody home and an endpoint that never answers', async () => {
    running = await startChecks(config([`down: {http: "http://127.0.0.1:${closedPort}/health"}`, `hung: {http: "${base}/hang", timeout: 1s}`]));
    await running.until('down', 'failing', /^connection refused$/);
    await running.until('hung', 'failing', /^no answer within 1s while waiting for the answer from 127\.0\.0\.1:\d+$/);
  });
});

describe('TCP checks', () => {
  it('an open port is ok with its connect time; a closed one is failing: connection refused', async () => {
    running = await startChecks(config([`web: {tcp: "127.0.0.1:${new URL(base).port}"}`, `gone: {tcp: "127.0.0.1:${closedPort}"}`]));
    const web = await running.until('web', 'ok');
    expect(web.check.result!.latencyMs).toBeGreaterThanOrEqual(0);
    await running.until('gone', 'failing', /^connection refused$/);
  });
});

describe('checks in snapshot', () => {
  it('json has each check\'s state, reason and figures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-check-'));
    const file = join(dir, 'config.yaml');
    // The default refresh: the snapshot's deadline is the per-source timeout it gives (4 s).
    writeFileSync(file, config([`api: {http: "${base}/health", expect: healthy, host: local}`, `gone: {tcp: "127.0.0.1:${closedPort}"}`]).replace('refresh: 500ms\n', ''));
    const { code, stdout } = await runCliAsync(['snapshot', '--format', 'json', '--fail-on', 'down', '--config', file]);
    const report = JSON.parse(stdout);
    expect(report.checks.api).toMatchObject({ kind: 'http', state: 'ok', httpStatus: 200, host: 'local', latencyMs: expect.any(Number) });
    expect(report.checks.gone).toMatchObject({ kind: 'tcp', state: 'failing', reason: 'connection refused', error: 'connection refused' });
    // A failing check is a `down` finding: `--fail-on down` fails on it.
    expect(report.summary.findings).toContainEqual({ level: 'down', subject: 'check gone', reason: 'connection refused' });
    expect(code).toBe(1);
  });
});
