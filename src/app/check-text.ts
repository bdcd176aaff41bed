// A check's figures and state in words, the same in the Hosts pane, the Checks view and snapshots.
import { daysLeft } from '../domain/check.js';
import { formatClock } from '../domain/duration.js';
import type { CheckRow } from './rows.js';
import type { CheckView } from './store.js';

/** Whole days left on the check's last certificate, if it has one. */
export function certificateDays(check: CheckView): number | undefined {
  const r = check.result;
  return r?.certificate ? Math.floor(daysLeft(r.certificate, r.at)) : undefined;
}

/** What the last run measured: "HTTP 200 in 12 ms", "handshake in 30 ms, 40 days left", "connected in 2 ms". */
export function checkFigures(check: CheckView): string {
  const r = check.result;
  if (!r) return '';
  const what = check.kind === 'http' ? (r.status ? `HTTP ${r.status}` : '') : check.kind === 'tls' ? 'handshake' : 'connected';
  const time = r.latencyMs === undefined ? what : `${what ? `${what} in ` : ''}${r.latencyMs.toFixed(0)} ms`;
  const days = certificateDays(check);
  return [time, days === undefined ? '' : `${days} days left`].filter(Boolean).join(', ');
}

/** The state for a line on screen: the figures when ok, else the state and why ("failing since 12:03:11: connection refused"). */
export function checkStateText(row: CheckRow): string {
  switch (row.state) {
    case 'pending':
      return 'checking…';
    case 'ok':
      return checkFigures(row.check) || 'ok';
    case 'failing':
      return `failing${row.since ? ` since ${formatClock(row.since)}` : ''}: ${row.reason ?? ''}`;
    default:
      return `${row.state}: ${row.reason ?? ''}`;
  }
}
