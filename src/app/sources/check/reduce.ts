// A check's run into its state: failing at once (the endpoint refused, answered 500, lacked its word,
// offered a bad certificate), else its latency and its certificate's days left judged with hold
// ticks. Each change of state is an event with the reason; coming back to ok is one too.
import { daysLeft, describeExpiry, describeLatency, type CheckResult, type CheckState } from '../../../domain/check.js';
import { formatDuration } from '../../../domain/duration.js';
import type { Level, OpsEvent } from '../../../domain/model.js';
import { sourceKey, type SourceId } from '../../../domain/source-id.js';
import { levelOf, SEVERITY, worstLevel } from '../../../domain/thresholds.js';
import { safeText, withEvents } from '../../apply.js';
import type { CheckView, DataState } from '../../store.js';
import type { ReduceContext } from '../kind.js';

/** Latencies kept for the sparkline: two minutes at the default refresh. */
export const LATENCY_HISTORY = 60;

interface Judged {
  state: CheckState;
  reason?: string;
}

/** Latency and days left through the tracker: the levels it holds, and the words for those not ok. */
function judgeLevels(check: CheckView, key: string, result: CheckResult, { at, tracker }: ReduceContext): Judged {
  const found: { level: Level; reason: string }[] = [];
  if (check.latency && result.latencyMs !== undefined) {
    tracker.observe(`${key}:latency`, result.latencyMs, check.latency);
    const level = tracker.level(`${key}:latency`);
    // A level still held while this run was under its line says so, rather than "121ms (warn 150ms)".
    const under = SEVERITY[levelOf(result.latencyMs, check.latency)] < SEVERITY[level];
    if (level !== 'ok') found.push({ level, reason: under ? `latency ${formatDuration(result.latencyMs)}, back under ${formatDuration(check.latency[level])} (${level} until it holds)` : describeLatency(result.latencyMs, level, check.latency) });
  }
  if (result.certificate) {
    // Fewer days is worse: the tracker compares upwards, so it is given days as a negative number.
    tracker.observe(`${key}:days`, -daysLeft(result.certificate, at), { warn: -check.days.warn, crit: -check.days.crit });
    const level = tracker.level(`${key}:days`);
    if (level !== 'ok') found.push({ level, reason: `${describeExpiry(result.certificate, at)} (${level} ${check.days[level]} days)` });
  }
  const state = worstLevel(found.map((f) => f.level));
  return state === 'ok' ? { state } : { state, reason: found.filter((f) => f.level === state).map((f) => f.reason).join(', ') };
}

const EVENT_LEVEL: Record<Exclude<CheckState, 'pending' | 'ok'>, OpsEvent['level']> = { warn: 'warn', crit: 'crit', failing: 'crit' };

function stateEvent(check: CheckView, next: Judged, at: number): OpsEvent | undefined {
  if (next.state === check.state) return undefined;
  const base = { at, host: check.host ?? '', kind: 'check' as const };
  if (next.state === 'ok' || next.state === 'pending') {
    if (check.state === 'pending') return undefined;
    return { ...base, level: 'info', message: `check ${check.name} ok again after ${formatDuration(at - (check.since ?? at))} (was ${check.state}: ${check.reason ?? ''})` };
  }
  return { ...base, level: EVENT_LEVEL[next.state], message: `check ${check.name} ${next.state}: ${next.reason ?? ''}` };
}

export function reduceCheck(data: DataState, id: SourceId<'check'>, result: CheckResult, context: ReduceContext): DataState {
  const check = data.checks[id.name];
  if (!check) return data;
  const judged: Judged = result.failure !== undefined ? { state: 'failing', reason: safeText(result.failure) } : judgeLevels(check, sourceKey(id), result, context);
  const latencies = result.latencyMs === undefined ? check.latencies : [...check.latencies, result.latencyMs].slice(-LATENCY_HISTORY);
  const event = stateEvent(check, judged, context.at);
  const next: CheckView = { ...check, result, latencies, state: judged.state, reason: judged.reason, since: judged.state === check.state ? check.since : context.at };
  return withEvents({ ...data, checks: { ...data.checks, [id.name]: next } }, event ? [event] : []);
}
