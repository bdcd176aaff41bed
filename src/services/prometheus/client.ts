// Prometheus's HTTP API: instant and range queries, answered as plain series (labels and numbers).
import { HttpError, requestJson, type HttpEndpoint } from './http.js';

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface RangeSample {
  labels: Readonly<Record<string, string>>;
  /** [epoch seconds, value], oldest first. */
  values: [number, number][];
}

interface ApiAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
}

function resultOf(answer: unknown, expected: 'vector' | 'matrix') {
  const a = answer as ApiAnswer | undefined;
  if (a?.status !== 'success') throw new HttpError(`query failed: ${a?.error ?? 'no status in the answer'}`);
  // A scalar or string answer means the query is not one of ours: say so rather than show nothing.
  if (a.data?.resultType !== expected) throw new HttpError(`expected a ${expected}, Prometheus answered a ${a.data?.resultType ?? 'nothing'}`);
  return a.data.result ?? [];
}

/** An instant query's answer as series; a failed or non-vector answer throws. */
export function parseVector(answer: unknown): Sample[] {
  return resultOf(answer, 'vector').map((r) => ({ labels: r.metric ?? {}, value: Number(r.value?.[1]) }));
}

/** A range query's answer as series; a failed or non-matrix answer throws. */
export function parseMatrix(answer: unknown): RangeSample[] {
  return resultOf(answer, 'matrix').map((r) => ({ labels: r.metric ?? {}, values: (r.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]) }));
}

export class PrometheusClient {
  constructor(private readonly endpoint: HttpEndpoint) {}

  /** One instant query evaluated at `atMs`: a tick's queries all read the same instant, whenever each arrives. */
  async instant(query: string, atMs: number, signal: AbortSignal): Promise<Sample[]> {
    const params = new URLSearchParams({ query, time: (atMs / 1000).toFixed(3) });
    return parseVector(await requestJson(this.endpoint, 'GET', `/api/v1/query?${params.toString()}`, signal));
  }

  /** One range query from `start` to `end` (epoch seconds) at `stepSec`. */
  async range(query: string, start: number, end: number, stepSec: number, signal: AbortSignal): Promise<RangeSample[]> {
    const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(stepSec) });
    return parseMatrix(await requestJson(this.endpoint, 'GET', `/api/v1/query_range?${params.toString()}`, signal));
  }
}
