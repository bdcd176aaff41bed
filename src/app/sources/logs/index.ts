// logs: each host's followed logs (configured files and journal units, or the system log).
import { levelOf } from '../../../domain/log-level.js';
import type { LogMeasures } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { withEvents } from '../../apply.js';
import type { AccessView, DataState, LogView, RuleView } from '../../store.js';
import { measureLines } from '../../log-measures.js';
import type { OpsConfig } from '../../config/resolve.js';
import type { LogStream } from '../../../services/logs/stream.js';
import type { KindSource, ReduceContext, SourceKindModule } from '../kind.js';
import { followLog, type LogResult } from './follow.js';
import { judgeLog } from './levels.js';

const RECENT_LOG_LINES = 20;
const RECENT_ERROR_LINES = 10;

function reduceLogs(data: DataState, id: SourceId<'logs'>, result: LogResult, { tracker }: ReduceContext): DataState {
  const key = sourceKey(id);
  const view = data.logs[key];
  if (!view) return data;
  const withLines = result.lines ? { ...view, lines: result.lines } : view;
  if (!result.metrics) return { ...data, logs: { ...data.logs, [key]: withLines } };
  const judged = judgeLog(id, withLines, result.metrics, tracker);
  if (judged.view === view && judged.events.length === 0) return data;
  return withEvents({ ...data, logs: { ...data.logs, [key]: judged.view } }, judged.events);
}

/** A configured log's view before its first line: what it measures, nothing measured yet. */
function seedView(id: SourceId<'logs'>, host: string, stream: LogStream, measures: LogMeasures): LogView {
  return {
    id,
    host,
    label: stream.label,
    ...(stream.file ? { file: stream.file } : {}),
    lines: [],
    ...(measures.access ? { access: { spec: measures.access, level: 'ok' as const } } : {}),
    ...(measures.rules?.length ? { rules: measures.rules.map((spec) => ({ spec, top: [], alerts: [] })) } : {}),
  };
}

const logsOf = (data: DataState, host: string) => Object.values(data.logs).filter((l) => l.host === host && l.unit === undefined);

/** The id of a unit's log opened from Services (Enter on the unit). */
export const unitLogId = (host: string, unit: string): SourceId<'logs'> => ({ host, kind: 'logs', name: `unit:${unit}` });

/** A unit's log view, added or told where its lines come from (its lines so far are kept). */
export function withUnitLog(data: DataState, id: SourceId<'logs'>, unit: string, from: string): DataState {
  const key = sourceKey(id);
  const view = data.logs[key] ?? { id, host: id.host, label: unit, lines: [], unit };
  return { ...data, logs: { ...data.logs, [key]: { ...view, from } } };
}

/** The view and its source state gone: the unit's log was closed. */
export function withoutLog(data: DataState, id: SourceId<'logs'>): DataState {
  const key = sourceKey(id);
  const logs = { ...data.logs };
  const sources = { ...data.sources };
  delete logs[key];
  delete sources[key];
  return { ...data, logs, sources };
}

/** The follower of a unit's log as a source of this kind. */
export function unitLogSource(id: SourceId<'logs'>, unit: string, stream: LogStream, config: Pick<OpsConfig, 'logBuffer' | 'maxLineLength'>): KindSource<'logs', LogResult> {
  return { id, label: `log of ${unit}`, collect: { follow: followLog(stream, config.logBuffer, config.maxLineLength, { host: id.host, source: unit }) } };
}

/** An access log in `snapshot --format json`: its figures as read, its error rate's level and thresholds. */
function accessJson(access: AccessView): Record<string, unknown> {
  const m = access.metrics;
  return {
    format: access.spec.format,
    level: access.level,
    errorRate: { warn: access.spec.errorRate.warn, crit: access.spec.errorRate.crit, windowSec: access.spec.windowSec, minRequests: access.spec.minRequests },
    ...(m
      ? {
          requestsPerSec: m.requestsPerSec,
          lastMinute: m.lastMinute,
          window: { seconds: m.window.seconds, requests: m.window.requests, serverErrors: m.window.serverErrors, errorRatePercent: m.window.errorRate ?? null, judged: m.window.judged },
          top: m.top,
        }
      : {}),
  };
}

const ruleJson = (rule: RuleView) => ({ name: rule.spec.name, windowSec: rule.spec.windowSec, threshold: rule.spec.threshold, alerts: rule.alerts, top: rule.top });

/** A host's last error lines over all its logs, each as "LABEL: TEXT". */
const recentErrors = (data: DataState, host: string): string[] =>
  logsOf(data, host)
    .flatMap((l) => [...l.lines].filter((line) => levelOf(line) === 'error').map((line) => `${l.label}: ${line.text}`))
    .slice(-RECENT_ERROR_LINES);

export const logsKind: SourceKindModule<'logs', LogResult> = {
  sources: ({ hosts, config }) =>
    hosts.flatMap(({ host, watch }) =>
      watch.logStreams.map((stream, index) => {
        const id: SourceId<'logs'> = { host: host.name, kind: 'logs', name: String(index) };
        // The streams are in the config's order; the system log a host gets without `logs:` measures nothing.
        const measures: LogMeasures = host.logs === 'auto' ? {} : (host.logs[index] ?? {});
        return {
          id,
          label: `log ${stream.label}`,
          seed: (data: DataState) => ({ ...data, logs: { ...data.logs, [sourceKey(id)]: seedView(id, host.name, stream, measures) } }),
          collect: { follow: followLog(stream, config.logBuffer, config.maxLineLength, { host: host.name, source: stream.label }, measures) },
        };
      }),
    ),
  prepare: (data, { hosts }) => {
    const notes = hosts.flatMap(({ watch }) => watch.logNote ?? []);
    return notes.length > 0 ? { ...data, notes: { ...data.notes, logs: notes.join('\n') } } : data;
  },
  reduce: reduceLogs,
  snapshot: {
    hostJson: (data, h) => ({
      logs: logsOf(data, h.name).map((l) => ({
        label: l.label,
        ...(l.access ? { access: accessJson(l.access) } : {}),
        ...(l.rules ? { rules: l.rules.map(ruleJson) } : {}),
        recent: [...l.lines].slice(-RECENT_LOG_LINES).map((line) => ({ level: levelOf(line), text: line.text, count: line.count })),
      })),
    }),
    hostMarkdown: (data, h) => {
      const measured = measureLines(logsOf(data, h.name), true);
      const errors = recentErrors(data, h.name);
      return [
        ...(measured.length > 0 ? ['', 'Logs measured:', '', ...measured.map((m) => `- ${m.level === 'ok' ? '' : `**${m.level}** `}${m.text}`)] : []),
        ...(errors.length > 0 ? ['', 'Recent error lines:', '', '```', ...errors, '```'] : []),
      ];
    },
    hostText: (data, h) => [...measureLines(logsOf(data, h.name), true).map((m) => `  ${m.level === 'ok' ? '' : `[${m.level}] `}${m.text}`), ...recentErrors(data, h.name).map((line) => `  error in ${line}`)],
  },
};
