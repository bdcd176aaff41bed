// What a snapshot found wrong, each thing at one level (warn < crit < down), for `--fail-on` and the
// `summary` of `snapshot --format json`: a cron job or a CI gate reads the exit status or `worst`.
import type { Level } from '../domain/model.js';
import { databaseChecks } from '../domain/database-levels.js';
import { checkRows, databaseViews, hostRows } from './rows.js';
import { loadOnCores, loadPerCore } from './sources/resources/levels.js';
import { backupSummary } from './sources/backups/snapshot.js';
import { initialUi, type DataState } from './store.js';

export type Severity = Level | 'down';
export const SEVERITIES: readonly Severity[] = ['ok', 'warn', 'crit', 'down'];
const RANK: Record<Severity, number> = { ok: 0, warn: 1, crit: 2, down: 3 };

export interface Finding {
  level: Exclude<Severity, 'ok'>;
  /** What it is about: "host web-1", "host web-1 disk /var", "database main", "check api". */
  subject: string;
  /** Why: the error, or the reading against its threshold. */
  reason: string;
}

/** A host's level in the report: down while it cannot be read (its last readings are no verdict), else its worst threshold. */
export function hostSeverity(row: { health: string; level: Level }): Severity {
  return row.health === 'ok' ? row.level : 'down';
}

const fixed = (v: number | undefined) => (v === undefined ? '' : ` ${v.toFixed(0)}%`);

/**
 * Down: a host whose connection or resources could not be read (unreachable, refused, timed out,
 * still connecting when the snapshot ended), a database opsdeck could not read, a failing check.
 * A check's latency or certificate past its threshold is its warn or crit.
 * Crit and warn: the held threshold levels (host CPU, memory, each disk, load; each database metric; a
 * log's error rate and rules) and a failed unit (crit). Another source of a reachable host that could not be read (its units, a
 * log, its process list, its maintenance flag) is warn: part of the picture is missing, the host is
 * not down (the Events pane records those outages at warn too).
 */
export function snapshotFindings(data: DataState): Finding[] {
  const findings: Finding[] = [];
  for (const row of hostRows(data, initialUi())) {
    const h = row.host;
    const subject = `host ${h.name}`;
    if (hostSeverity(row) === 'down') {
      findings.push({ level: 'down', subject, reason: row.problem?.error ?? (row.health === 'pending' ? 'no answer before the snapshot ended' : row.health) });
      continue;
    }
    const r = h.resources;
    if (h.levels.cpu !== 'ok') findings.push({ level: h.levels.cpu, subject: `${subject} cpu`, reason: `${h.levels.cpu}${fixed(r?.cpu.totalPercent)} (${h.levels.cpu} at ${h.thresholds.cpu[h.levels.cpu]}%)` });
    if (h.levels.memory !== 'ok') findings.push({ level: h.levels.memory, subject: `${subject} memory`, reason: `${h.levels.memory}${fixed(r?.memory.usedPercent)} (${h.levels.memory} at ${h.thresholds.memory[h.levels.memory]}%)` });
    for (const [mount, level] of Object.entries(h.levels.disks)) {
      if (level === 'ok') continue;
      const used = r?.disks.find((d) => d.mount === mount)?.usedPercent;
      findings.push({ level, subject: `${subject} disk ${mount}`, reason: `${level}${fixed(used)} (${level} at ${h.thresholds.disk[level]}%)` });
    }
    if (h.levels.load !== 'ok' && r) findings.push({ level: h.levels.load, subject: `${subject} load`, reason: `${h.levels.load} ${loadPerCore(r).toFixed(2)} per core, ${loadOnCores(r)} (${h.levels.load} at ${h.thresholds.load[h.levels.load]} per core)` });
    for (const unit of h.services?.units ?? []) if (unit.active === 'failed') findings.push({ level: 'crit', subject: `${subject} unit ${unit.name}`, reason: 'failed' });
    for (const source of row.issues) findings.push({ level: 'warn', subject: `${subject} ${source.label}`, reason: source.error ?? source.status });
    for (const alert of row.logAlerts) findings.push({ level: alert.level, subject: `${subject} ${alert.subject}`, reason: alert.reason });
  }
  for (const db of databaseViews(data)) {
    const subject = `database ${db.name}`;
    if (db.status !== 'ok') {
      findings.push({ level: 'down', subject, reason: db.error ?? (db.status === 'pending' ? 'no answer before the snapshot ended' : db.status) });
      continue;
    }
    const readings = db.sample ? databaseChecks(db.sample, data.databases[db.name]?.thresholds) : [];
    for (const [metric, level] of Object.entries(db.levels)) {
      if (metric === 'overall' || !level || level === 'ok') continue;
      findings.push({ level, subject: `${subject} ${metric}`, reason: `${level}: ${readings.find((c) => c.metric === metric)?.text ?? metric}` });
    }
  }
  // A backup overdue, none verified or its directory unreadable: crit on its host's row, so here too.
  for (const view of Object.values(data.backups)) if (view.level !== 'ok') findings.push({ level: view.level, subject: `backup ${view.database}`, reason: backupSummary(view) });
  for (const row of checkRows(data)) {
    const subject = `check ${row.check.name}`;
    if (row.state === 'pending') findings.push({ level: 'down', subject, reason: 'no answer before the snapshot ended' });
    else if (row.state === 'failing') findings.push({ level: 'down', subject, reason: row.reason ?? 'failing' });
    else if (row.state !== 'ok') findings.push({ level: row.state, subject, reason: row.reason ?? row.state });
  }
  return findings;
}

export function worstSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((worst, f) => (RANK[f.level] > RANK[worst] ? f.level : worst), 'ok');
}

/** The findings at or past `threshold`: the snapshot fails on these. */
export function findingsAtOrPast(findings: readonly Finding[], threshold: Exclude<Severity, 'ok'>): Finding[] {
  return findings.filter((f) => RANK[f.level] >= RANK[threshold]);
}
