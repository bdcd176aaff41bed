// CPU, memory and network with sparklines of recent history, disks as bars, top processes; for one
// host in detail, or one compact row per host in a group view. Colours are the host's stored levels,
// judged with hold ticks when the sample arrived, so they agree with the Hosts row.
import { memo, type ReactNode } from 'react';
import { Box, Text } from 'ink';
import { formatDuration } from '../domain/duration.js';
import type { SourceState } from '../domain/model.js';
import type { HostHistory, HostView } from '../app/store.js';
import { Frame, Note } from './Frame.js';
import { formatBytes, formatRate } from '../domain/bytes.js';
import { bar, fit, fitRight, LEVEL_COLOR, sparkline } from './format.js';

export interface ResourcesEntry {
  host: HostView;
  history?: HostHistory;
  source?: SourceState;
}

export interface ResourcesPaneProps {
  entries: readonly ResourcesEntry[];
  title: string;
  width: number;
  height: number;
  focused: boolean;
  now: number;
}

function staleness(source: SourceState | undefined, now: number): string | undefined {
  if (!source || source.status === 'ok' || source.status === 'pending') return undefined;
  return source.status === 'stale' ? `stale ${formatDuration(now - (source.lastOkAt ?? source.since))}: ${source.error}` : `error: ${source.error}`;
}

function Detail({ entry, width, rows, now }: { entry: ResourcesEntry; width: number; rows: number; now: number }) {
  const { host, history } = entry;
  const { levels, thresholds } = host;
  const r = host.resources;
  const problem = staleness(entry.source, now);
  if (!r) return <Note color={problem ? 'red' : 'gray'}>{problem ?? `collecting ${host.name}…`}</Note>;
  const dim = problem !== undefined;
  const spark = Math.max(8, Math.min(60, width - 48));
  const cores = r.cpu.perCorePercent;
  const lines: ReactNode[] = [];
  if (problem) lines.push(<Text key="stale" color="yellow" wrap="truncate">⚠ {problem}</Text>);
  lines.push(
    <Text key="cpu" wrap="truncate" dimColor={dim}>
      <Text bold>CPU </Text>
      <Text color={LEVEL_COLOR[levels.cpu]}>{fitRight(`${r.cpu.totalPercent.toFixed(1)}%`, 6)} </Text>
      <Text color={LEVEL_COLOR[levels.cpu]}>{sparkline(history?.cpu ?? [], spark, 100)}</Text>
      <Text>  load {r.load.map((l) => l.toFixed(2)).join(' ')}  up {formatDuration(r.uptimeSec * 1000)}</Text>
    </Text>,
  );
  if (cores.length > 1) {
    lines.push(
      <Text key="cores" wrap="truncate" dimColor={dim}>
        <Text color="gray">{fit(`    ${cores.length} cores `, 14)}</Text>
        {cores.slice(0, Math.max(1, width - 16)).map((c, i) => (
          <Text key={i} color={LEVEL_COLOR[levels.cores[i] ?? 'ok']}>
            {sparkline([c], 1, 100)}
          </Text>
        ))}
      </Text>,
    );
  }
  lines.push(
    <Text key="mem" wrap="truncate" dimColor={dim}>
      <Text bold>MEM </Text>
      <Text color={LEVEL_COLOR[levels.memory]}>{fitRight(`${r.memory.usedPercent.toFixed(1)}%`, 6)} </Text>
      <Text color={LEVEL_COLOR[levels.memory]}>{sparkline(history?.memory ?? [], spark, 100)}</Text>
      <Text>
        {'  '}
        {formatBytes(r.memory.usedBytes)}/{formatBytes(r.memory.totalBytes)}
        {r.memory.swapTotalBytes > 0 ? `  swap ${formatBytes(r.memory.swapUsedBytes)}/${formatBytes(r.memory.swapTotalBytes)}` : '  no swap'}
      </Text>
    </Text>,
    <Text key="net" wrap="truncate" dimColor={dim}>
      <Text bold>NET </Text>
      <Text>rx {fitRight(formatRate(r.net.rxBytesPerSec), 8)} </Text>
      <Text color="cyan">{sparkline(history?.rx ?? [], Math.floor(spark / 2))}</Text>
      <Text>  tx {fitRight(formatRate(r.net.txBytesPerSec), 8)} </Text>
      <Text color="magenta">{sparkline(history?.tx ?? [], Math.floor(spark / 2))}</Text>
    </Text>,
  );
  const mountWidth = Math.min(24, Math.max(6, ...r.disks.map((d) => d.mount.length + 1)));
  const barWidth = Math.max(5, Math.min(40, width - mountWidth - 26));
  const diskRows = Math.max(1, Math.min(r.disks.length, rows - lines.length - 1));
  lines.push(
    <Text key="disk-h" bold wrap="truncate">
      DISK{r.disks.length > diskRows ? <Text color="gray"> ({r.disks.length - diskRows} more)</Text> : null}
    </Text>,
  );
  for (const d of [...r.disks].sort((a, b) => b.usedPercent - a.usedPercent).slice(0, diskRows)) {
    const level = levels.disks[d.mount] ?? 'ok';
    const { filled, empty } = bar(d.usedPercent, barWidth);
    lines.push(
      <Text key={`disk-${d.mount}`} wrap="truncate" dimColor={dim}>
        {' '}
        {fit(d.mount, mountWidth)}
        <Text color={LEVEL_COLOR[level]}>{filled}</Text>
        <Text color="gray">{empty}</Text>
        <Text color={LEVEL_COLOR[level]}>{fitRight(`${d.usedPercent.toFixed(0)}%`, 5)}</Text> {formatBytes(d.usedBytes)}/{formatBytes(d.sizeBytes)}
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
    for (let i = 0; i < Math.min(procRows, procs.byCpu.length); i++) {
      const c = procs.byCpu[i]!;
      const m = procs.byMemory[i];
      lines.push(
        <Text key={`proc-${i}`} wrap="truncate" dimColor={dim}>
          {fitRight(String(c.pid), 7)} {fit(c.name, nameWidth)}
          <Text color={c.cpuPercent >= thresholds.cpu.warn ? 'yellow' : undefined}>{fitRight(c.cpuPercent.toFixed(1), 6)}</Text>
          {fitRight(formatBytes(c.memBytes), 7)} {m ? `${fitRight(String(m.pid), 7)} ${fit(m.name, nameWidth)}${fitRight(formatBytes(m.memBytes), 7)}` : ''}
        </Text>,
      );
    }
  }
  return <>{lines.slice(0, rows)}</>;
}

function FleetRow({ entry, width, now }: { entry: ResourcesEntry; width: number; now: number }) {
  const { host, history } = entry;
  const { levels } = host;
  const r = host.resources;
  const problem = staleness(entry.source, now);
  const spark = Math.max(6, Math.floor((width - 52) / 2));
  if (!r) {
    return (
      <Text wrap="truncate">
        <Text color={host.color ?? 'white'} bold>{fit(host.name, 14)}</Text>
        <Text color={problem ? 'red' : 'gray'}>{problem ?? 'collecting…'}</Text>
      </Text>
    );
  }
  const disk = Math.max(0, ...r.disks.map((d) => d.usedPercent));
  return (
    <Text wrap="truncate" dimColor={problem !== undefined}>
      <Text color={host.color ?? 'white'} bold>{fit(host.name, 14)}</Text>
      <Text color={LEVEL_COLOR[levels.cpu]}>cpu {fitRight(`${r.cpu.totalPercent.toFixed(0)}%`, 4)} {sparkline(history?.cpu ?? [], spark, 100)}</Text>
      <Text color={LEVEL_COLOR[levels.memory]}> mem {fitRight(`${r.memory.usedPercent.toFixed(0)}%`, 4)} {sparkline(history?.memory ?? [], spark, 100)}</Text>
      <Text color={LEVEL_COLOR[levels.disk]}> disk {fitRight(`${disk.toFixed(0)}%`, 4)}</Text>
      <Text> load {r.load[0].toFixed(2)}</Text>
      {problem ? <Text color="yellow"> ⚠ {problem}</Text> : null}
    </Text>
  );
}

function ResourcesPaneView({ entries, title, width, height, focused, now }: ResourcesPaneProps) {
  const inner = width - 2;
  const rows = height - 2;
  return (
    <Frame title="Resources" info={title} focused={focused} width={width} height={height}>
      {entries.length === 0 ? <Note>no host selected</Note> : null}
      {entries.length === 1 ? (
        <Detail entry={entries[0]!} width={inner} rows={rows} now={now} />
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
