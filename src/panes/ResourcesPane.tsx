// CPU, memory and network with sparklines of recent history, disks as bars, top processes; for one
// host in detail, or one compact row per host in a group view. Colours and marks are the host's stored
// levels, judged with hold ticks when the sample arrived, so they agree with the Hosts row.
import { memo, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { formatDuration } from '../domain/duration.js';
import type { Level, SourceState } from '../domain/model.js';
import type { HostHistory, HostView } from '../app/store.js';
import type { MaintenanceBanner } from '../app/maintenance-view.js';
import { scrollTop } from '../app/layout.js';
import { Frame, Note } from './Frame.js';
import { BannerLine } from './MaintenanceBanner.js';
import { formatBytes, formatRate } from '../domain/bytes.js';
import { bar, fit, fitRight, sparkline } from './format.js';
import { hostColor, levelMark, MARK, useTheme } from './theme.js';

export interface ResourcesEntry {
  host: HostView;
  history?: HostHistory;
  source?: SourceState;
}

export interface ResourcesPaneProps {
  entries: readonly ResourcesEntry[];
  /** The maintenance banner of the hosts shown, when one is in maintenance. */
  banner?: MaintenanceBanner;
  title: string;
  width: number;
  height: number;
  focused: boolean;
  now: number;
  /** The selected row of the one host's top-process list (by CPU): what T and K act on. */
  processCursor: number;
}

function staleness(source: SourceState | undefined, now: number): string | undefined {
  if (!source || source.status === 'ok' || source.status === 'pending') return undefined;
  return source.status === 'stale' ? `stale ${formatDuration(now - (source.lastOkAt ?? source.since))}: ${source.error}` : `error: ${source.error}`;
}

/** A percentage right-aligned in `width` columns, then its level's mark (a space when ok). */
function percent(value: number, digits: number, width: number, level: Level): string {
  return `${fitRight(`${value.toFixed(digits)}%`, width)}${levelMark(level) || ' '}`;
}

/** The cores at warn or crit, counted with their marks: the core sparks tell levels only by colour. */
function coreLevels(levels: readonly Level[]): string {
  const warn = levels.filter((l) => l === 'warn').length;
  const crit = levels.filter((l) => l === 'crit').length;
  return [crit > 0 ? `${MARK.crit}${crit}` : '', warn > 0 ? `${MARK.warn}${warn}` : ''].filter(Boolean).join(' ');
}

function Detail({ entry, width, rows, now, cursor }: { entry: ResourcesEntry; width: number; rows: number; now: number; cursor: number }) {
  const theme = useTheme();
  const { host, history } = entry;
  const { levels, thresholds } = host;
  const r = host.resources;
  const problem = staleness(entry.source, now);
  if (!r) return <Note tone={problem ? 'down' : 'pending'}>{problem ?? `collecting ${host.name}…`}</Note>;
  const dim = problem !== undefined;
  const spark = Math.max(8, Math.min(60, width - 48));
  const cores = r.cpu.perCorePercent;
  const lines: ReactNode[] = [];
  if (problem) lines.push(<Text key="stale" color={theme.stale} wrap="truncate">{MARK.stale} {problem}</Text>);
  lines.push(
    <Text key="cpu" wrap="truncate" dimColor={dim}>
      <Text bold>CPU </Text>
      <Text color={theme[levels.cpu]}>{percent(r.cpu.totalPercent, 1, 6, levels.cpu)} </Text>
      <Text color={theme[levels.cpu]}>{sparkline(history?.cpu ?? [], spark, 100)}</Text>
      <Text color={theme[levels.load]}>  load {r.load.map((l) => l.toFixed(2)).join(' ')}{levelMark(levels.load)}</Text>
      <Text>  up {formatDuration(r.uptimeSec * 1000)}</Text>
    </Text>,
  );
  if (cores.length > 1) {
    const hot = coreLevels(levels.cores);
    lines.push(
      <Text key="cores" wrap="truncate" dimColor={dim}>
        <Text color={theme.muted}>{fit(`    ${cores.length} cores `, 14)}</Text>
        {cores.slice(0, Math.max(1, width - 17 - hot.length)).map((c, i) => (
          <Text key={i} color={theme[levels.cores[i] ?? 'ok']}>
            {sparkline([c], 1, 100)}
          </Text>
        ))}
        {hot ? ` ${hot}` : ''}
      </Text>,
    );
  }
  lines.push(
    <Text key="mem" wrap="truncate" dimColor={dim}>
      <Text bold>MEM </Text>
      <Text color={theme[levels.memory]}>{percent(r.memory.usedPercent, 1, 6, levels.memory)} </Text>
      <Text color={theme[levels.memory]}>{sparkline(history?.memory ?? [], spark, 100)}</Text>
      <Text>
        {'  '}
        {formatBytes(r.memory.usedBytes)}/{formatBytes(r.memory.totalBytes)}
        {r.memory.swapTotalBytes > 0 ? `  swap ${formatBytes(r.memory.swapUsedBytes)}/${formatBytes(r.memory.swapTotalBytes)}` : '  no swap'}
      </Text>
    </Text>,
    <Text key="net" wrap="truncate" dimColor={dim}>
      <Text bold>NET </Text>
      <Text>rx {fitRight(formatRate(r.net.rxBytesPerSec), 8)} </Text>
      <Text color={theme.rx}>{sparkline(history?.rx ?? [], Math.floor(spark / 2))}</Text>
      <Text>  tx {fitRight(formatRate(r.net.txBytesPerSec), 8)} </Text>
      <Text color={theme.tx}>{sparkline(history?.tx ?? [], Math.floor(spark / 2))}</Text>
    </Text>,
  );
  const mountWidth = Math.min(24, Math.max(6, ...r.disks.map((d) => d.mount.length + 1)));
  const barWidth = Math.max(5, Math.min(40, width - mountWidth - 26));
  const diskRows = Math.max(1, Math.min(r.disks.length, rows - lines.length - 1));
  lines.push(
    <Text key="disk-h" bold wrap="truncate">
      DISK{r.disks.length > diskRows ? <Text color={theme.muted}> ({r.disks.length - diskRows} more)</Text> : null}
    </Text>,
  );
  for (const d of [...r.disks].sort((a, b) => b.usedPercent - a.usedPercent).slice(0, diskRows)) {
    const level = levels.disks[d.mount] ?? 'ok';
    const { filled, empty } = bar(d.usedPercent, barWidth);
    lines.push(
      <Text key={`disk-${d.mount}`} wrap="truncate" dimColor={dim}>
        {' '}
        {fit(d.mount, mountWidth)}
        <Text color={theme[level]}>{filled}</Text>
        <Text color={theme.muted}>{empty}</Text>
        <Text color={theme[level]}>{percent(d.usedPercent, 0, 5, level)}</Text> {formatBytes(d.usedBytes)}/{formatBytes(d.sizeBytes)}
      </Text>,
    );
  }
  const procRows = rows - lines.length - 1;
  const procs = host.processes;
  if (procs && procRows > 0) {
    const half = Math.floor((width - 1) / 2);
    const nameWidth = Math.max(6, half - 22);
    lines.push(
      <Text key="proc-h" bold wrap="truncate">
        {fit(`TOP CPU${' '.repeat(Math.max(0, nameWidth - 1))}    cpu%   mem`, half)} {fit('TOP MEMORY', half)}
      </Text>,
    );
    // The window scrolls under the selected process; the memory column lists its own top alongside.
    const shown = Math.min(procRows, procs.byCpu.length);
    const top = cursor < 0 ? 0 : scrollTop(cursor, procs.byCpu.length, shown);
    for (let i = 0; i < shown; i++) {
      const c = procs.byCpu[top + i]!;
      const m = procs.byMemory[top + i];
      lines.push(
        <Text key={`proc-${i}`} wrap="truncate" dimColor={dim}>
          <Text inverse={top + i === cursor}>
            {fitRight(String(c.pid), 7)} {fit(c.name, nameWidth)}
            <Text color={c.cpuPercent >= thresholds.cpu.warn ? theme.warn : undefined}>{fitRight(c.cpuPercent.toFixed(1), 6)}</Text>
            {fitRight(formatBytes(c.memBytes), 7)}
          </Text>{' '}
          {m ? `${fitRight(String(m.pid), 7)} ${fit(m.name, nameWidth)}${fitRight(formatBytes(m.memBytes), 7)}` : ''}
        </Text>,
      );
    }
  }
  return <>{lines.slice(0, rows)}</>;
}

function FleetRow({ entry, width, now }: { entry: ResourcesEntry; width: number; now: number }) {
  const theme = useTheme();
  const { host, history } = entry;
  const { levels } = host;
  const r = host.resources;
  const problem = staleness(entry.source, now);
  // What is not a sparkline: the name (14), cpu, mem and disk with their marks (11, 11, 11), load to 100.00 and its mark (13).
  const spark = Math.max(6, Math.floor((width - 60) / 2));
  if (!r) {
    return (
      <Text wrap="truncate">
        <Text color={hostColor(theme, host.color)} bold>{fit(host.name, 14)}</Text>
        <Text color={problem ? theme.down : theme.pending}>{problem ?? 'collecting…'}</Text>
      </Text>
    );
  }
  const disk = Math.max(0, ...r.disks.map((d) => d.usedPercent));
  return (
    <Text wrap="truncate" dimColor={problem !== undefined}>
      <Text color={hostColor(theme, host.color)} bold>{fit(host.name, 14)}</Text>
      <Text color={theme[levels.cpu]}>cpu {percent(r.cpu.totalPercent, 0, 4, levels.cpu)} {sparkline(history?.cpu ?? [], spark, 100)}</Text>
      <Text color={theme[levels.memory]}> mem {percent(r.memory.usedPercent, 0, 4, levels.memory)} {sparkline(history?.memory ?? [], spark, 100)}</Text>
      <Text color={theme[levels.disk]}> disk {percent(disk, 0, 4, levels.disk)}</Text>
      <Text color={theme[levels.load]}> load {r.load[0].toFixed(2)}{levelMark(levels.load)}</Text>
      {problem ? <Text color={theme.stale}> {MARK.stale} {problem}</Text> : null}
    </Text>
  );
}

function ResourcesPaneView({ entries, banner, title, width, height, focused, now, processCursor }: ResourcesPaneProps) {
  const inner = width - 2;
  const rows = height - 2 - (banner ? 1 : 0);
  return (
    <Frame title="Resources" info={title} focused={focused} width={width} height={height}>
      {banner ? <BannerLine banner={banner} /> : null}
      {entries.length === 0 ? <Note>no host selected</Note> : null}
      {entries.length === 1 ? (
        <Detail entry={entries[0]!} width={inner} rows={rows} now={now} cursor={focused ? processCursor : -1} />
      ) : (
        <Box flexDirection="column">
          {entries.slice(0, rows).map((entry) => (
            <FleetRow key={entry.host.name} entry={entry} width={inner} now={now} />
          ))}
        </Box>
      )}
    </Frame>
  );
}

export const ResourcesPane = memo(ResourcesPaneView);
