// A TLS handshake over an opened stream, judged as on-call reads it: the certificate's end date, and a
// failed verification named (expired, self-signed, unknown issuer, hostname mismatch) rather than
// OpenSSL's code. The handshake itself accepts any certificate so the one offered can be read and
// shown even when it is wrong; the verdict is then Node's own verification and hostname check.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls, { type PeerCertificate, type TLSSocket } from 'node:tls';
import { describeExpiry, parseHostPort, type CheckCertificate, type CheckResult, type CheckSpec } from '../../domain/check.js';
import type { StreamOpener } from './connect.js';
import type { Stage } from './stage.js';

export interface Handshake {
  socket: TLSSocket;
  certificate?: CheckCertificate;
  /** Why the certificate is not to be trusted; absent when it verified for the name. */
  problem?: string;
}

const VERIFY_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (root not trusted)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown issuer: the chain is incomplete or its CA is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown issuer: the chain is incomplete or its CA is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown issuer: the chain is incomplete or its CA is not trusted',
  CERT_NOT_YET_VALID: 'certificate not valid yet',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature does not verify',
  CERT_UNTRUSTED: 'certificate not trusted',
};

function certificateOf(peer: PeerCertificate): CheckCertificate | undefined {
  const notAfter = Date.parse(peer.valid_to);
  if (!Number.isFinite(notAfter)) return undefined;
  const name = (part: PeerCertificate['subject'] | undefined): string => String(part?.CN ?? part?.O ?? '');
  return { notAfter, subject: name(peer.subject), issuer: name(peer.issuer) };
}

/** The names a certificate is for, from its subjectAltName (else its CN): "localhost, 127.0.0.1". */
function namesOf(peer: PeerCertificate): string {
  const alt = peer.subjectaltname?.split(', ').map((n) => n.replace(/^(DNS|IP Address):/, '')).join(', ');
  return alt || String(peer.subject?.CN ?? 'no name');
}

function verdict(socket: TLSSocket, peer: PeerCertificate, certificate: CheckCertificate | undefined, servername: string, at: number): string | undefined {
  const error = socket.authorizationError as (Error & { code?: string }) | string | null | undefined;
  if (error) {
    const code = typeof error === 'string' ? error : (error.code ?? error.message);
    if (code === 'CERT_HAS_EXPIRED') return certificate ? describeExpiry(certificate, at) : 'certificate expired';
    // Node checks the name itself once the chain verified (tls.checkServerIdentity against `host`).
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `hostname mismatch: the certificate is for ${namesOf(peer)}, not ${servername}`;
    return VERIFY_ERRORS[code] ?? code.toLowerCase().replaceAll('_', ' ');
  }
  return undefined;
}

const NOT_TLS = 'the port does not speak TLS (plain HTTP or another protocol there?)';

/** What a failed handshake means for the OpenSSL codes an operator meets; others by OpenSSL's reason alone. */
const HANDSHAKE_ERRORS: Record<string, string> = {
  ERR_SSL_WRONG_VERSION_NUMBER: NOT_TLS,
  ERR_SSL_PACKET_LENGTH_TOO_LONG: NOT_TLS,
  ERR_SSL_HTTP_REQUEST: NOT_TLS,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server refused the handshake: no TLS version or cipher in common, or it wants a client certificate',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS version in common with the server',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS version in common with the server',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server wants a client certificate',
  ECONNRESET: 'the server closed the connection during the handshake',
};

/**
 * Node's message for an OpenSSL error carries the library's internals ("40DD…:error:0A00010B:SSL
 * routines:tls_validate_record_header:wrong version number:../deps/openssl/…"): the reason is the
 * part that means something.
 */
function handshakeFailure(error: Error & { code?: string }): string {
  const known = HANDSHAKE_ERRORS[error.code ?? ''];
  if (known) return known;
  return /:SSL routines:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? error.message;
}

/** Certificates to trust: the system's, plus the check's `ca:` file when it has one. */
async function trusted(ca: string | undefined): Promise<string[] | undefined> {
  if (ca === undefined) return undefined;
  return [...tls.rootCertificates, await readFile(ca, 'utf8')];
}

/** Runs the handshake for `servername` over `stream`; rejects only when there is no handshake at all. */
export async function handshake(stream: Duplex, servername: string, ca: string | undefined, signal: AbortSignal): Promise<Handshake> {
  const socket = tls.connect({
    socket: stream,
    // The name the certificate is checked against; SNI takes names only, so an IP address is not sent.
    host: servername,
    servername: isIP(servername) ? undefined : servername,
    ca: await trusted(ca),
    rejectUnauthorized: false,
  });
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    socket.once('error', (error: Error & { code?: string }) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new Error(`TLS handshake failed: ${handshakeFailure(error)}`, { cause: error }));
    });
  });
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return { socket, problem: 'the server sent no certificate' };
  const certificate = certificateOf(peer);
  return { socket, certificate, problem: verdict(socket, peer, certificate, servername, Date.now()) };
}

/** TLS checks (`tls: HOST:PORT`): the handshake, and the certificate's verdict and end date. */
export async function runTlsCheck(spec: CheckSpec, open: StreamOpener, signal: AbortSignal, stage: Stage): Promise<CheckResult> {
  const target = parseHostPort(spec.target);
  if (!target) return { at: Date.now(), failure: `${spec.target} is not host:port` };
  const started = performance.now();
  stage.now = `connecting to ${spec.target}`;
  const stream = await open(target, signal);
  stage.now = `in the TLS handshake with ${spec.target}`;
  const { socket, certificate, problem } = await handshake(stream, target.host, spec.ca, signal);
  const latencyMs = performance.now() - started;
  socket.destroy();
  return { at: Date.now(), latencyMs, certificate, ...(problem ? { failure: problem } : {}) };
}
