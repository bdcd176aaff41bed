// prometheus: hosts and their figures from an existing Prometheus (node_exporter's metrics), one
// fixed set of queries per tick for the whole fleet. docs/prometheus.md says what is read from where.
import { hostSourceId } from '../../../domain/source-id.js';
import { fleetSource, type FleetSample } from '../../../services/prometheus/fleet.js';
import type { DataState } from '../../store.js';
import type { SourceKindModule } from '../kind.js';
import { HISTORY_LENGTH } from '../resources/reduce.js';
import { failFleet, reduceFleet, seedFleetHost } from './reduce.js';

export const PROMETHEUS_SOURCE = hostSourceId('', 'prometheus');

/** The bearer token from the environment, read at each request; a missing variable fails the request with its name, never silently unauthenticated. */
export function tokenFrom(envName: string | undefined): () => string | undefined {
  return () => {
    if (envName === undefined) return undefined;
    const value = process.env[envName];
    if (value === undefined || value === '') throw new Error(`the token's environment variable ${envName} is not set`);
    return value;
  };
}

export const prometheusKind: SourceKindModule<'prometheus', FleetSample> = {
  sources: ({ config }) => {
    const prometheus = config.prometheus;
    if (!prometheus) return [];
    const source = fleetSource(
      { name: 'prometheus', endpoint: { url: prometheus.url, tls: prometheus.tls, token: tokenFrom(prometheus.tokenEnv) }, selector: prometheus.selector, hostLabel: prometheus.hostLabel, rateWindow: prometheus.rateWindow, timeoutMs: prometheus.timeoutMs },
      { points: HISTORY_LENGTH - 1, stepMs: () => config.refreshMs },
    );
    return [
      {
        id: PROMETHEUS_SOURCE,
        label: `prometheus ${prometheus.url}`,
        collect: { poll: source },
      },
    ];
  },
  prepare: (data: DataState, { config }) => {
    const prometheus = config.prometheus;
    if (!prometheus) return data;
    let next: DataState = { ...data, prometheus: { url: prometheus.url, groupLabel: prometheus.groupLabel, links: prometheus.links, thresholds: config.thresholds, outage: false } };
    // The configured hosts it feeds: their figures wait for Prometheus, whatever their ssh: does.
    for (const name of Object.values(prometheus.links)) {
      const host = next.hosts[name];
      if (host) next = seedFleetHost({ ...next, hosts: { ...next.hosts, [name]: { ...host, metricsFrom: 'prometheus' } } }, name, Date.now());
    }
    return next;
  },
  reduce: reduceFleet,
  fail: (data, _id, error, at) => failFleet(data, error, at),
};
