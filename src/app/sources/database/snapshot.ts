// Databases in a snapshot: each one's state, levels and sample (json), or a line of key figures (markdown, text).
import type { DatabaseSample, DatabaseThresholds } from '../../../domain/database.js';
import { hitRatio } from '../../../domain/database-levels.js';
import { databaseViews } from '../../rows.js';
import { iso } from '../../snapshot-format.js';
import type { SnapshotSections } from '../kind.js';
import { markdownTable } from '../../markdown-table.js';

/** One line of a database's key figures, as an incident report would quote them. */
function databaseFigures(sample: DatabaseSample, thresholds: DatabaseThresholds): string {
  const n = (v: number | undefined, digits = 1) => (v === undefined ? '–' : v.toFixed(digits));
  // A ratio needs an interval with reads: a quiet server has few or none, and its ratio says little.
  const ratio = hitRatio(sample, thresholds);
  const hit = `${ratio.percent === undefined ? '–' : `${ratio.percent.toFixed(1)}%`}${ratio.enough ? '' : ' (too few reads)'}`;
  switch (sample.kind) {
    case 'postgres':
      return `${sample.connections.total}/${sample.connections.max} connections, ${n(sample.tps)} TPS, cache hit ${hit}, ${sample.blocking.length} blocked, ${sample.idleInTransaction.count} idle in transaction`;
    case 'mysql':
      return `${sample.threads.connected}/${sample.threads.max} threads (${sample.threads.running} running), ${n(sample.qps)} QPS, ${n(sample.slowSinceLast, 0)} slow, buffer pool hit ${hit}`;
    case 'redis':
      return `${n(sample.opsPerSec, 0)} ops/s, ${sample.clients.connected} clients (${sample.clients.blocked} blocked), memory ${n(sample.memory.used / 1048576)} MiB, hit ${hit}, ping ${n(sample.pingMs, 2)} ms`;
  }
}

export const databaseSnapshot: SnapshotSections = {
  json: (data) => ({
    databases: Object.fromEntries(
      databaseViews(data).map((view) => [
        view.name,
        { kind: view.kind, target: view.target, status: view.status, since: iso(view.since), error: view.error ?? null, hint: view.hint ?? null, level: view.levels.overall, levels: view.levels, sample: view.sample ?? null },
      ]),
    ),
  }),
  markdown: (data) => {
    const views = databaseViews(data);
    if (views.length === 0) return [];
    return [
      '',
      '## Databases',
      '',
      ...markdownTable(
        ['database', 'state', 'figures'],
        views.map((view) => {
          const level = view.levels.overall;
          const state = view.status === 'ok' ? (level === 'ok' ? 'ok' : `**${level}**`) : `**${view.status}**${view.error ? `: ${view.error}` : ''}`;
          return [`${view.name} (${view.kind}, ${view.target})`, state, view.sample ? databaseFigures(view.sample, view.thresholds) : ''];
        }),
      ),
    ];
  },
  // As a host: its state and worst level on one line, its figures (the last ones, when stale) under it.
  text: (data) =>
    databaseViews(data).flatMap((view) => {
      const level = view.levels.overall !== 'ok' ? ` [${view.levels.overall}]` : '';
      const head = `database ${view.name} (${view.kind}, ${view.target}): ${view.status}${view.error ? ` — ${view.error}` : ''}${level}`;
      return view.sample ? [head, `  ${databaseFigures(view.sample, view.thresholds)}`] : [head];
    }),
};
