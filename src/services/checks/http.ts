// HTTP(S) checks (`curl /health` in every runbook): the answer's status after redirects (at most
// MAX_REDIRECTS), an expected word in the body, the latency, and for https the certificate (a failed
// verification is the check's failure, named). Requests go over a stream the opener gives, so the
// same code runs from here and through a host's SSH connection (`from:`).
import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_REDIRECTS, type CheckCertificate, type CheckResult, type CheckSpec } from '../../domain/check.js';
import type { StreamOpener } from './connect.js';
import type { Stage } from './stage.js';
import { handshake } from './tls.js';

const MAX_BODY = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const defaultPort = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);
/** URL.hostname keeps an IPv6 address's brackets; sockets and certificates want it bare. */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** The stream a request goes over: TCP (or a forwarded channel), and TLS on it for https. */
async function connect(url: URL, open: StreamOpener, ca: string | undefined, signal: AbortSignal, stage: Stage): Promise<{ socket: Duplex; certificate?: CheckCertificate; problem?: string }> {
  stage.now = `connecting to ${url.host}`;
  const stream = await open({ host: bareHost(url), port: defaultPort(url) }, signal);
  if (url.protocol !== 'https:') return { socket: stream };
  stage.now = `in the TLS handshake with ${url.host}`;
  return handshake(stream, bareHost(url), ca, signal);
}

function request(socket: Duplex, url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      method: 'GET',
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, 'user-agent': 'opsdeck', accept: '*/*', connection: 'close' },
      createConnection: () => socket,
    });
    const onAbort = (): void => {
      req.destroy(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('response', (response) => {
      signal.removeEventListener('abort', onAbort);
      resolve(response);
    });
    req.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.end();
  });
}

/** The start of the body, at most `limit` bytes: a health endpoint that streams forever is not read whole. */
function readCapped(response: IncomingMessage, limit: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      response.destroy();
      resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
    };
    const onAbort = (): void => {
      response.destroy();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    response.once('end', done);
    response.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
}

export async function runHttpCheck(spec: CheckSpec, open: StreamOpener, signal: AbortSignal, stage: Stage): Promise<CheckResult> {
  const started = performance.now();
  let url = new URL(spec.target);
  for (let redirects = 0; ; redirects++) {
    const { socket, certificate, problem } = await connect(url, open, spec.ca, signal, stage);
    const measured = (): Pick<CheckResult, 'at' | 'latencyMs' | 'redirects' | 'certificate'> => ({ at: Date.now(), latencyMs: performance.now() - started, redirects, certificate });
    const after = redirects > 0 ? ` (at ${url.origin}${url.pathname} after ${redirects} redirect${redirects === 1 ? '' : 's'})` : '';
    if (problem) {
      socket.destroy();
      return { ...measured(), failure: `${problem}${after}` };
    }
    try {
      stage.now = `waiting for the answer from ${url.host}`;
      const response = await request(socket, url, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location) {
        response.destroy();
        if (redirects >= MAX_REDIRECTS) return { ...measured(), status, failure: `more than ${MAX_REDIRECTS} redirects` };
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') return { ...measured(), status, failure: `HTTP ${status} redirects to ${next.protocol} (not http or https)` };
        url = next;
        continue;
      }
      stage.now = `reading the answer from ${url.host}`;
      const body = await readCapped(response, MAX_BODY, signal);
      const result = { ...measured(), status };
      if (status < 200 || status > 299) return { ...result, failure: `HTTP ${status}${after}` };
      if (spec.expect !== undefined && !body.includes(spec.expect)) return { ...result, failure: `HTTP ${status} but the body lacks "${spec.expect}"${after}` };
      return result;
    } finally {
      socket.destroy();
    }
  }
}
