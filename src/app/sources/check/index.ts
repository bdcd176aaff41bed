// check: HTTP health checks from `checks:` (status 2xx, latency, an expected word in the body).
import type { CheckResult } from '../../../domain/model.js';
import type { SourceId } from '../../../domain/source-id.js';
import { httpCheckSource } from '../../../services/checks/http.js';
import { checkRows } from '../../rows.js';
import type { DataState } from '../../store.js';
import type { SourceKindModule } from '../kind.js';
import { checkSourceId } from './id.js';
import { markdownTable } from '../../markdown-table.js';

function reduceCheck(data: DataState, id: SourceId<'check'>, result: CheckResult): DataState {
  const check = data.checks[id.name];
  return check ? { ...data, checks: { ...data.checks, [id.name]: { ...check, result } } } : data;
}

export const checkKind: SourceKindModule<'check', CheckResult> = {
  sources: ({ config }) =>
    config.checks.map((spec) => ({
      id: checkSourceId(spec),
      label: `check ${spec.name}`,
      seed: (data: DataState) => ({ ...data, checks: { ...data.checks, [spec.name]: { name: spec.name, url: spec.url, host: spec.host } } }),
      collect: { poll: httpCheckSource(spec) },
    })),
  reduce: reduceCheck,
  snapshot: {
    json: (data) => ({
      checks: Object.fromEntries(
        checkRows(data).map(({ check, source }) => [
          check.name,
          { url: check.url, host: check.host ?? null, status: source?.status ?? 'pending', httpStatus: check.result?.status ?? null, latencyMs: check.result ? Math.round(check.result.latencyMs) : null, error: source?.error ?? null },
        ]),
      ),
    }),
    markdown: (data) => {
      const rows = checkRows(data);
      if (rows.length === 0) return [];
      return [
        '',
        '## Checks',
        '',
        ...markdownTable(
          ['check', 'state', 'url'],
          rows.map(({ check, source }) => {
            const state = source?.status === 'ok' ? `ok, HTTP ${check.result?.status} in ${check.result?.latencyMs.toFixed(0)} ms` : `**${source?.status ?? 'pending'}**${source?.error ? `: ${source.error}` : ''}`;
            return [check.name, state, check.url];
          }),
        ),
      ];
    },
  },
};
