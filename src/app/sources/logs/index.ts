// logs: each host's followed logs (configured files and journal units, or the system log).
import type { LogLine } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import type { DataState } from '../../store.js';
import type { OpsConfig } from '../../config/resolve.js';
import type { LogStream } from '../../../services/logs/stream.js';
import type { KindSource, SourceKindModule } from '../kind.js';
import { followLog } from './follow.js';

const RECENT_LOG_LINES = 20;
const RECENT_ERROR_LINES = 10;

function reduceLogs(data: DataState, id: SourceId<'logs'>, lines: readonly LogLine[]): DataState {
  const key = sourceKey(id);
  const view = data.logs[key];
  return view ? { ...data, logs: { ...data.logs, [key]: { ...view, lines } } } : data;
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
export function unitLogSource(id: SourceId<'logs'>, unit: string, stream: LogStream, config: Pick<OpsConfig, 'logBuffer' | 'maxLineLength'>): KindSource<'logs', readonly LogLine[]> {
  return { id, label: `log of ${unit}`, collect: { follow: followLog(stream, config.logBuffer, config.maxLineLength, { host: id.host, source: unit }) } };
}

/** A host's last error lines over all its logs, each as "LABEL: TEXT". */
const recentErrors = (data: DataState, host: string): string[] =>
  logsOf(data, host)
    .flatMap((l) => l.lines.filter((line) => line.level === 'error').map((line) => `${l.label}: ${line.text}`))
    .slice(-RECENT_ERROR_LINES);

export const logsKind: SourceKindModule<'logs', readonly LogLine[]> = {
  sources: ({ hosts, config }) =>
    hosts.flatMap(({ host, watch }) =>
      watch.logStreams.map((stream, index) => {
        const id: SourceId<'logs'> = { host: host.name, kind: 'logs', name: String(index) };
        return {
          id,
          label: `log ${stream.label}`,
          seed: (data: DataState) => ({ ...data, logs: { ...data.logs, [sourceKey(id)]: { id, host: host.name, label: stream.label, ...(stream.file ? { file: stream.file } : {}), lines: [] } } }),
          collect: { follow: followLog(stream, config.logBuffer, config.maxLineLength, { host: host.name, source: stream.label }) },
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
      logs: logsOf(data, h.name).map((l) => ({ label: l.label, recent: l.lines.slice(-RECENT_LOG_LINES).map((line) => ({ level: line.level, text: line.text, count: line.count })) })),
    }),
    hostMarkdown: (data, h) => {
      const errors = recentErrors(data, h.name);
      return errors.length > 0 ? ['', 'Recent error lines:', '', '```', ...errors, '```'] : [];
    },
    hostText: (data, h) => recentErrors(data, h.name).map((line) => `  error in ${line}`),
  },
};
