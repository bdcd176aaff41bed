// Silence the selected alert in Alertmanager (s: for how long and why, typed as "2h deploying the fix"),
// and expire that silence again (S). Each reads the silence back: the outcome is what Alertmanager
// says it holds, not what the request returned.
import { durationThenWords, formatClock, formatDuration } from '../../domain/duration.js';
import { alertRows } from '../rows.js';
import type { AlertView, DataState, UiState } from '../store.js';
import type { OperationKind } from './types.js';

export const DEFAULT_SILENCE_MS = 2 * 3600_000;
export const DEFAULT_SILENCE_COMMENT = 'silenced from opsdeck';
const TIMEOUT_MS = 10_000;

export interface SilenceParams {
  /** The alert's name and the host it names ('' for none): what the confirmation and the audit say. */
  alert: string;
  host: string;
  fingerprint: string;
  /** Every label of the alert: the silence matches them all, so it holds back that alert and no other. */
  labels: Readonly<Record<string, string>>;
  durationMs: number;
  comment: string;
}

export interface ExpireParams {
  alert: string;
  host: string;
  silenceId: string;
}

function selectedAlert(data: DataState, ui: UiState): AlertView | { error: string } {
  if (!data.alerts) return { error: 'no Alertmanager in the config (alertmanager:)' };
  if (ui.focus !== 'alerts') return { error: 'pick an alert in Alerts (7)' };
  return alertRows(data, ui)[ui.cursor.alerts] ?? { error: 'no alert selected' };
}

/** "2h", or "2h deploying the fix": a duration, then the comment (the default one when none is typed). */
function withDurationAndComment(p: SilenceParams, text: string): { params: SilenceParams } | { error: string } {
  const { first, ms, words } = durationThenWords(text);
  if (ms === undefined || ms <= 0) return { error: `"${first}" is not a duration: type one such as 30m or 2h, then a comment, or Esc` };
  return { params: { ...p, durationMs: ms, comment: words === '' ? p.comment : words } };
}

const where = (p: { alert: string; host: string }) => `${p.alert}${p.host ? ` on ${p.host}` : ''}`;

export const silenceAlert: OperationKind<SilenceParams> = {
  key: { context: 'alerts', binding: 'silence-alert', help: 'silence the selected alert in Alertmanager (type how long, then why: "2h deploying the fix"); then read the silence back' },
  changesOutside: true,
  fromSelection(data, ui) {
    const alert = selectedAlert(data, ui);
    if ('error' in alert) return alert;
    return { params: { alert: alert.name, host: alert.host ?? '', fingerprint: alert.fingerprint, labels: alert.labels, durationMs: DEFAULT_SILENCE_MS, comment: DEFAULT_SILENCE_COMMENT } };
  },
  describe: (p) => ({
    title: `silence ${where(p)} for ${formatDuration(p.durationMs)}`,
    lines: [`matches ${Object.entries(p.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}`, `comment: ${p.comment}`],
    host: p.host,
    target: `alert:${p.fingerprint}`,
    detail: { alert: p.alert, labels: p.labels, durationMs: p.durationMs, comment: p.comment },
  }),
  confirmation: (p) => ({ kind: 'value', label: 'silence for', placeholder: `${formatDuration(p.durationMs)} ${p.comment}`, hint: 'type 30m, 2h… then a comment' }),
  withValue: withDurationAndComment,
  async run(p, ports, signal) {
    const am = ports.alertmanager?.();
    if (!am) return { outcome: 'failed', message: 'no Alertmanager in the config (alertmanager:)' };
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]);
    const id = await am.silence(p.labels, p.durationMs, p.comment, bounded);
    const silence = await am.read(id, bounded);
    if (silence?.state !== 'active') return { outcome: 'failed', message: `silence ${id} for ${where(p)} is ${silence?.state ?? 'not found'} in Alertmanager`, result: { silenceId: id } };
    return { outcome: 'ok', message: `${where(p)} silenced until ${formatClock(silence.endsAt)} (silence ${id})`, result: { silenceId: id, endsAt: new Date(silence.endsAt).toISOString() } };
  },
};

export const expireSilence: OperationKind<ExpireParams> = {
  key: { context: 'alerts', binding: 'expire-silence', help: 'expire the silence that holds back the selected alert; then read it back' },
  changesOutside: true,
  fromSelection(data, ui) {
    const alert = selectedAlert(data, ui);
    if ('error' in alert) return alert;
    const silenceId = alert.silencedBy[0];
    if (!silenceId) return { error: `${where({ alert: alert.name, host: alert.host ?? '' })} is not silenced` };
    return { params: { alert: alert.name, host: alert.host ?? '', silenceId } };
  },
  describe: (p) => ({
    title: `expire the silence of ${where(p)}`,
    lines: [`ends silence ${p.silenceId} now: the alert notifies again`],
    host: p.host,
    target: `silence:${p.silenceId}`,
    detail: { alert: p.alert, silenceId: p.silenceId },
  }),
  confirmation: () => ({ kind: 'yes' }),
  async run(p, ports, signal) {
    const am = ports.alertmanager?.();
    if (!am) return { outcome: 'failed', message: 'no Alertmanager in the config (alertmanager:)' };
    const bounded = AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]);
    await am.expire(p.silenceId, bounded);
    const silence = await am.read(p.silenceId, bounded);
    if (silence && silence.state !== 'expired') return { outcome: 'failed', message: `silence ${p.silenceId} is still ${silence.state} in Alertmanager` };
    return { outcome: 'ok', message: `silence ${p.silenceId} of ${where(p)} expired` };
  },
};
