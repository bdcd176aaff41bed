// Alerts out, against real HTTP receivers on loopback (node:http): a check that flaps gives exactly
// one alert per crit transition and one per recovery to each receiver, Slack's `{text}` and plain
// JSON; a receiver that is down or hangs delays no key (keypress to store and to frame) and its
// failure is on the status line without its URL.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createConnection, createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config/load.js';
import { startAlerts } from '../../src/app/alerts.js';
import { statusLine } from '../../src/app/operations/controls.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, emptyData } from '../../src/app/store.js';
import { checkSourceId } from '../../src/app/sources/check/id.js';
import { sourceKey } from '../../src/domain/source-id.js';
import { postJson } from '../../src/services/webhook.js';
import { fleetConfig, fleetData } from '../helpers/fixtures.js';
import { renderApp } from '../helpers/render-app.js';
import { waitFor } from '../helpers/wait.js';

const servers: Server[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** This thread's time spent runnable but waiting for a CPU, in ms (the kernel's scheduler statistics). */
const runQueueWaitMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;

const percentile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const spread = (xs: number[]) => `p50 ${percentile(xs, 0.5).toFixed(1)} p99 ${percentile(xs, 0.99).toFixed(1)} max ${percentile(xs, 1).toFixed(1)}`;

/**
 * A socket whose bytes reach `type` as a terminal's reach ink: read when the event loop polls. A Unix
 * socket: over TCP loopback the kernel's delivery of the bytes could itself wait for a CPU under load.
 */
async function keySocket(type: (chunk: string) => void): Promise<{ send(key: string): void; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-keys-'));
  const server = createNetServer((socket) => socket.setEncoding('utf8').on('data', type));
  await new Promise<void>((resolve) => server.listen(join(dir, 'keys.sock'), resolve));
  const writer = createConnection(join(dir, 'keys.sock'));
  await new Promise((resolve) => writer.once('connect', resolve));
  return {
    send: (key) => void writer.write(key),
    close: () => {
      writer.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let health = 200;
let healthUrl = '';
const slack: { path: string; body: { text: string } }[] = [];
const plain: { kind: string; key: string; text: string }[] = [];
let slackUrl = '';
let webhookUrl = '';

beforeAll(async () => {
  healthUrl = await listen((_req, _body, res) => {
    res.writeHead(health);
    res.end(health === 200 ? 'healthy' : 'down for maintenance');
  });
  slackUrl = `${await listen((req, body, res) => {
    slack.push({ path: req.url ?? '', body: JSON.parse(body) });
    res.end('ok');
  })}/services/T000/B000/SECRETTOKEN`;
  webhookUrl = `${await listen((_req, body, res) => {
    plain.push(JSON.parse(body));
    res.end();
  })}/opsdeck`;
});

describe('alerts out', () => {
  it('sends exactly one alert per crit transition and one per recovery of a flapping check, to Slack and to a plain webhook', { timeout: 90_000 }, async () => {
    process.env.OPSDECK_TEST_SLACK_URL = slackUrl;
    process.env.OPSDECK_TEST_WEBHOOK_URL = webhookUrl;
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-alerts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = parseConfigText(
      [
        'refresh: 500ms',
        'hosts: {here: {local: true, services: [], logs: []}}',
        `checks: {api: {http: "${healthUrl}/health", expect: healthy, host: here, timeout: 2s}}`,
        'alerts: {slack: {url: {env: OPSDECK_TEST_SLACK_URL}}, webhook: {url: {env: OPSDECK_TEST_WEBHOOK_URL}}, rateLimit: 20}',
      ].join('\n'),
      join(dir, 'config.yaml'),
    );
    expect(config.alerts.receivers.map((r) => r.format)).toEqual(['slack', 'webhook']);
    const store = createOpsStore(emptyData(), { refreshMs: config.refreshMs });
    const runtime = new Runtime(config, store);
    await runtime.prepare();
    runtime.start();
    const messages: string[] = [];
    const stop = startAlerts(store, config.alerts, (text) => messages.push(text), postJson);
    cleanups.push(() => {
      stop();
      runtime.stop();
    });
    const checkAlerts = () => plain.filter((a) => a.key === 'check:api');
    const checkTicks = () => store.getState().data.sources[sourceKey(checkSourceId({ name: 'api', host: 'here' }))]?.lastOkAt ?? 0;
    await waitFor('the check to pass once', () => checkTicks() > 0, 20_000);

    // Three times down and back, each waited for at the receiver before the next change.
    for (let flap = 0; flap < 3; flap++) {
      health = 503;
      await waitFor(`crit alert ${flap + 1}`, () => checkAlerts().length === flap * 2 + 1, 20_000);
      health = 200;
      await waitFor(`recovery alert ${flap + 1}`, () => checkAlerts().length === flap * 2 + 2, 20_000);
    }
    // A few more ticks of a healthy check: nothing more arrives.
    const seen = checkTicks();
    await waitFor('three more ticks', () => checkTicks() >= seen + 1500, 20_000);
    expect(checkAlerts().map((a) => a.kind)).toEqual(['crit', 'recovered', 'crit', 'recovered', 'crit', 'recovered']);
    expect(checkAlerts()[0]!.text).toMatch(/^✖ CRIT check api (crit|failing).*HTTP 503/);
    expect(checkAlerts()[1]!.text).toMatch(/^● RECOVERED check api .*\(crit for [\dm.]+s\)$/);
    const slackChecks = slack.filter((a) => a.body.text.includes('check api'));
    expect(slackChecks.map((a) => a.body.text.split(' ')[1])).toEqual(['CRIT', 'RECOVERED', 'CRIT', 'RECOVERED', 'CRIT', 'RECOVERED']);
    expect(slack[0]!.path).toBe('/services/T000/B000/SECRETTOKEN');
    expect(messages.filter((m) => /failed|held back|not delivered/.test(m))).toEqual([]);
  });

  // Keypress to store and to frame, measured in this process while the alert queue is stuck. Each key
  // arrives as a terminal's do: bytes on a socket the event loop has to poll, then ink's input,
  // handleKey, the store, and the frame, so anything the alerts put on the loop (a POST, its timeout,
  // a retry's timer, the status line) delays it. Nothing is compared with a sleep or a baseline:
  // bounded absolutely, as the issue says, every key reaches the store within 100 ms and 99% of keys
  // are drawn within 100 ms. Not counted is the time the kernel kept this thread waiting for a CPU
  // (its run-queue wait, /proc/thread-self/schedstat): on the shared 2-core machine at load 13 to 21
  // that took keys to p50 170 ms, max 550 ms as the clock saw them, and it is the machine's, not
  // opsdeck's; what stays is the loop's own time, running or blocked, which a slow alert path shows.
  // Measured so at load 13 to 21: to store max 5-50 ms; to frame p99 25-69 ms, max 28-164 ms. The
  // frame's bound is p99, not every key: now and then a render waits 30-150 ms off the CPU and not
  // queued for it (blocked, likely on V8's helper threads, which are), as much with no alerts running,
  // and most in the first keys (code being compiled), hence the warm-up. Figures are in the message.
  const receivers = {
    'is down (connection refused)': async () => {
      const closed = createNetServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      return { url: `http://127.0.0.1:${port}/hooks/DOWNSECRET`, failure: /^alert to webhook failed: connection refused; retrying in \d+s$/, stuck: () => true /* refused at once: the first failure is the sign */ };
    },
    'takes the request and never answers': async () => {
      const held: import('node:http').ServerResponse[] = [];
      const url = `${await listen((_req, _body, res) => void held.push(res))}/hooks/HANGINGSECRET`;
      return { url, failure: /^alert to webhook failed: no answer within 300 ms; retrying in \d+s$/, stuck: () => held.length >= 1 };
    },
  };
  for (const [how, receiver] of Object.entries(receivers)) {
    it(`with a receiver that ${how}, every key answers within 100 ms and the failure is on the status line, its URL hidden`, { timeout: 60_000 }, async () => {
      const { url, failure, stuck } = await receiver();
      const config = fleetConfig();
      const app = await renderApp(config, fleetData(config), { columns: 80, rows: 24 });
      cleanups.push(() => app.unmount());
      const keys = await keySocket((chunk) => app.type(chunk));
      cleanups.push(keys.close);
      // Warm-up, unmeasured: the first keys' frames wait for code being compiled.
      for (let i = 0; i < 50; i++) await app.press(i % 2 === 0 ? 'j' : 'k');
      const said: string[] = [];
      const say = statusLine(app.store);
      // The fleet has crit items already (a disk at crit, a failed unit): their alerts queue for the receiver.
      const stop = startAlerts(app.store, { receivers: [{ format: 'webhook', url }], perMinute: 20, timeoutMs: 300 }, (text, level) => (said.push(text), say(text, level)), postJson);
      cleanups.push(stop);
      await waitFor('the first POST to fail', () => said.length >= 1 && stuck(), 10_000);

      // Keys until 150 are measured and two more failures (a retry's timer, its POST, its message)
      // happened among them.
      const toStore: number[] = [];
      const toFrame: number[] = [];
      const wall: number[] = [];
      const saidBefore = said.length;
      for (let i = 0; i < 150 || said.length < saidBefore + 2; i++) {
        const cursor = app.store.getState().ui.cursor;
        const moved = new Promise<{ at: number; waited: number }>((resolve) => {
          const unsubscribe = app.store.subscribe((state) => {
            if (state.ui.cursor === cursor) return;
            unsubscribe();
            resolve({ at: performance.now(), waited: runQueueWaitMs() });
          });
        });
        const t0 = performance.now();
        const waited0 = runQueueWaitMs();
        keys.send(i % 2 === 0 ? 'j' : 'k');
        const stored = await moved;
        await app.flush();
        const drawn = performance.now();
        toStore.push(stored.at - t0 - (stored.waited - waited0));
        toFrame.push(drawn - t0 - (runQueueWaitMs() - waited0));
        wall.push(drawn - t0);
      }
      const figures = `${toStore.length} keys; to store ${spread(toStore)}, to frame ${spread(toFrame)} ms without run-queue waits; to frame as the clock saw it ${spread(wall)} ms`;
      expect(Math.max(...toStore), figures).toBeLessThan(100);
      expect(percentile(toFrame, 0.99), figures).toBeLessThan(100);

      await waitFor('the failure said', () => failure.test(app.store.getState().ui.message?.text ?? ''), 10_000);
      await app.flush();
      expect(app.frame().split('\n').at(-1)).toContain('alert to webhook failed');
      expect(said.join('\n')).not.toMatch(/DOWNSECRET|HANGINGSECRET/);
      expect(app.frame()).not.toMatch(/DOWNSECRET|HANGINGSECRET/);
    });
  }
});
