// Checks (`checks:` in the config): what each kind probes, what one run found, and the words its
// state is told in. Pure: the probes are in src/services/checks/, the levels judged in the reducer.
import { formatDuration } from './duration.js';
import type { ThresholdPair } from './model.js';

export type CheckKind = 'http' | 'tls' | 'tcp';

/** Runbook defaults (Garden DX, Festival Planner): a certificate warns 30 days before it ends, crit at 7. */
export const DEFAULT_CERT_DAYS: ThresholdPair = { warn: 30, crit: 7 };
export const MAX_REDIRECTS = 5;

export interface CheckSpec {
  name: string;
  kind: CheckKind;
  /** http: the URL; tls and tcp: host:port. */
  target: string;
  /** http: text the body must contain (e.g. "healthy"). */
  expect?: string;
  /** Milliseconds: warn / crit (http, tcp). */
  latency?: ThresholdPair;
  /** Days left on the certificate: warn / crit (tls, https); fewer days is worse. */
  days: ThresholdPair;
  /** PEM file of certificates to trust besides the system's (an internal CA, a self-signed server). */
  ca?: string;
  timeoutMs: number;
  /** The host whose SSH connection the check runs through (its loopback is 127.0.0.1); absent: from here. */
  from?: string;
  /** The host row it is listed with: `host:`, else `from:`. */
  host?: string;
}

export interface CheckCertificate {
  /** Epoch ms of the certificate's notAfter. */
  notAfter: number;
  subject: string;
  issuer: string;
}

/** One run of a check: what it measured, and why it failed if it did. */
export interface CheckResult {
  at: number;
  /** Why the check did not pass ("connection refused", "HTTP 500", "certificate expired 2 days ago"); absent when it did. */
  failure?: string;
  /** http: start to the answer read; tcp: the connect; tls: connect and handshake. */
  latencyMs?: number;
  /** http: the final answer's status (after redirects). */
  status?: number;
  redirects?: number;
  /** tls, https: the server's certificate as offered (also when it failed verification). */
  certificate?: CheckCertificate;
}

/** `failing`: the check did not pass; warn/crit: it passed, past a latency or certificate threshold. */
export type CheckState = 'pending' | 'ok' | 'warn' | 'crit' | 'failing';

const DAY_MS = 86_400_000;

export function daysLeft(certificate: CheckCertificate, at: number): number {
  return (certificate.notAfter - at) / DAY_MS;
}

/** "certificate expires in 5 days", "... in 3h00m", "certificate expired 2 days ago". */
export function describeExpiry(certificate: CheckCertificate, at: number): string {
  const left = certificate.notAfter - at;
  if (left <= 0) return `certificate expired ${left > -DAY_MS ? `${formatDuration(-left)}` : plural(Math.floor(-left / DAY_MS), 'day')} ago`;
  return `certificate expires in ${left < DAY_MS ? formatDuration(left) : plural(Math.floor(left / DAY_MS), 'day')}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The latency as a reason: "latency 1.2s (crit 1s)". */
export function describeLatency(latencyMs: number, level: 'warn' | 'crit', pair: ThresholdPair): string {
  return `latency ${formatDuration(latencyMs)} (${level} ${formatDuration(pair[level])})`;
}

/** "host:port" (IPv6 in brackets) as the config writes a tls: or tcp: target. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}
