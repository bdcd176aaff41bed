import { describe, expect, it } from 'vitest';
import { measuredLogsSelector } from '../../src/app/log-measures.js';
import { hostView } from '../../src/app/apply.js';
import { DEFAULT_THRESHOLDS } from '../../src/app/config/resolve.js';
import { hostRows } from '../../src/app/rows.js';
import { emptyData, type AccessView, type DataState, type LogView } from '../../src/app/store.js';
import type { LogLine } from '../../src/domain/model.js';
import { sourceKey, type SourceId } from '../../src/domain/source-id.js';

const id: SourceId<'logs'> = { host: 'web', kind: 'logs', name: '0' };
const key = sourceKey(id);
const spec = { format: 'combined', windowSec: 60, minRequests: 10, errorRate: { warn: 1, crit: 5 } } as unknown as AccessView['spec'];
const line = (seq: number): LogLine => ({ seq, at: seq, text: `GET /${seq} 200`, knownLevel: 'info', count: 1 });
const view = (lines: LogLine[], access: AccessView): DataState['logs'] => ({ [key]: { id, host: 'web', label: 'nginx', lines, access } satisfies LogView });

describe('the logs as the Hosts rows read them', () => {
  it('stay the same record while only lines arrive, and change with what the log measures', () => {
    const select = measuredLogsSelector();
    const quiet: AccessView = { spec, level: 'ok' };
    const first = select(view([line(1)], quiet));
    expect(first[key]!.lines).toEqual([]);
    expect(select(view([line(1), line(2)], quiet))).toBe(first);

    const failing: AccessView = { spec, level: 'crit', metrics: { window: { errorRate: 10, requests: 200, seconds: 60, judged: true } } as AccessView['metrics'] };
    const alerting = select(view([line(1), line(2), line(3)], failing));
    expect(alerting).not.toBe(first);
    const web = hostView({ name: 'web', local: false, ssh: 'web', services: 'auto', systemctl: 'systemctl', sudo: false, logs: 'auto', thresholds: DEFAULT_THRESHOLDS, readOnly: false });
    const data: DataState = { ...emptyData(), hostOrder: ['web'], hosts: { web }, logs: alerting };
    expect(hostRows(data, { filters: { hosts: '' } })[0]).toMatchObject({ logAlerts: [expect.objectContaining({ level: 'crit', short: 'nginx 5xx 10%' })] });
  });

  it('follow a log opened or closed', () => {
    const select = measuredLogsSelector();
    const quiet: AccessView = { spec, level: 'ok' };
    const one = select(view([], quiet));
    const unitId: SourceId<'logs'> = { host: 'web', kind: 'logs', name: 'unit:nginx.service' };
    const two = select({ ...view([], quiet), [sourceKey(unitId)]: { id: unitId, host: 'web', label: 'nginx.service', unit: 'nginx.service', lines: [line(4)] } });
    expect(Object.keys(two)).toHaveLength(2);
    expect(Object.keys(select(view([line(5)], quiet)))).toEqual([key]);
    expect(one).not.toBe(two);
  });
});
