// A log's measures as words, one derivation for the Logs pane's header, the Hosts row, the snapshot
// and its verdict: an access log's figures and error rate, each rule's busiest keys and alerts.
import type { Level } from '../domain/model.js';
import type { KeyCount } from '../domain/sliding-window.js';
import { worstLevel } from '../domain/thresholds.js';
import { formatRate, formatWindow } from './sources/logs/levels.js';
import type { AccessView, DataState, LogView, RuleView } from './store.js';

export interface LogAlert {
  level: Exclude<Level, 'ok'>;
  /** What it is about: "log access.log", "rule ssh-bruteforce 203.0.113.9". */
  subject: string;
  /** A few words for the Hosts row: "access.log 5xx 10%", "ssh-bruteforce 203.0.113.9". */
  short: string;
  /** The reading against its threshold. */
  reason: string;
}

const window = formatWindow;

/** "10.0% of 200 requests in 1m" (or "no requests in 5m", "3 requests in 5m: too few to judge"). */
function errorRateText(access: AccessView): string {
  const w = access.metrics?.window;
  if (!w || w.requests === 0) return `no requests in ${window(access.spec.windowSec)}`;
  const rate = `5xx ${formatRate(w.errorRate ?? 0)} of ${w.requests} in ${window(w.seconds)}`;
  return w.judged ? rate : `${rate}: too few to judge (${access.spec.minRequests})`;
}

/** The Logs pane's line for an access log: rate, 4xx and 5xx per minute, the error rate and its level. */
function accessFigures(access: AccessView): string {
  const m = access.metrics;
  if (!m) return 'measuring…';
  const unparsed = m.lastMinute.unparsed > 0 ? ` · ${m.lastMinute.unparsed} lines/min not ${access.spec.format}` : '';
  return `${m.requestsPerSec.toFixed(1)} req/s · 4xx ${m.lastMinute.clientErrors}/min · 5xx ${m.lastMinute.serverErrors}/min · ${errorRateText(access)}${unparsed}`;
}

const keys = (list: readonly KeyCount[]) => list.map((k) => `${k.key} ×${k.count}`).join(', ');

/** The top statuses, paths and clients of the last five minutes, for the wide Logs pane. */
function accessTop(access: AccessView): string | undefined {
  const top = access.metrics?.top;
  if (!top || top.statuses.length === 0) return undefined;
  return `top 5m: ${keys(top.statuses)} · ${keys(top.paths)} · ${keys(top.clients)}`;
}

/** A rule's line: its alerts first, else its busiest keys. */
function ruleFigures(rule: RuleView): string {
  const head = `${rule.spec.name} (≥${rule.spec.threshold} in ${window(rule.spec.windowSec)})`;
  const alerting = rule.alerts.filter((a) => a.level !== 'ok');
  if (alerting.length > 0) return `${head}: ${alerting.map((a) => `${a.key || 'matches'} ×${a.count}`).join(', ')}`;
  return rule.top.length > 0 ? `${head}: ${keys(rule.top.map((k) => ({ key: k.key || 'matches', count: k.count })))}` : `${head}: none`;
}

/** Everything alerting on one log. */
export function logAlerts(view: LogView): LogAlert[] {
  const alerts: LogAlert[] = [];
  const access = view.access;
  if (access && access.level !== 'ok') {
    const rate = formatRate(access.metrics?.window.errorRate ?? 0);
    alerts.push({ level: access.level, subject: `log ${view.label}`, short: `${view.label} 5xx ${rate}`, reason: `${errorRateText(access)} (${access.level} at ${access.spec.errorRate[access.level]}%)` });
  }
  for (const rule of view.rules ?? []) {
    for (const alert of rule.alerts) {
      if (alert.level === 'ok') continue;
      const who = alert.key === '' ? '' : ` ${alert.key}`;
      alerts.push({
        level: alert.level,
        subject: `rule ${rule.spec.name}${who}`,
        short: `${rule.spec.name}${who}`,
        reason: `${alert.count} matches in ${window(rule.spec.windowSec)} on ${view.label} (threshold ${rule.spec.threshold})`,
      });
    }
  }
  return alerts;
}

/** A host's alerting logs (not a unit's log opened from Services: it measures nothing). */
export function hostLogAlerts(logs: DataState['logs'], host: string): LogAlert[] {
  return Object.values(logs).flatMap((view) => (view.host === host && view.unit === undefined ? logAlerts(view) : []));
}

export interface MeasureLine {
  text: string;
  level: Level;
}

/**
 * The lines above the Logs pane's tail for the logs it shows: an access log's figures (and, on a
 * wide pane, its top statuses, paths and clients), then each rule's alerts or busiest keys.
 */
export function measureLines(views: readonly LogView[], wide: boolean): MeasureLine[] {
  const lines: MeasureLine[] = [];
  const measured = views.filter((v) => v.access || v.rules);
  const named = measured.length > 1;
  const hosts = new Set(measured.map((v) => v.host)).size > 1;
  for (const view of views) {
    const prefix = named ? `${hosts ? `${view.host} ` : ''}${view.label}: ` : '';
    if (view.access) {
      lines.push({ text: `${prefix}${accessFigures(view.access)}`, level: view.access.level });
      const top = wide ? accessTop(view.access) : undefined;
      if (top) lines.push({ text: `${prefix}${top}`, level: 'ok' });
    }
    for (const rule of view.rules ?? []) {
      lines.push({ text: `${prefix}${ruleFigures(rule)}`, level: worstLevel(rule.alerts.map((a) => a.level)) });
    }
  }
  return lines;
}

/**
 * A selector of the log views as the Hosts rows and the tab bar read them: what each measures, no
 * lines. It hands back the same record while only lines arrived, so a followed log's flushes (five a
 * second) do not rebuild every host's row.
 */
export function measuredLogsSelector(): (logs: DataState['logs']) => DataState['logs'] {
  let lastLogs: DataState['logs'] | undefined;
  let last: DataState['logs'] = {};
  return (logs) => {
    if (logs === lastLogs) return last;
    lastLogs = logs;
    const keys = Object.keys(logs);
    const same = keys.length === Object.keys(last).length && keys.every((key) => sameMeasures(logs[key]!, last[key]));
    if (!same) last = Object.fromEntries(keys.map((key) => [key, { ...logs[key]!, lines: [] }]));
    return last;
  };
}

/** Whether a view differs from its measured copy only in its lines. */
function sameMeasures(view: LogView, measured: LogView | undefined): boolean {
  if (!measured) return false;
  const keys = Object.keys(view) as (keyof LogView)[];
  return keys.length === Object.keys(measured).length && keys.every((key) => key === 'lines' || view[key] === measured[key]);
}
