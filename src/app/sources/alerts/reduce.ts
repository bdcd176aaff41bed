// Alertmanager's alerts into the store: each on the host it names (the Prometheus host label's value,
// through the same links as the metrics), sorted by name for the Alerts view; one that starts or stops
// firing is an event on its host.
import type { Alert, AlertsSample } from '../../../domain/alerts.js';
import type { OpsEvent } from '../../../domain/model.js';
import type { SourceId } from '../../../domain/source-id.js';
import { safeText, withEvents } from '../../apply.js';
import type { AlertView, DataState } from '../../store.js';
import type { SnapshotSections } from '../kind.js';
import { markdownTable } from '../../markdown-table.js';

/** The labels that name a host in an alert, in the order they are tried. */
const HOST_LABELS = ['instance', 'host', 'hostname', 'node'];

function hostOf(data: DataState, labels: Readonly<Record<string, string>>): string | undefined {
  for (const label of HOST_LABELS) {
    const value = labels[label];
    if (value === undefined) continue;
    const name = data.prometheus?.links[value] ?? value;
    if (data.hosts[name]) return name;
  }
  return undefined;
}

const firing = (a: Pick<Alert, 'state'>) => a.state === 'active';

function alertView(data: DataState, alert: Alert): AlertView {
  const labels = Object.fromEntries(Object.entries(alert.labels).map(([k, v]) => [safeText(k), safeText(v)]));
  const host = hostOf(data, labels);
  return {
    ...alert,
    labels,
    summary: alert.summary === undefined ? undefined : safeText(alert.summary),
    name: labels.alertname ?? '(no alertname)',
    severity: labels.severity ?? '',
    ...(host ? { host } : {}),
  };
}

/** The host an alert is on, or the machine its labels name when opsdeck does not watch it. */
function machineOf(alert: AlertView): string {
  return alert.host ?? HOST_LABELS.map((l) => alert.labels[l]).find((v) => v !== undefined) ?? '';
}

function eventFor(alert: AlertView, at: number, started: boolean): OpsEvent {
  const level = !started ? 'info' : alert.severity === 'critical' || alert.severity === 'page' ? 'crit' : 'warn';
  // An alert may come before the target that names its host (the two sources answer apart): the event
  // names the machine by its label all the same.
  return { at, host: machineOf(alert), kind: 'alert', level, message: `alert ${alert.name} ${started ? 'firing' : 'no longer firing'}${started && alert.summary ? `: ${alert.summary}` : ''}` };
}

export function reduceAlerts(data: DataState, _id: SourceId<'alerts'>, sample: AlertsSample): DataState {
  const view = data.alerts;
  if (!view) return data;
  const list = sample.alerts
    .map((a) => alertView(data, a))
    .sort((a, b) => a.name.localeCompare(b.name) || machineOf(a).localeCompare(machineOf(b)) || a.since - b.since);
  const before = new Map(view.list.map((a) => [a.fingerprint, a]));
  const after = new Set(list.filter(firing).map((a) => a.fingerprint));
  const events = [
    ...list.filter((a) => firing(a) && !(before.get(a.fingerprint) && firing(before.get(a.fingerprint)!))).map((a) => eventFor(a, sample.at, true)),
    ...view.list.filter((a) => firing(a) && !after.has(a.fingerprint)).map((a) => eventFor(a, sample.at, false)),
  ];
  return withEvents(withAlertsOnHosts({ ...data, alerts: { ...view, list } }), events);
}

/** Each host's firing alerts from the list; the fleet calls it too when its targets add hosts an alert already named. */
export function placeAlerts(data: DataState): DataState {
  const view = data.alerts;
  if (!view) return data;
  const list = view.list.map((alert) => {
    const host = hostOf(data, alert.labels);
    return host === alert.host ? alert : { ...alert, host };
  });
  return withAlertsOnHosts({ ...data, alerts: { ...view, list } });
}

function withAlertsOnHosts(data: DataState): DataState {
  const onHosts = new Map<string, string[]>();
  for (const alert of data.alerts?.list ?? []) if (alert.host && firing(alert)) onHosts.set(alert.host, [...(onHosts.get(alert.host) ?? []), alert.name]);
  const hosts = { ...data.hosts };
  for (const [name, host] of Object.entries(hosts)) {
    const names = onHosts.get(name);
    if (names || host.firingAlerts) hosts[name] = { ...host, firingAlerts: names };
  }
  return { ...data, hosts };
}

export const alertsSnapshot: SnapshotSections = {
  hostJson: (_data, h) => ({ alerts: h.firingAlerts ?? [] }),
  json: (data) => (data.alerts ? { alerts: data.alerts.list.map((a) => ({ name: a.name, host: a.host ?? null, severity: a.severity, state: a.state, since: new Date(a.since).toISOString(), labels: a.labels })) } : {}),
  markdown: (data) => {
    const list = data.alerts?.list ?? [];
    if (list.length === 0) return [];
    return ['', '## Alerts', '', ...markdownTable(['alert', 'host', 'severity', 'state', 'since'], list.map((a) => [a.name, a.host ?? '–', a.severity || '–', a.state, new Date(a.since).toISOString()]))];
  },
  text: (data) => (data.alerts?.list ?? []).map((a) => `alert ${a.name} ${a.host ?? a.labels.instance ?? '-'} ${a.state}`),
};
