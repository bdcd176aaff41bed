// HTTP checks against a real server on loopback: healthy, failing status, missing word, nobody home.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpCheck } from '../../src/services/checks/http.js';
import { runCliAsync } from '../helpers/cli.js';

let server: Server;
let base: string;
let health = { status: 200, body: '{"status":"healthy"}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    res.writeHead(health.status, { 'content-type': 'application/json' });
    res.end(health.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const check = (url: string, expect?: string) => runHttpCheck({ name: 'api', url, expect, timeoutMs: 500 }, AbortSignal.timeout(500));

describe('HTTP checks', () => {
  it('passes on a 200 whose body has the expected word', async () => {
    health = { status: 200, body: '{"status":"healthy"}' };
    const result = await check(`${base}/health`, 'healthy');
    expect(result.status).toBe(200);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on a 503, naming the status', async () => {
    health = { status: 503, body: 'maintenance' };
    await expect(check(`${base}/health`)).rejects.toThrow(/^HTTP 503 in \d+ ms$/);
  });

  it('fails when the body lacks the expected word', async () => {
    health = { status: 200, body: '{"status":"degraded"}' };
    await expect(check(`${base}/health`, 'healthy')).rejects.toThrow('HTTP 200 but the body lacks "healthy"');
  });

  it('fails with "connection refused" when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(check(`http://127.0.0.1:${port}/health`)).rejects.toThrow('connection refused');
  });

  it('gives up on a server that never answers', async () => {
    await expect(check(`${base}/slow`)).rejects.toThrow('no answer within 500 ms');
  });

  it('appears in snapshot json with its state', async () => {
    health = { status: 200, body: 'healthy' };
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-check-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `hosts: {local: {local: true, logs: []}}\nchecks:\n  api: {http: "${base}/health", expect: healthy, host: local}\n`);
    const { code, stdout } = await runCliAsync(['snapshot', '--format', 'json', '--config', config]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).checks.api).toMatchObject({ status: 'ok', httpStatus: 200, host: 'local' });
  });
});
