// Which runbook goes with what is failing (config: `runbook:` on a check or a database, `runbooks:`
// by unit or metric, top-level and per host), and which one the selection points at when the
// operator asks for it (the `open-runbook` key).
import type { Runbook } from '../domain/runbook.js';
import type { Metric } from '../domain/model.js';
import { databaseRows, selectedDatabaseRow } from './database-rows.js';
import { checkRows, databaseViews, hostRows, serviceRows } from './rows.js';
import type { DataState, UiState } from './store.js';

export interface RunbookIndex {
  checks: Readonly<Record<string, Runbook>>;
  databases: Readonly<Record<string, Runbook>>;
  /** By host, then unit name or metric (cpu, memory, disk, load); a host's own over the top-level ones. */
  hosts: Readonly<Record<string, Readonly<Record<string, Runbook>>>>;
}

export const NO_RUNBOOKS: RunbookIndex = { checks: {}, databases: {}, hosts: {} };

const METRICS: readonly Metric[] = ['cpu', 'memory', 'disk', 'load'];

/** The runbooks of what is failing on a host, worst first: its failing checks, failed units, crossed metrics. */
export interface FailingRunbook {
  kind: 'check' | 'unit' | 'metric';
  what: string;
  runbook: Runbook;
}

export function hostRunbooks(index: RunbookIndex, data: Pick<DataState, 'hosts' | 'checks' | 'sources'>, host: string): FailingRunbook[] {
  const view = data.hosts[host];
  const own = index.hosts[host] ?? {};
  const found: FailingRunbook[] = [];
  for (const { check, state } of checkRows(data)) {
    const runbook = index.checks[check.name];
    if (check.host === host && runbook && (state === 'failing' || state === 'crit' || state === 'warn')) found.push({ kind: 'check', what: `check ${check.name}`, runbook });
  }
  for (const unit of view?.services?.units ?? []) if (unit.active === 'failed' && own[unit.name]) found.push({ kind: 'unit', what: unit.name, runbook: own[unit.name]! });
  for (const level of ['crit', 'warn'] as const) for (const metric of METRICS) if (view?.levels[metric] === level && own[metric]) found.push({ kind: 'metric', what: metric, runbook: own[metric]! });
  return found;
}

/** The runbook of the failing item the selection points at, or why there is none. */
export function selectedRunbook(index: RunbookIndex, data: DataState, ui: UiState): { what: string; runbook: Runbook } | { error: string } {
  const none = (what: string) => ({ error: `no runbook for ${what}: name one in the config (runbook: / runbooks:)` });
  switch (ui.focus) {
    case 'services': {
      const rows = serviceRows(data, ui);
      const row = rows[Math.min(ui.cursor.services, rows.length - 1)];
      if (!row) return { error: 'no unit selected' };
      const runbook = index.hosts[row.host]?.[row.unit.name];
      return runbook ? { what: row.unit.name, runbook } : none(row.unit.name);
    }
    case 'databases': {
      const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
      // No busy query to select: the worst database that names a runbook.
      const name = row?.database ?? Object.values(data.databases).find((db) => db.levels.overall !== 'ok' && index.databases[db.name])?.name;
      if (!name) return { error: 'no database selected' };
      const runbook = index.databases[name];
      return runbook ? { what: `database ${name}`, runbook } : none(`database ${name}`);
    }
    default: {
      const rows = hostRows(data, ui);
      const host = ui.focus === 'hosts' ? rows[Math.min(ui.cursor.hosts, rows.length - 1)]?.host.name : ui.host || data.hostOrder[0];
      if (!host) return { error: 'no host selected' };
      return hostRunbooks(index, data, host)[0] ?? { error: `nothing failing on ${host} has a runbook` };
    }
  }
}
