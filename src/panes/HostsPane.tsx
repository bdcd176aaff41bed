// One row per host: health, worst threshold, key figures and flags; Enter opens the host.
import { memo } from 'react';
import { Box, Text } from 'ink';
import { formatClock, formatDuration } from '../domain/duration.js';
import { connectionText } from '../app/apply.js';
import { checkStateText } from '../app/check-text.js';
import type { Level } from '../domain/model.js';
import type { CheckRow, GroupSummary, HostRow } from '../app/rows.js';
import { scrollTop } from '../app/layout.js';
import { maintenanceBanner } from '../app/maintenance-view.js';
import { maintenanceExpired } from '../domain/maintenance.js';
import { checkTone } from './ChecksPane.js';
import { Frame, Note } from './Frame.js';
import { cut, fit, fitRight, widthOf, wrapToWidth } from './format.js';
import { hostColor, levelMark, MARK, useTheme, type Theme, type Tone } from './theme.js';

export interface HostsPaneProps {
  rows: readonly HostRow[];
  /** The fleet overview's strip, one entry per group (empty: no strip). */
  groups: readonly GroupSummary[];
  checks: readonly CheckRow[];
  total: number;
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  selected: string;
  filter: string;
  now: number;
  /** The key that clears a maintenance flag, for the selected host's banner. */
  clearKey?: string;
  /** By host: a failed unit or crossed metric there that names a runbook ("cpu"), shown with the key that opens it. */
  runbooks?: Readonly<Record<string, string>>;
  /** The checks that name a runbook: a failing one shows it. */
  checkRunbooks?: ReadonlySet<string>;
  runbookKey?: string;
}

const HEALTH_TONE = { ok: 'ok', pending: 'pending', stale: 'stale', error: 'down' } as const satisfies Record<HostRow['health'], Tone>;

/**
 * A figure right-aligned with its level's mark after it (a space when ok), so columns stay put. A host
 * that cannot be read now keeps its last figures, dimmed and unjudged: "99%✖" would read as now.
 */
function figureCell(theme: Theme, text: string | undefined, level: Level, width: number, old: boolean) {
  if (text === undefined) return <Text color={theme.pending}>{fitRight('– ', width)}</Text>;
  return <Text color={old ? theme.muted : theme[level]}>{fitRight(`${text}${(!old && levelMark(level)) || ' '}`, width)}</Text>;
}

const percent = (value: number | undefined) => (value === undefined ? undefined : `${value.toFixed(0)}%`);

/** The row's first column: the host's worst level when it is read, else whether it is down, stale or not read yet. */
function healthMark(row: HostRow): { mark: string; tone: Tone } {
  if (row.health === 'ok') return { mark: MARK[row.level], tone: row.level };
  const tone = HEALTH_TONE[row.health];
  return { mark: MARK[tone], tone };
}

function statusText(row: HostRow, now: number): string {
  const problem = row.problem;
  if (row.connection && row.connection.status !== 'ok') return connectionText(row.connection);
  if (row.health === 'pending') return 'collecting…';
  if (problem && 'label' in problem) {
    // The resources probe is the host's pulse: its failure is the host's, so it needs no label, unless
    // the figures come from Prometheus (the host itself may be fine).
    const what = problem.id.kind === 'resources' && !row.host.metricsFrom ? '' : `${problem.label} `;
    return `${what}${problem.status === 'stale' ? `stale ${formatDuration(now - (problem.lastOkAt ?? problem.since))}` : `down since ${formatClock(problem.since)}`}: ${problem.error ?? ''}`;
  }
  // The row names what is alerting in its logs and what is failing (the selected row's hint line says
  // why), then what the host has none of ("no systemd"), which is not a failure.
  const failing = [...row.issues.map((s) => `${s.label} failing`), ...row.checks.map((c) => `check ${c.check.name} ${c.state}`)];
  const alerts = row.host.firingAlerts;
  const notes = [
    ...(alerts ? [`alert ${alerts.join(', ')}`] : []),
    ...row.logAlerts.map((a) => a.short),
    ...row.dataConcerns.map((c) => c.text),
    ...(failing.length === 0 ? [] : [failing.join(', ')]),
    ...(row.absent.length === 0 ? [] : [row.absent.join(', ')]),
  ];
  return `${notes.length === 0 ? 'ok' : `ok · ${notes.join(' · ')}`}${origin(row)}`;
}

/** The selected row's log alerts, each with its reading against its threshold. */
function alertHint(row: HostRow): string | undefined {
  return row.logAlerts.length > 0 ? `${row.host.name}: ${row.logAlerts.map((a) => `${a.subject}: ${a.reason}`).join(' · ')}` : undefined;
}

/** Where a host's figures come from and how it is acted on, when that is not the host itself. */
function origin(row: HostRow): string {
  if (row.host.metricsFrom !== 'prometheus') return '';
  return row.host.address === 'prometheus' ? ' · figures: prometheus, no ssh' : ' · figures: prometheus, actions: ssh';
}

/** "a 120: 3✖ 1⚠ · b 130 ok · …": each group's size and what is wrong in it, worst group first. */
function groupStrip(groups: readonly GroupSummary[]): string {
  return groups
    .map((g) => {
      const trouble = [g.down > 0 ? `${g.down}${MARK.down}` : '', g.crit > 0 ? `${g.crit}${MARK.crit}` : '', g.alerting > 0 ? `${g.alerting}A` : '', g.warn > 0 ? `${g.warn}${MARK.warn}` : ''].filter(Boolean).join(' ');
      return `${g.group || '(none)'} ${g.hosts}${trouble ? `: ${trouble}` : ' ok'}`;
    })
    .join(' · ');
}

function CheckLine({ row, width, runbookHint }: { row: CheckRow; width: number; runbookHint?: string }) {
  const theme = useTheme();
  const { check } = row;
  const tone = checkTone(row.state);
  const ok = row.state === 'ok' || row.state === 'pending';
  // The state matters more than the target: the target only gets the room left on a wide pane.
  const targetWidth = width >= 90 ? Math.min(40, check.target.length) : 0;
  // A failing check's runbook keeps its room before the state's end: it is what to do next.
  const hint = !ok && runbookHint ? runbookHint : '';
  return (
    <Text wrap="truncate">
      <Text color={theme[tone]}>{MARK[tone]} </Text>
      <Text bold>{fit(check.name, 12)}</Text>
      <Text color={ok ? undefined : theme[tone]}>{fit(checkStateText(row), Math.max(10, width - 14 - widthOf(hint) - (targetWidth > 0 ? targetWidth + 1 : 0)))}</Text>
      {hint ? <Text color={theme.accent}>{hint}</Text> : null}
      {targetWidth > 0 ? <Text color={theme.muted}> {cut(check.target, targetWidth)}</Text> : null}
    </Text>
  );
}

function HostsPaneView({ rows, groups, checks, total, width, height, focused, cursor, selected, filter, now, clearKey, runbooks = {}, checkRunbooks, runbookKey }: HostsPaneProps) {
  const theme = useTheme();
  const inner = width - 2;
  // Checks get their rows after at least one host row; a header line introduces them.
  const selectedRow = rows[cursor];
  const issue = selectedRow?.issues[0];
  const banner = focused && selectedRow ? maintenanceBanner([selectedRow.host], now, clearKey) : undefined;
  const hint = !focused || !selectedRow
    ? undefined
    : selectedRow.problem?.hint
      ? // The key first, then why (the row cuts it in a narrow pane), then what to do.
        `${selectedRow.host.name}${selectedRow.connection?.status === 'hostkey-refused' ? ' (T: trust dialog)' : ''}: ${selectedRow.problem.error ? `${selectedRow.problem.error} — ` : ''}${selectedRow.problem.hint}`
      : issue
        ? `${selectedRow.host.name} ${issue.label}: ${issue.error ?? issue.status}${issue.hint ? ` — ${issue.hint}` : ''}`
        : selectedRow.checks[0]
          ? `${selectedRow.host.name} check ${selectedRow.checks[0].check.name}: ${checkStateText(selectedRow.checks[0])}`
          : (banner?.text ?? alertHint(selectedRow));
  // Two rows, three in a taller pane; a hint longer than that says where it was cut.
  const hintRows = hint ? wrapToWidth(hint, inner, true) : [];
  const hintLines = height >= 6 ? Math.min(hintRows.length, height >= 12 ? 3 : 2) : 0;
  const hintShown = hintRows.length <= hintLines ? hintRows : hintLines === 0 ? [] : [...hintRows.slice(0, hintLines - 1), cut(`${hintRows[hintLines - 1]!}…`, inner)];
  const stripLines = groups.length > 0 && height >= 8 ? 1 : 0;
  const body = Math.max(0, height - 3 - hintLines - stripLines);
  // Hosts first: where both do not fit, the checks (their header and at least one) take what the hosts
  // leave, and a third of the rows at least.
  const checksWanted = checks.length > 0 ? checks.length + 1 : 0;
  const checkLines = Math.min(checksWanted, Math.max(2, Math.floor(body / 3), body - rows.length), Math.max(0, body - 1));
  const visible = Math.max(0, body - checkLines);
  const top = scrollTop(cursor, rows.length, visible);
  // Rows out of view are counted in the title, so a host scrolled away is not a host gone.
  const range = rows.length > visible && visible > 0 ? `${top + 1}–${Math.min(rows.length, top + visible)} of ` : '';
  const nameWidth = Math.min(18, Math.max(8, ...rows.map((r) => r.host.name.length + 2)));
  const figures = inner >= 50;
  // Grouped rows name their group once, on the group's first row, where there is room for it.
  const groupWidth = groups.length > 0 && inner >= 70 ? Math.min(12, Math.max(6, ...groups.map((g) => g.group.length + 1))) : 0;
  const statusWidth = Math.max(6, inner - nameWidth - 2 - groupWidth - (figures ? 6 * 3 + 8 : 0) - 7);
  const info = `${filter ? `/${filter} ` : ''}${range}${rows.length}/${total}`;
  return (
    <Frame title="Hosts" info={info} focused={focused} width={width} height={height}>
      <Text bold color={theme.muted}>
        {fit('  HOST', nameWidth + 2)}
        {groupWidth > 0 ? fit('GROUP', groupWidth) : ''}
        {figures ? `${fitRight('CPU ', 6)}${fitRight('MEM ', 6)}${fitRight('DISK ', 6)}${fitRight('LOAD ', 8)}` : ''} {fit('FLAGS', 5)} STATUS
      </Text>
      {stripLines > 0 ? <Text wrap="truncate" color={theme.muted}>{cut(groupStrip(groups), inner)}</Text> : null}
      {rows.length === 0 ? <Note>{filter ? `no host matches "${filter}" (Esc clears)` : 'no hosts configured'}</Note> : null}
      {rows.slice(top, top + visible).map((row, i) => {
        const index = top + i;
        const r = row.host.resources;
        const alerting = (row.host.firingAlerts?.length ?? 0) > 0;
        const flags = `${row.host.maintenanceOn ? 'M' : ' '}${row.failedUnits > 0 ? 'F' : ' '}${row.host.name === selected ? '◀' : ' '}${alerting ? 'A' : ' '}`;
        const { mark, tone } = healthMark(row);
        const old = row.health === 'error' || row.health === 'stale';
        return (
          <Text key={row.host.name} inverse={focused && index === cursor} wrap="truncate">
            <Text color={theme[tone]}>{mark} </Text>
            <Text color={hostColor(theme, row.host.color)} bold>
              {fit(row.host.name, nameWidth)}
            </Text>
            {groupWidth > 0 ? <Text color={theme.muted}>{fit(index > 0 && rows[index - 1]!.host.group === row.host.group && i > 0 ? '' : (row.host.group ?? ''), groupWidth)}</Text> : null}
            {figures ? (
              <>
                {figureCell(theme, percent(r?.cpu.totalPercent), row.host.levels.cpu, 6, old)}
                {figureCell(theme, percent(r?.memory.usedPercent), row.host.levels.memory, 6, old)}
                {figureCell(theme, percent(r ? Math.max(0, ...r.disks.map((d) => d.usedPercent)) : undefined), row.host.levels.disk, 6, old)}
                {figureCell(theme, r?.load[0].toFixed(2), row.host.levels.load, 8, old)}
              </>
            ) : null}
            <Text color={row.host.maintenanceOn ? (row.host.maintenanceNote && maintenanceExpired(row.host.maintenanceNote, now) ? theme.expired : theme.warn) : row.failedUnits > 0 || alerting ? theme.crit : theme.muted}> {fit(flags, 5)} </Text>
            <Text
              color={
                row.health !== 'ok'
                  ? theme[HEALTH_TONE[row.health]]
                  : row.logAlerts.length > 0 || row.dataConcerns.length > 0
                    ? theme[row.level]
                    : row.issues.length > 0 || row.checks.length > 0
                      ? theme[row.checks.some((c) => c.state !== 'warn') ? 'crit' : 'warn']
                      : theme.ok
              }
            >
              {fit(`${statusText(row, now)}${runbooks[row.host.name] ? ` ▸ ${runbookKey ?? ''} runbook: ${runbooks[row.host.name]}` : ''}`, statusWidth)}
            </Text>
          </Text>
        );
      })}
      {hintLines > 0 ? (
        <Box height={hintLines} flexDirection="column" overflow="hidden">
          {hintShown.map((row, i) => (
            <Text key={i} color={banner && hint === banner.text && banner.expired ? theme.expired : theme.warn} wrap="truncate">
              {row}
            </Text>
          ))}
        </Box>
      ) : null}
      {checkLines > 0 ? (
        <>
          <Text bold color={theme.muted}>
            {'  CHECK'}
          </Text>
          {checks.slice(0, checkLines - 1).map((row) => (
            <CheckLine key={row.check.name} row={row} width={inner} runbookHint={checkRunbooks?.has(row.check.name) ? ` ▸ ${runbookKey ?? ''} runbook` : undefined} />
          ))}
        </>
      ) : null}
    </Frame>
  );
}

export const HostsPane = memo(HostsPaneView);
