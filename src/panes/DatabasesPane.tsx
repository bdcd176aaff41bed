// Databases, dense like pg_activity: per database a header of key figures coloured and marked by its
// stored levels (judged with hold ticks when the sample arrived), who blocks whom, then its busiest
// queries (the cursor row is the one cancel/terminate act on).
import { memo, type ReactNode } from 'react';
import { Text } from 'ink';
import { formatClock, formatDuration } from '../domain/duration.js';
import type { Level } from '../domain/model.js';
import { fragmentationLevel, longestQuerySec, type DatabaseLevels, type HitRatio } from '../domain/database-levels.js';
import type { MysqlSample, PostgresSample, RedisSample } from '../domain/database.js';
import type { DatabaseView } from '../app/database-view.js';
import type { BackupView } from '../app/store.js';
import { nameMatches, visibleRows, type DatabaseRow } from '../app/database-rows.js';
import { textFilter } from '../app/text-filter.js';
import { Frame } from './Frame.js';
import { formatBytes } from '../domain/bytes.js';
import { worstLevel } from '../domain/thresholds.js';
import { cut as cutText, fit, fitRight, sliceToWidth, widthOf } from './format.js';
import { levelMark, MARK, useTheme, type Theme, type Tone } from './theme.js';

export interface DatabasesPaneProps {
  databases: DatabaseView[];
  /** Those with `backup:`: their latest backup's age joins their header. */
  backups?: Record<string, BackupView>;
  width: number;
  height: number;
  focused: boolean;
  /** Index into databaseRows(databases, filter). */
  cursor: number;
  filter: string;
  /** This machine's databases are still being looked for: none found is not yet the answer. */
  discovering?: boolean;
  /** For "since" and ages; default Date.now(). */
  now?: number;
}

interface Segment {
  text: string;
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
}

interface Line {
  key: string;
  segments: Segment[];
  /** Index into databaseRows when the line is a selectable row. */
  row?: number;
}

const compact = (n: number | undefined, digits = 0): string => {
  if (n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (Math.abs(n) >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(Number.isInteger(n) ? 0 : n < 10 ? Math.max(digits, 1) : digits);
};
const pct = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(1)}%`);
const secs = (n: number | undefined) => (n === undefined ? '–' : formatDuration(n * 1000));
/** The level a count stands at: `bad` once there is any. */
const countLevel = (n: number | undefined, bad: Level = 'warn'): Level | undefined => (n !== undefined && n > 0 ? bad : undefined);

/** A label and its value; a value at warn or crit carries the level's mark as well as its colour. */
function figure(label: string, value: string, level?: Level): Segment[] {
  return [{ text: `  ${label} `, dim: true }, { text: level ? `${value}${levelMark(level)}` : value, tone: level }];
}

/**
 * The hit ratio with its level once its interval saw enough reads; grey "too few reads" before, the
 * first reading (no interval yet, no reads counted) included: a bare "–" would not say why it is grey.
 */
function hitFigure(label: string, hit: HitRatio | undefined, level: Level | undefined): Segment[] {
  if (!hit || hit.enough) return figure(label, pct(hit?.percent), level);
  return [{ text: `  ${label} `, dim: true }, { text: `${pct(hit.percent)} (too few reads)`, tone: 'muted' }];
}

/** The longest query's age, once it stands at warn or crit (the rows below show each one). */
function longestFigure(s: PostgresSample | MysqlSample, levels: DatabaseLevels): Segment[] {
  return levels.queryDuration === 'warn' || levels.queryDuration === 'crit' ? figure('longest', secs(longestQuerySec(s)), levels.queryDuration) : [];
}

/** Connections in percent and as a count are two thresholds on one figure: it shows the worse. */
const connectionLevel = (levels: DatabaseLevels) => worstLevel([levels.connections ?? 'ok', levels.connectionCount ?? 'ok']);

function postgresFigures(s: PostgresSample, levels: DatabaseLevels, hit: HitRatio | undefined): Segment[] {
  const size = s.databases.reduce((sum, d) => sum + d.sizeBytes, 0);
  const lag =
    s.replication.role === 'standby'
      ? figure('standby lag', secs(s.replicationLagSec), levels.replicationLag)
      : s.replication.replicas.length > 0
        ? figure(`${s.replication.replicas.length} replica lag`, secs(s.replicationLagSec), levels.replicationLag)
        : [];
  return [
    ...figure('conn', `${s.connections.total}/${s.connections.max}`, connectionLevel(levels)),
    ...figure('tps', compact(s.tps)),
    ...hitFigure('hit', hit, levels.cacheHit),
    ...longestFigure(s, levels),
    ...figure('idle-tx', s.idleInTransaction.count > 0 ? `${s.idleInTransaction.count} (${secs(s.idleInTransaction.longestSec)})` : '0', countLevel(s.idleInTransaction.count)),
    ...(s.blocking.length > 0 ? figure('blocked', String(new Set(s.blocking.map((b) => b.blocked.pid)).size), 'crit') : []),
    ...lag,
    ...figure('deadlocks', `+${compact(s.deadlocksSinceLast)}`, countLevel(s.deadlocksSinceLast, 'crit')),
    ...figure('tmp', `+${compact(s.tempFilesSinceLast)}`, countLevel(s.tempFilesSinceLast)),
    ...(size > 0 ? figure('size', formatBytes(size), levels.size) : []),
  ];
}

function mysqlFigures(s: MysqlSample, levels: DatabaseLevels, hit: HitRatio | undefined): Segment[] {
  const r = s.replica;
  const replica = r
    ? r.ioRunning !== 'Yes' || r.sqlRunning !== 'Yes'
      ? figure('replica', `io ${r.ioRunning} sql ${r.sqlRunning}${r.lastError ? `: ${r.lastError}` : ''}`, levels.replicationLag)
      : figure('replica lag', secs(s.replicationLagSec), levels.replicationLag)
    : [];
  return [
    ...figure('thr', `${s.threads.connected}/${s.threads.max}`, connectionLevel(levels)),
    ...figure('run', String(s.threads.running)),
    ...figure('qps', compact(s.qps)),
    ...longestFigure(s, levels),
    ...figure('slow', `+${compact(s.slowSinceLast)}`, countLevel(s.slowSinceLast)),
    ...hitFigure('bp hit', hit, levels.cacheHit),
    ...(s.lockWaits.length > 0 ? figure('lock waits', String(s.lockWaits.length), 'crit') : []),
    ...replica,
    ...(s.sizeBytes ? figure('size', formatBytes(s.sizeBytes), levels.size) : []),
    ...(s.readOnly ? [{ text: '  read-only', tone: 'warn' as const }] : []),
  ];
}

function redisFigures(s: RedisSample, levels: DatabaseLevels, hit: HitRatio | undefined, now: number): Segment[] {
  const m = s.memory;
  const memory = m.max > 0 ? `${formatBytes(m.used)}/${formatBytes(m.max)} ${pct(m.usedPercent)}` : formatBytes(m.used);
  const rep = s.replication;
  const role =
    rep.role === 'master'
      ? rep.replicas.length > 0
        ? figure(`master, ${rep.replicas.length} replica lag`, `${secs(s.replicationLagSec)} ${formatBytes(Math.max(...rep.replicas.map((x) => x.lagBytes)))}`, levels.replicationLag)
        : []
      : figure(`replica of ${rep.master}`, rep.linkStatus === 'up' ? `up, ${secs(s.replicationLagSec)}` : `link ${rep.linkStatus}`, levels.replicationLag);
  const saveAge = s.persistence.lastSaveAt > 0 ? formatDuration(Math.max(0, now - s.persistence.lastSaveAt)) : '–';
  return [
    ...figure('ping', `${s.pingMs.toFixed(s.pingMs < 10 ? 1 : 0)}ms`),
    ...figure('mem', memory, levels.memory),
    ...figure('frag', m.fragmentation.toFixed(2), fragmentationLevel(m)),
    ...figure('ops', `${compact(s.opsPerSec)}/s`),
    ...figure('cli', String(s.clients.connected), levels.connectionCount),
    ...figure('blk', String(s.clients.blocked), countLevel(s.clients.blocked)),
    ...hitFigure('hit', hit, levels.cacheHit),
    ...figure('evict', `${compact(s.evictedPerSec)}/s`, countLevel(s.evictedPerSec)),
    ...figure('exp', `${compact(s.expiredPerSec)}/s`),
    ...role,
    ...figure('save', `${s.persistence.lastSaveOk ? 'ok' : 'FAILED'} ${saveAge}`, s.persistence.lastSaveOk ? undefined : 'crit'),
  ];
}

const MAX_HEADER_LINES = 3;

/**
 * The header's figures packed onto as few lines as the width allows (at most three; a narrow pane
 * cuts the rest). A figure is a label segment followed by its value, and is never split.
 */
function packFigures(key: string, head: Segment[], figures: Segment[], width: number): Line[] {
  const groups: Segment[][] = [];
  for (let i = 0; i < figures.length; i += 2) groups.push(figures.slice(i, i + 2));
  const lines: Segment[][] = [[...head]];
  const widthOfAll = (segments: Segment[]) => segments.reduce((sum, seg) => sum + widthOf(seg.text), 0);
  // The current line's width is kept, not measured again for every group.
  let used = widthOfAll(lines[0]!);
  for (const group of groups) {
    const current = lines[lines.length - 1]!;
    const w = widthOfAll(group);
    if (used + w <= width || lines.length >= MAX_HEADER_LINES || current.length === 0) {
      current.push(...group);
      used += w;
    } else {
      lines.push([{ text: '  ' }, ...group]);
      used = 2 + w;
    }
  }
  return lines.map((segments, i) => ({ key: i === 0 ? key : `${key}${i}`, segments }));
}

const KIND_LABEL = { postgres: 'pg', mysql: 'my', redis: 'redis' } as const;

/** The latest verified backup's age, marked and coloured by its level ("none" when there is no verified backup). */
function backupFigure(backup: BackupView | undefined, now: number): Segment[] {
  if (!backup?.inventory && !backup?.error) return [];
  const age = backup.error ? 'unreadable' : backup.latestVerifiedAt === undefined ? 'none' : formatDuration(Math.max(0, now - backup.latestVerifiedAt));
  return figure('backup', age, backup.level);
}

function headerLines(view: DatabaseView, now: number, width: number, backup: BackupView | undefined): Line[] {
  const name: Segment = { text: view.name, bold: true };
  if (view.status === 'pending') return [{ key: `${view.name}:h`, segments: [{ text: `${MARK.pending} `, dim: true }, name, { text: `  ${view.target}  collecting…`, dim: true }] }];
  if (view.status !== 'ok' || !view.sample) {
    const stale = view.status === 'stale';
    const tone = stale ? 'stale' : 'down';
    const lines: Line[] = [
      {
        key: `${view.name}:h`,
        segments: [
          { text: `${MARK[tone]} `, tone },
          name,
          { text: `  ${view.target}  `, dim: true },
          { text: `${stale ? 'stale' : 'down'} since ${formatClock(view.since)} (${formatDuration(Math.max(0, now - view.since))})${view.error ? `: ${view.error}` : ''}`, tone },
          ...backupFigure(backup, now),
        ],
      },
    ];
    if (view.hint) lines.push({ key: `${view.name}:hint`, segments: [{ text: `  ${view.hint}`, dim: true }] });
    return lines;
  }
  const sample = view.sample;
  const levels = view.levels;
  const version = sample.kind === 'mysql' ? `${sample.flavor === 'mariadb' ? 'maria' : 'my'} ${sample.version.replace(/-.*$/, '')}` : `${KIND_LABEL[sample.kind]} ${sample.version.replace(/\s.*$/, '')}`;
  const hit = view.hit;
  const figures = [...(sample.kind === 'postgres' ? postgresFigures(sample, levels, hit) : sample.kind === 'mysql' ? mysqlFigures(sample, levels, hit) : redisFigures(sample, levels, hit, now)), ...backupFigure(backup, now)];
  // The mark is the worst on the line, its backup's age included: a red "backup none" under a green mark reads as fine.
  const worst = backup?.inventory || backup?.error ? worstLevel([levels.overall, backup.level]) : levels.overall;
  const lines = packFigures(`${view.name}:h`, [{ text: `${MARK[worst]} `, tone: worst }, name, { text: ` ${version}`, dim: true }], figures, width);
  if (sample.kind === 'redis' && sample.keyspace.length > 0) {
    lines.push({
      key: `${view.name}:keys`,
      segments: [{ text: '  keyspace ', dim: true }, { text: sample.keyspace.map((k) => `db${k.db} ${compact(k.keys)} keys${k.expires > 0 ? ` (${compact(k.expires)} exp)` : ''}`).join('  ') }],
    });
  }
  if (sample.kind === 'mysql' && sample.replicaNote) lines.push({ key: `${view.name}:note`, segments: [{ text: `  ${sample.replicaNote}`, dim: true }] });
  return lines;
}

/** One line per blocker: what it is doing and whom it holds up (with how long they have waited). */
function chainLines(view: DatabaseView): Line[] {
  const sample = view.status === 'ok' ? view.sample : undefined;
  const pairs: { blocker: number; blockerText: string; blocked: number; waitSec: number }[] = [];
  if (sample?.kind === 'postgres') {
    for (const b of sample.blocking) {
      pairs.push({ blocker: b.blocker.pid, blockerText: `${b.blocker.user} ${b.blocker.state} ${secs(b.blocker.durationSec)}`, blocked: b.blocked.pid, waitSec: b.blocked.durationSec });
    }
  } else if (sample?.kind === 'mysql') {
    const byId = new Map(sample.processes.map((p) => [p.id, p]));
    for (const w of sample.lockWaits) {
      const p = byId.get(w.blockingId);
      pairs.push({ blocker: w.blockingId, blockerText: p ? `${p.user} ${p.command.toLowerCase()} ${secs(p.timeSec)}` : w.blockingQuery ? 'running' : 'idle in transaction', blocked: w.blockedId, waitSec: w.waitSec });
    }
  }
  const blockers = [...new Set(pairs.map((p) => p.blocker))];
  return blockers.map((pid) => {
    const mine = pairs.filter((p) => p.blocker === pid);
    return {
      key: `${view.name}:chain:${pid}`,
      segments: [
        { text: '  ⛓ ', tone: 'crit' },
        { text: String(pid), bold: true, tone: 'crit' },
        { text: ` (${mine[0]?.blockerText ?? ''}) blocks `, tone: 'crit' },
        { text: mine.map((p) => `${p.blocked} (${secs(p.waitSec)})`).join(', '), tone: 'crit' },
      ],
    };
  });
}

interface Columns {
  pid: number;
  user: number;
  db: number;
  duration: number;
  state: number;
  wait: number;
}

function columnsFor(inner: number): Columns {
  const wide = inner >= 110;
  return { pid: 8, user: wide ? 12 : 9, db: wide ? 12 : 9, duration: 8, state: wide ? 13 : 10, wait: wide ? 20 : 14 };
}

/** A column's text and the space after it. */
const cell = (text: string, width: number) => `${fit(text, width - 1)} `;

function rowLine(row: DatabaseRow, index: number, c: Columns): Line {
  const blocked = row.blockedBy.length > 0;
  const idleTx = row.state.startsWith('idle in transaction');
  const duration = row.durationLevel;
  return {
    key: `${row.database}:${row.pid}`,
    row: index,
    segments: [
      { text: fitRight(String(row.pid), c.pid - 1) + ' ' },
      { text: cell(row.user, c.user) },
      { text: cell(row.db, c.db), dim: true },
      { text: fitRight(`${secs(row.durationSec)}${levelMark(duration) || ' '}`, c.duration - 1) + ' ', tone: duration === 'ok' ? undefined : duration },
      { text: cell(row.state.replace('idle in transaction', 'idle in tx'), c.state), tone: idleTx ? 'warn' : undefined },
      blocked ? { text: cell(`⧗ by ${row.blockedBy.join(',')}`, c.wait), tone: 'crit' } : { text: cell(row.wait, c.wait), dim: true },
      { text: row.query },
    ],
  };
}

function buildLines(databases: readonly DatabaseView[], backups: Record<string, BackupView>, filter: string, now: number, c: Columns, width: number): Line[] {
  const match = textFilter(filter);
  const lines: Line[] = [];
  let index = 0;
  for (const view of databases) {
    const rows = visibleRows(view, filter, match);
    if (filter !== '' && rows.length === 0 && !nameMatches(view, match)) continue;
    lines.push(...headerLines(view, now, width, backups[view.name]), ...chainLines(view));
    for (const row of rows) lines.push(rowLine(row, index++, c));
  }
  return lines;
}

/** Segments cut to `width` columns, the last visible one ending in '…' when something was cut. */
function cutSegments(segments: Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const segment of segments) {
    const w = widthOf(segment.text);
    if (used + w <= width) {
      out.push(segment);
      used += w;
      continue;
    }
    // One pass over the characters (a query can be kilobytes), not a measure of each growing prefix.
    out.push({ ...segment, text: `${sliceToWidth(segment.text, Math.max(0, width - 1 - used)).text}…` });
    break;
  }
  return out;
}

function renderLine(theme: Theme, line: Line, width: number, inverse: boolean): ReactNode {
  return (
    <Text key={line.key} wrap="truncate" inverse={inverse}>
      {cutSegments(line.segments, width).map((s, i) => (
        <Text key={i} color={s.tone ? theme[s.tone] : undefined} bold={s.bold} dimColor={s.dim}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

const NO_BACKUPS: Record<string, BackupView> = {};

function DatabasesPaneView({ databases, backups = NO_BACKUPS, width, height, focused, cursor, filter, discovering = false, now = Date.now() }: DatabasesPaneProps) {
  const theme = useTheme();
  const inner = Math.max(0, width - 2);
  const rows = Math.max(0, height - 2);
  const columns = columnsFor(inner);
  const lines = buildLines(databases, backups, filter, now, columns, inner);
  const selectable = lines.filter((l) => l.row !== undefined).length;
  const info = `${filter ? `/${filter} ` : ''}${databases.length} db${selectable > 0 ? ` · ${selectable} busy` : ''}`;
  const hasRows = selectable > 0;
  const body = Math.max(0, rows - (hasRows ? 1 : 0));
  const cursorLine = lines.findIndex((l) => l.row === cursor);
  // Keep the cursor row in view, and as much of what is above it (its database's header) as fits.
  // Scroll only once the cursor row would leave the window: the headers on top stay in view meanwhile.
  const top = lines.length <= body || cursorLine < body ? 0 : Math.max(0, Math.min(cursorLine - Math.floor(body / 2), lines.length - body));
  return (
    <Frame title="Databases" info={info} focused={focused} width={width} height={height}>
      {hasRows && rows > 0 ? (
        <Text bold color={theme.muted} wrap="truncate">
          {fit(
            `${fitRight('PID', columns.pid - 1)} ${cell('USER', columns.user)}${cell('DB', columns.db)}${fitRight('TIME', columns.duration - 1)} ${cell('STATE', columns.state)}${cell('WAIT', columns.wait)}QUERY`,
            inner,
          )}
        </Text>
      ) : null}
      {databases.length === 0 && rows > 0 ? <Text color={theme.muted} wrap="truncate">{cutText(discovering ? 'looking for PostgreSQL, MySQL/MariaDB and Redis on this machine…' : 'no database configured or found on this machine: add databases: to the config', inner)}</Text> : null}
      {databases.length > 0 && lines.length === 0 && rows > 0 ? <Text color={theme.muted} wrap="truncate">{cutText(`nothing matches "${filter}" (Esc clears)`, inner)}</Text> : null}
      {lines.slice(top, top + body).map((line) => renderLine(theme, line, inner, focused && line.row === cursor))}
    </Frame>
  );
}

export const DatabasesPane = memo(DatabasesPaneView);
