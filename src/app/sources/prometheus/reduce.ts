// A fleet sample from Prometheus into the same host entries, reducers and levels SSH hosts use: each
// target is a host (added the first time it is seen, or the configured host it is linked to), its
// figures go through the resources and services reducers, and its health is its own source states.
import { hostSourceId, sourceKey, type SourceId } from '../../../domain/source-id.js';
import type { SourceState } from '../../../domain/model.js';
import type { FleetHistory, FleetHost, FleetSample } from '../../../services/prometheus/fleet.js';
import { applySourceError, applySourceOk, hostView, pendingSource, safeText } from '../../apply.js';
import type { DataState, HostHistory, HostView, PrometheusView } from '../../store.js';
import type { ReduceContext } from '../kind.js';
import { HISTORY_LENGTH, reduceResources } from '../resources/reduce.js';
import { reduceServices } from '../services/reduce.js';
import { placeAlerts } from '../alerts/reduce.js';

/** How the host's sources are named in its row and its events: where the figures come from. */
export const METRICS_LABEL = 'metrics (prometheus)';
export const UNITS_LABEL = 'units (prometheus)';

/** The store name of a target: its configured host, else the label value itself. */
export function fleetHostName(view: Pick<PrometheusView, 'links'>, target: string): string {
  return view.links[target] ?? safeText(target);
}

/** The host's metrics and units sources, pending until the first sample. */
export function seedFleetHost(data: DataState, name: string, at: number): DataState {
  const sources = { ...data.sources };
  for (const [kind, label] of [['resources', METRICS_LABEL], ['services', UNITS_LABEL]] as const) {
    const id = hostSourceId(name, kind);
    sources[sourceKey(id)] ??= pendingSource({ id, label }, at);
  }
  return { ...data, sources };
}

function addTarget(data: DataState, view: PrometheusView, target: FleetHost, name: string, at: number): DataState {
  const group = view.groupLabel ? target.labels[view.groupLabel] : undefined;
  const host: HostView = {
    ...hostView({ name, local: false, services: 'auto', systemctl: 'systemctl', sudo: false, logs: [], thresholds: view.thresholds, readOnly: false, group: group ? safeText(group) : undefined }),
    address: 'prometheus',
    metricsFrom: 'prometheus',
  };
  return seedFleetHost({ ...data, hostOrder: [...data.hostOrder, name], hosts: { ...data.hosts, [name]: host } }, name, at);
}

const lastOf = (series: readonly number[]) => series.slice(-(HISTORY_LENGTH - 1));

/** The range queries' past, so the sparklines are full from the first frame. */
function withPast(data: DataState, name: string, past: FleetHistory): DataState {
  const history: HostHistory = { cpu: lastOf(past.cpu), memory: lastOf(past.memory), rx: lastOf(past.rx), tx: lastOf(past.tx) };
  return { ...data, history: { ...data.history, [name]: history } };
}

/** Sets a source's state without an event: used for every host at once when Prometheus itself fails or returns. */
function quietly(data: DataState, id: SourceId, change: (state: SourceState) => SourceState): DataState {
  const key = sourceKey(id);
  const state = data.sources[key];
  return state ? { ...data, sources: { ...data.sources, [key]: change(state) } } : data;
}

function quietOk(data: DataState, id: SourceId, at: number): DataState {
  return quietly(data, id, (s) => ({ ...s, status: 'ok', since: s.status === 'ok' ? s.since : at, lastOkAt: at, error: undefined, hint: undefined }));
}

/** The hosts whose figures this Prometheus gives. */
export function fleetHosts(data: DataState): string[] {
  return data.hostOrder.filter((name) => data.hosts[name]?.metricsFrom === 'prometheus');
}

export function reduceFleet(data: DataState, _id: SourceId<'prometheus'>, sample: FleetSample, context: ReduceContext): DataState {
  const view = data.prometheus;
  if (!view) return data;
  const recovering = view.outage;
  let next: DataState = { ...data, prometheus: { ...view, outage: false } };
  const seen = new Set<string>();
  const hostsBefore = next.hostOrder.length;
  for (const target of sample.hosts) {
    const name = fleetHostName(view, target.name);
    const existing = next.hosts[name];
    // A target named like a host that is read over SSH and not linked to it would mix two machines.
    if (existing && existing.metricsFrom !== 'prometheus') continue;
    seen.add(name);
    if (!existing) next = addTarget(next, view, target, name, context.at);
    const host = next.hosts[name]!;
    next = { ...next, hosts: { ...next.hosts, [name]: { ...host, labels: target.labels } } };
    const metrics = hostSourceId(name, 'resources');
    const units = hostSourceId(name, 'services');
    if (!target.up || !target.resources) {
      const why = target.up ? 'Prometheus has no node_exporter figures for it yet' : 'target down: Prometheus cannot scrape it (up = 0)';
      next = applySourceError(next, metrics, why, context.at);
      next = applySourceError(next, units, why, context.at);
      continue;
    }
    const past = sample.history?.[target.name];
    if (past) next = withPast(next, name, past);
    // Back from Prometheus's own outage: one event said it went, one says it came back (the fleet source's).
    next = recovering ? quietOk(quietOk(next, metrics, context.at), units, context.at) : applySourceOk(applySourceOk(next, metrics, context.at), units, context.at);
    next = reduceResources(next, metrics, target.resources, context);
    next = reduceServices(next, units, { at: sample.at, units: target.units });
  }
  // Alerts that came before the targets naming their hosts: on those hosts now.
  if (next.hostOrder.length > hostsBefore) next = placeAlerts(next);
  for (const name of fleetHosts(next)) {
    if (seen.has(name)) continue;
    const why = 'not among Prometheus\'s targets for the selector';
    next = applySourceError(applySourceError(next, hostSourceId(name, 'resources'), why, context.at), hostSourceId(name, 'services'), why, context.at);
  }
  return next;
}

/** Prometheus itself failed: every host it feeds goes stale with the reason, one event in all (the fleet source's). */
export function failFleet(data: DataState, error: string, at: number): DataState {
  const view = data.prometheus;
  if (!view) return data;
  const reason = safeText(`prometheus ${view.url}: ${error}`);
  let next: DataState = { ...data, prometheus: { ...view, outage: true } };
  for (const name of fleetHosts(next)) {
    for (const kind of ['resources', 'services'] as const) {
      next = quietly(next, hostSourceId(name, kind), (s) => {
        const status = s.lastOkAt !== undefined ? 'stale' : 'error';
        return { ...s, status, since: s.status === status ? s.since : at, error: reason, hint: 'the figures shown are the last Prometheus gave; ssh: actions still work' };
      });
    }
  }
  return next;
}
