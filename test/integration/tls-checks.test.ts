// TLS and HTTPS checks against loopback servers with self-signed certificates made by the test
// (openssl): one ending in 5 days is crit with its days left, one in 40 days is ok; an untrusted
// self-signed certificate and a hostname mismatch are named, not reported as a bare OpenSSL code.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChecks, type RunningChecks } from '../helpers/checks.js';
import { certificateDays } from '../../src/app/check-text.js';

const run = promisify(execFile);
let dir: string;
const servers: Server[] = [];
/** Port and certificate file of each server, by name. */
const at: Record<string, { port: number; cert: string }> = {};
/** Requests each server answered, by name. */
const hits: Record<string, number> = {};

/** A self-signed certificate valid for `days` days for the given names, and an HTTPS server that uses it. */
async function serve(name: string, days: number, altNames: string): Promise<void> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${name}`, '-addext', `subjectAltName=${altNames}`]);
  const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => {
    hits[name] = (hits[name] ?? 0) + 1;
    res.writeHead(200).end('healthy');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  at[name] = { port: (server.address() as AddressInfo).port, cert };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-tls-'));
  await serve('soon', 5, 'DNS:localhost,IP:127.0.0.1');
  await serve('later', 40, 'DNS:localhost,IP:127.0.0.1');
  await serve('elsewhere', 40, 'DNS:shop.example');
});
afterAll(async () => {
  for (const server of servers) server.close();
  await rm(dir, { recursive: true, force: true });
});

let running: RunningChecks | undefined;
afterEach(() => {
  running?.runtime.stop();
  running = undefined;
});

const config = (checks: string[]) => ['refresh: 500ms', 'hosts: {local: {local: true, logs: [], services: []}}', 'checks:', ...checks.map((c) => `  ${c}`)].join('\n');

describe('TLS checks', () => {
  it('a certificate ending in 5 days is crit with its days left; one ending in 40 days is ok', async () => {
    running = await startChecks(config([`soon: {tls: "127.0.0.1:${at.soon!.port}", ca: ${at.soon!.cert}}`, `later: {tls: "localhost:${at.later!.port}", ca: ${at.later!.cert}}`]));
    // Made seconds ago for 5 days: 4 whole days and some hours are left.
    const soon = await running.until('soon', 'crit', /^certificate expires in 4 days \(crit 7 days\)$/);
    expect(soon.check.result!.certificate).toMatchObject({ subject: 'soon', issuer: 'soon' });
    expect(running.events()).toContainEqual(expect.objectContaining({ level: 'crit', message: 'check soon crit: certificate expires in 4 days (crit 7 days)' }));
    const later = await running.until('later', 'ok');
    expect(certificateDays(later.check)).toBe(39);
    expect(certificateDays(soon.check)).toBe(4);
  });

  it('warnDays and critDays move the lines: 40 days left is warn under warnDays 45', async () => {
    running = await startChecks(config([`later: {tls: "127.0.0.1:${at.later!.port}", ca: ${at.later!.cert}, warnDays: 45, critDays: 10}`]));
    await running.until('later', 'warn', /^certificate expires in 39 days \(warn 45 days\)$/);
  });

  it('names a self-signed certificate that is not trusted, and a hostname mismatch', async () => {
    running = await startChecks(config([`untrusted: {tls: "127.0.0.1:${at.later!.port}"}`, `mismatch: {tls: "127.0.0.1:${at.elsewhere!.port}", ca: ${at.elsewhere!.cert}}`]));
    const untrusted = await running.until('untrusted', 'failing', /^self-signed certificate$/);
    // The certificate is read all the same: its end date is on screen.
    expect(untrusted.check.result!.certificate?.subject).toBe('later');
    await running.until('mismatch', 'failing', /^hostname mismatch: the certificate is for shop\.example, not 127\.0\.0\.1$/);
  });

  it("says a port that answers in plain HTTP does not speak TLS, not OpenSSL's internals", async () => {
    const plain = createHttpServer((_req, res) => res.end('ok'));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    try {
      const port = (plain.address() as AddressInfo).port;
      running = await startChecks(config([`plain: {tls: "127.0.0.1:${port}"}`]));
      await running.until('plain', 'failing', /^TLS handshake failed: the port does not speak TLS \(plain HTTP or another protocol there\?\)$/);
    } finally {
      plain.close();
    }
  });
});

describe('HTTPS checks', () => {
  it('trusted and for the name: ok with the answer and the days left; a mismatch fails before any request, named', async () => {
    running = await startChecks(config([`api: {http: "https://localhost:${at.later!.port}/health", expect: healthy, ca: ${at.later!.cert}}`, `shop: {http: "https://127.0.0.1:${at.elsewhere!.port}/", ca: ${at.elsewhere!.cert}}`, `soon: {http: "https://127.0.0.1:${at.soon!.port}/", ca: ${at.soon!.cert}}`]));
    const api = await running.until('api', 'ok');
    expect(api.check.result).toMatchObject({ status: 200, certificate: { subject: 'later' } });
    await running.until('shop', 'failing', /^hostname mismatch: the certificate is for shop\.example, not 127\.0\.0\.1$/);
    expect(hits.elsewhere ?? 0).toBe(0);
    // An https check judges its certificate's days left like a tls: check.
    await running.until('soon', 'crit', /^certificate expires in 4 days \(crit 7 days\)$/);
  });
});
