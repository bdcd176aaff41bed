// alerts: what Alertmanager holds, on the hosts the alerts name and in the Alerts view; alert.silence
// and alert.expire-silence (src/app/operations/alert.ts) act on it.
import type { AlertsSample } from '../../../domain/alerts.js';
import { AlertmanagerClient, alertsSource } from '../../../services/alertmanager/client.js';
import type { SourceKindModule } from '../kind.js';
import { tokenFrom } from '../prometheus/index.js';
import { alertsSnapshot, reduceAlerts } from './reduce.js';
import { ALERTS_SOURCE } from './id.js';


export const alertsKind: SourceKindModule<'alerts', AlertsSample> = {
  sources: ({ config }) => {
    const am = config.alertmanager;
    if (!am) return [];
    const client = new AlertmanagerClient({ url: am.url, tls: am.tls, token: tokenFrom(am.tokenEnv) });
    return [{ id: ALERTS_SOURCE, label: `alertmanager ${am.url}`, collect: { poll: alertsSource(client, am.timeoutMs) } }];
  },
  prepare: (data, { config }) => (config.alertmanager ? { ...data, alerts: { url: config.alertmanager.url, list: [] } } : data),
  reduce: reduceAlerts,
  snapshot: alertsSnapshot,
};
