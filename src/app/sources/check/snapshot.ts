// What the checks add to `opsdeck snapshot`: each check's state and reason, latency, HTTP status and
// certificate, as json fields and a markdown table.
import { checkFigures, certificateDays } from '../../check-text.js';
import { markdownTable } from '../../markdown-table.js';
import { checkRows, type CheckRow } from '../../rows.js';
import type { SnapshotSections } from '../kind.js';

function stateText(row: CheckRow): string {
  if (row.state === 'pending') return '**pending**';
  if (row.state === 'ok') return ['ok', checkFigures(row.check)].filter(Boolean).join(', ');
  return `**${row.state}**: ${row.reason ?? ''}`;
}

export const checkSnapshot: SnapshotSections = {
  json: (data) => ({
    checks: Object.fromEntries(
      checkRows(data).map((row) => {
        const { check, source } = row;
        const r = check.result;
        return [
          check.name,
          {
            kind: check.kind,
            target: check.target,
            url: check.kind === 'http' ? check.target : null,
            from: check.from ?? null,
            host: check.host ?? null,
            state: row.state,
            reason: row.reason ?? null,
            status: source?.status ?? 'pending',
            httpStatus: r?.status ?? null,
            latencyMs: r?.latencyMs === undefined ? null : Math.round(r.latencyMs),
            daysLeft: certificateDays(check) ?? null,
            notAfter: r?.certificate ? new Date(r.certificate.notAfter).toISOString() : null,
            error: row.state === 'failing' ? (row.reason ?? null) : null,
          },
        ];
      }),
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
        ['check', 'state', 'target'],
        rows.map((row) => [row.check.name, stateText(row), `${row.check.kind} ${row.check.target}${row.check.from ? ` from ${row.check.from}` : ''}`]),
      ),
    ];
  },
  text: (data) => checkRows(data).map((row) => `check ${row.check.name} (${row.check.kind} ${row.check.target}${row.check.from ? ` from ${row.check.from}` : ''}): ${stateText(row).replaceAll('**', '')}`),
};

