// One check run within its own deadline, of whatever kind: every way it can go wrong becomes the
// result's `failure` in words ("connection refused", "no answer within 5s while connecting to
// 127.0.0.1:5000"), so a failing endpoint is a check's state, not a source that could not be read.
import { formatDuration } from '../../domain/duration.js';
import type { CheckKind, CheckResult, CheckSpec } from '../../domain/check.js';
import type { PollSource } from '../scheduler.js';
import { ConnectionDown } from '../ssh/connection.js';
import { describeNetError, type StreamOpener } from './connect.js';
import { runHttpCheck } from './http.js';
import type { Stage } from './stage.js';
import { runTcpCheck } from './tcp.js';
import { runTlsCheck } from './tls.js';

export { directOpener, type StreamOpener } from './connect.js';

const RUNS: Record<CheckKind, (spec: CheckSpec, open: StreamOpener, signal: AbortSignal, stage: Stage) => Promise<CheckResult>> = {
  http: runHttpCheck,
  tls: runTlsCheck,
  tcp: runTcpCheck,
};

/**
 * Streams opened through `from:` host's SSH connection. The host being down is said as such, so it
 * is not taken for the endpoint refusing ("SSH to web-1 unreachable: connection refused").
 */
export function throughHost(hostName: string, tunnel: StreamOpener): StreamOpener {
  return async (target, signal) => {
    try {
      return await tunnel(target, signal);
    } catch (error) {
      if (error instanceof ConnectionDown) throw new Error(`SSH to ${hostName} ${error.state.status}: ${error.message}`, { cause: error });
      throw error;
    }
  };
}

export async function runCheck(spec: CheckSpec, open: StreamOpener, signal: AbortSignal): Promise<CheckResult> {
  const deadline = AbortSignal.timeout(spec.timeoutMs);
  const stage: Stage = { now: 'starting' };
  try {
    return await RUNS[spec.kind](spec, open, AbortSignal.any([signal, deadline]), stage);
  } catch (error) {
    // The caller's own deadline (the scheduler's, a snapshot's end) is the caller's to report.
    if (signal.aborted) throw error;
    return { at: Date.now(), failure: deadline.aborted ? `no answer within ${formatDuration(spec.timeoutMs)} while ${stage.now}` : describeNetError(error) };
  }
}

/** A check as a poll source: its own deadline is the check's timeout, the scheduler's a second later as a backstop. */
export function checkSource(spec: CheckSpec, open: StreamOpener): PollSource<CheckResult> {
  return { timeoutMs: spec.timeoutMs + 1000, collect: (signal) => runCheck(spec, open, signal) };
}
