// HTTP health checks (`curl /health` in every runbook): status, latency and an expected word in the body.
import type { CheckResult } from '../../domain/model.js';
import type { PollSource } from '../scheduler.js';

export interface HttpCheckSpec {
  name: string;
  url: string;
  /** Text the body must contain (e.g. "healthy"). */
  expect?: string;
  host?: string;
  timeoutMs: number;
}

const MAX_BODY = 64 * 1024;

/** fetch says only "fetch failed"; the reason an operator needs is in its cause. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code) return code;
  return cause?.message ?? (error as Error).message;
}

/** The start of the body, at most `limit` bytes: a health endpoint that streams forever is not read whole. */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

export async function runHttpCheck(spec: HttpCheckSpec, signal: AbortSignal): Promise<CheckResult> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(spec.url, { signal, redirect: 'follow', headers: { 'user-agent': 'opsdeck' } });
  } catch (error) {
    if (signal.aborted) throw new Error(`no answer within ${spec.timeoutMs} ms`, { cause: error });
    throw new Error(describeFetchError(error), { cause: error });
  }
  const body = await readCapped(response, MAX_BODY);
  const latencyMs = performance.now() - started;
  if (!response.ok) throw new Error(`HTTP ${response.status} in ${latencyMs.toFixed(0)} ms`);
  if (spec.expect !== undefined && !body.includes(spec.expect)) throw new Error(`HTTP ${response.status} but the body lacks "${spec.expect}"`);
  return { at: Date.now(), status: response.status, latencyMs };
}

export function httpCheckSource(spec: HttpCheckSpec): PollSource<CheckResult> {
  return { timeoutMs: spec.timeoutMs, collect: (signal) => runHttpCheck(spec, signal) };
}
