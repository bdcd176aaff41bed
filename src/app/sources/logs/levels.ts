// A log's levels, judged once per meter sample (once a second) through the hold-tick tracker: an
// access log's error rate, and each rule's keys at its threshold. The Hosts row, Logs, Events and the
// snapshot read what is stored here.
import type { AccessMetrics } from '../../../domain/access-metrics.js';
import type { LogMetricsSample } from '../../../domain/log-meters.js';
import type { Level, OpsEvent, ThresholdPair } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { crossedBound, type LevelChange, type ThresholdTracker } from '../../../domain/thresholds.js';
import type { AccessView, LogView, RuleView } from '../../store.js';

const TOP_KEYS = 5;

export const formatRate = (percent: number): string => `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;

/** A window as the config writes it: "5m", "1h", "90s". */
export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function errorRateMessage(label: string, view: AccessView, rate: number, change: LevelChange): string {
  const { window } = view.metrics!;
  const over = `${window.serverErrors} of ${window.requests} requests in ${formatWindow(window.seconds)}`;
  const bound = crossedBound(change, view.spec.errorRate, '%');
  return change.to === 'ok' ? `${label}: 5xx rate back to normal: ${formatRate(rate)} (${over}; from ${change.from})` : `${label}: 5xx rate ${change.to}: ${formatRate(rate)} (${over}; ${bound})`;
}

const sameFigures = (a: AccessMetrics, b: AccessMetrics): boolean => JSON.stringify({ ...a, at: 0 }) === JSON.stringify({ ...b, at: 0 });

function judgeAccess(id: SourceId<'logs'>, label: string, access: AccessView, sample: NonNullable<LogMetricsSample['access']>, tracker: ThresholdTracker, events: OpsEvent[]): AccessView {
  const key = `${sourceKey(id)}:error-rate`;
  // Too few requests to judge: taken as fine, so a quiet hour after an incident clears its alert.
  const rate = sample.window.judged ? (sample.window.errorRate ?? 0) : 0;
  const change = tracker.observe(key, rate, access.spec.errorRate);
  const level = tracker.level(key);
  // The same figures as a second ago (a quiet log): the view stays as it is, and nothing is drawn again.
  if (level === access.level && access.metrics && sameFigures(access.metrics, sample)) return access;
  const next: AccessView = { ...access, metrics: sample, level };
  if (change) events.push({ at: sample.at, host: id.host, kind: 'log', level: change.to === 'ok' ? 'info' : change.to, message: errorRateMessage(label, next, rate, change) });
  return next;
}

function ruleMessage(rule: RuleView, key: string, count: number, label: string, change: LevelChange): string {
  const who = key === '' ? '' : ` from ${key}`;
  const window = formatWindow(rule.spec.windowSec);
  return change.to === 'ok'
    ? `${rule.spec.name}${who}: back under ${rule.spec.threshold} in ${window} on ${label} (from ${change.from})`
    : `${rule.spec.name}: ${count} matches${who} in ${window} on ${label} (threshold ${rule.spec.threshold})`;
}

function judgeRule(id: SourceId<'logs'>, label: string, rule: RuleView, keys: LogMetricsSample['rules'][number]['keys'], tracker: ThresholdTracker, events: OpsEvent[], at: number): RuleView {
  const { threshold, level } = rule.spec;
  const pair: ThresholdPair = level === 'crit' ? { warn: threshold, crit: threshold } : { warn: threshold, crit: Number.POSITIVE_INFINITY };
  const counts = new Map(keys.map((k) => [k.key, k.count]));
  // The keys at the threshold, and those still alerting (to clear them, through the hold ticks).
  const judged = new Set([...keys.filter((k) => k.count >= threshold).map((k) => k.key), ...rule.alerts.map((a) => a.key)]);
  const alerts: { key: string; count: number; level: Level }[] = [];
  for (const key of judged) {
    const count = counts.get(key) ?? 0;
    const trackKey = `${sourceKey(id)}:rule:${rule.spec.name}:${key}`;
    const change = tracker.observe(trackKey, count, pair);
    if (change) events.push({ at, host: id.host, kind: 'log', level: change.to === 'ok' ? 'info' : change.to, message: ruleMessage(rule, key, count, label, change) });
    const now = tracker.level(trackKey);
    if (now !== 'ok' || count >= threshold) alerts.push({ key, count, level: now });
    else tracker.forget(trackKey);
  }
  const next = { top: keys.slice(0, TOP_KEYS), alerts: alerts.sort((a, b) => b.count - a.count) };
  return JSON.stringify(next) === JSON.stringify({ top: rule.top, alerts: rule.alerts }) ? rule : { ...rule, ...next };
}

/** The view with the sample's figures and levels (the same view when none changed), and the events of every level that moved. */
export function judgeLog(id: SourceId<'logs'>, view: LogView, sample: LogMetricsSample, tracker: ThresholdTracker): { view: LogView; events: OpsEvent[] } {
  const events: OpsEvent[] = [];
  const access = view.access && sample.access ? judgeAccess(id, view.label, view.access, sample.access, tracker, events) : view.access;
  const rules = view.rules?.map((rule) => {
    const counted = sample.rules.find((r) => r.name === rule.spec.name);
    return counted ? judgeRule(id, view.label, rule, counted.keys, tracker, events, sample.at) : rule;
  });
  const unchanged = access === view.access && (rules ?? []).every((rule, i) => rule === view.rules![i]);
  return { view: unchanged ? view : { ...view, ...(access ? { access } : {}), ...(rules ? { rules } : {}) }, events };
}
