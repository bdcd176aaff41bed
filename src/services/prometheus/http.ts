// JSON over HTTP(S) for the Prometheus and Alertmanager APIs: a bearer token, TLS options (a CA, a
// client certificate, a server name, or no verification at all when the operator says so), a body
// size cap and the caller's signal as the deadline. node:http rather than fetch: fetch takes no CA
// or client certificate without an extra dependency.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface TlsOptions {
  /** A PEM file of the CA that signed the server's certificate. */
  caFile?: string;
  /** PEM files of a client certificate and its key, for servers that ask for one. */
  certFile?: string;
  keyFile?: string;
  /** The name the server's certificate is checked against, when the URL's host is not it. */
  serverName?: string;
  /** Accept any certificate (a lab's self-signed one); off unless the config says so. */
  insecure?: boolean;
}

export interface HttpEndpoint {
  url: string;
  /** Sent as `Authorization: Bearer …`, asked for on each request (it may come from the environment); never printed. */
  token?: () => string | undefined;
  tls?: TlsOptions;
}

/** Prometheus answers a whole fleet's series in a few MiB; a runaway answer is cut, not buffered. */
const MAX_BODY = 64 * 1024 * 1024;

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The reason an operator needs, from a socket error's code. */
function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        response.destroy(new HttpError(`answer larger than ${MAX_BODY / 1048576} MiB`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

/** The files are read on each request: a renewed certificate is picked up without a restart. */
function tlsSettings(tls: TlsOptions) {
  const read = (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  };
  return { ca: read(tls.caFile, 'CA file'), cert: read(tls.certFile, 'client certificate'), key: read(tls.keyFile, 'client key'), servername: tls.serverName, rejectUnauthorized: !tls.insecure };
}

/**
 * One request; resolves to the parsed JSON of a 2xx answer (undefined for an empty body), rejects with
 * the API's own error text for any other status. `path` is appended to the endpoint's URL.
 */
export function requestJson(endpoint: HttpEndpoint, method: 'GET' | 'POST' | 'DELETE', path: string, signal: AbortSignal, body?: unknown): Promise<unknown> {
  const url = new URL(endpoint.url.replace(/\/+$/, '') + path);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'opsdeck' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new HttpError('cancelled before it was sent'));
    let secure: ReturnType<typeof tlsSettings> | undefined;
    try {
      secure = url.protocol === 'https:' ? tlsSettings(endpoint.tls ?? {}) : undefined;
      const token = endpoint.token?.();
      if (token) headers.authorization = `Bearer ${token}`;
    } catch (error) {
      return reject(new HttpError((error as Error).message));
    }
    const req = send(url, { method, headers, signal, ...secure });
    req.on('error', (error: NodeJS.ErrnoException) => reject(new HttpError(signal.aborted ? 'no answer in time' : describeSocketError(error))));
    req.on('response', (response) => {
      readBody(response).then((text) => {
        const status = response.statusCode ?? 0;
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          if (status >= 200 && status < 300) return reject(new HttpError(`HTTP ${status} with a body that is not JSON`, status));
        }
        if (status >= 200 && status < 300) return resolve(parsed);
        const said = (parsed as { error?: unknown } | undefined)?.error ?? (typeof parsed === 'string' ? parsed : text.slice(0, 200).trim());
        reject(new HttpError(`HTTP ${status}${said ? `: ${String(said)}` : ''}`, status));
      }, (error: Error) => reject(new HttpError(signal.aborted ? 'no answer in time' : error.message)));
    });
    req.end(payload);
  });
}
