// The check reducer: a failure counts at once, latency and days left only after holding for `hold`
// runs (like every other level), and each change of state is one event.
import { describe, expect, it } from 'vitest';
import { checkView } from '../../../src/app/sources/check/index.js';
import { checkSourceId } from '../../../src/app/sources/check/id.js';
import type { DataState } from '../../../src/app/store.js';
import type { CheckSpec } from '../../../src/domain/check.js';
import { ThresholdTracker } from '../../../src/domain/thresholds.js';
import { deliver, fleetData, NOW, withPendingSource } from '../../helpers/fixtures.js';

const SPEC: CheckSpec = { name: 'api', kind: 'http', target: 'http://10.0.0.5/health', latency: { warn: 500, crit: 1000 }, days: { warn: 30, crit: 7 }, timeoutMs: 5000, host: 'web-1' };
const id = checkSourceId(SPEC);

function runs(latencies: (number | 'fail')[], hold = 2): DataState {
  let data = withPendingSource({ ...fleetData(), checks: { api: checkView(SPEC) } }, id, 'check api');
  const tracker = new ThresholdTracker(hold);
  latencies.forEach((v, i) => {
    const at = NOW + i * 2000;
    data = deliver(data, id, v === 'fail' ? { at, failure: 'connection refused' } : { at, status: 200, latencyMs: v }, tracker, at);
  });
  return data;
}

const messages = (data: DataState) => data.events.filter((e) => e.kind === 'check').map((e) => `${e.level} ${e.message}`);

describe('check states', () => {
  it('one slow answer among fast ones is no alert; two in a row (hold 2) are crit, once', () => {
    expect(runs([50, 1500, 50]).checks.api!.state).toBe('ok');
    const slow = runs([50, 1500, 1600, 1700]);
    expect(slow.checks.api).toMatchObject({ state: 'crit', reason: 'latency 1.7s (crit 1s)' });
    expect(messages(slow)).toEqual(['crit check api crit: latency 1.6s (crit 1s)']);
    // Held crit through one fast run: the reason says the run was under the line.
    expect(runs([50, 1500, 1600, 40]).checks.api).toMatchObject({ state: 'crit', reason: 'latency 40ms, back under 1s (crit until it holds)' });
  });

  it('a failure counts at once, and the first good answer after it is the recovery', () => {
    const data = runs([50, 'fail', 'fail', 60]);
    expect(data.checks.api).toMatchObject({ state: 'ok', latencies: [50, 60] });
    expect(messages(data)).toEqual(['crit check api failing: connection refused', 'info check api ok again after 4s (was failing: connection refused)']);
  });
});
