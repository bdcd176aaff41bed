// The Databases pane's Backups view (B): per database with `backup:` the latest verified backup's age
// coloured by its level and the free space beside the files, then each file newest first: when, size,
// age, verified or why not, its sha256 and the last test restore. The cursor row is what b, t and R act on.
import { memo } from 'react';
import { Text } from 'ink';
import type { BackupRow } from '../app/backup-rows.js';
import { formatBytes } from '../domain/bytes.js';
import { formatDuration } from '../domain/duration.js';
import { Frame } from './Frame.js';
import { cut, fit, fitRight } from './format.js';
import { MARK, useTheme } from './theme.js';

export interface BackupsPaneProps {
  rows: BackupRow[];
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  filter: string;
  /** A running backup, restore or test restore's progress, by database. */
  running?: Readonly<Record<string, string>>;
  /** For ages; default Date.now(). */
  now?: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Local time, as the operator's clock shows it: 2026-11-30 23:30. */
function when(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function DatabaseLine({ row, now, width, selected, running }: { row: BackupRow; now: number; width: number; selected: boolean; running?: string }) {
  const view = row.view;
  const files = view.inventory?.files ?? [];
  const age = view.error ? `cannot read: ${view.error}` : view.latestVerifiedAt === undefined ? 'no verified backup' : `latest ${formatDuration(Math.max(0, now - view.latestVerifiedAt))} ago`;
  const free = view.inventory ? `${formatBytes(view.inventory.space.freeBytes)} free` : 'not read yet';
  const theme = useTheme();
  // The error names the directory; with nothing ever read, counts and free space would be made up.
  const quiet = running || (view.error && !view.inventory);
  const rest = `${quiet ? '' : `  ${files.length} file${files.length === 1 ? '' : 's'} · ${free} · ${view.dir}`}${view.inventory?.missing && !running ? ' (not created yet)' : ''}`;
  return (
    <Text wrap="truncate" inverse={selected}>
      <Text color={theme[view.level]}>{MARK[view.level]} </Text>
      <Text bold>{view.database}</Text>
      <Text color={theme[view.level]}>{cut(`  ${age}`, Math.max(0, width - view.database.length - 2))}</Text>
      {running ? <Text color={theme.accent}>{cut(`  ⟳ ${running}`, Math.max(0, width - view.database.length - age.length - 4))}</Text> : null}
      <Text dimColor>{cut(rest, Math.max(0, width - view.database.length - age.length - 4))}</Text>
    </Text>
  );
}

function FileLine({ row, now, width, selected }: { row: BackupRow; now: number; width: number; selected: boolean }) {
  const theme = useTheme();
  const file = row.file!;
  const test = file.record?.testRestore;
  const state = file.verified ? '✓ verified' : `✗ ${file.problem ?? 'not verified'}`;
  const head = `  ${when(file.at)} ${fitRight(formatBytes(file.bytes), 6)} ${fitRight(formatDuration(Math.max(0, now - file.at)), 7)}  `;
  // Eight hex digits tell files apart on screen; `sha256sum -c` and the json have all of it.
  const tail = `${file.record && file.verified ? `  sha256 ${file.record.sha256.slice(0, 8)}` : ''}${test ? `  tested ${test.ok ? 'ok' : 'FAILED'}` : ''}`;
  return (
    <Text wrap="truncate" inverse={selected}>
      {head}
      <Text color={file.verified ? theme.ok : theme.crit}>{state}</Text>
      <Text dimColor={test?.ok !== false} color={test?.ok === false ? theme.crit : undefined}>
        {cut(tail, Math.max(0, width - head.length - state.length))}
      </Text>
    </Text>
  );
}

const NOTHING_RUNNING: Readonly<Record<string, string>> = {};

function BackupsPaneView({ rows, width, height, focused, cursor, filter, running = NOTHING_RUNNING, now = Date.now() }: BackupsPaneProps) {
  const inner = Math.max(0, width - 2);
  const body = Math.max(0, height - 2);
  const databases = rows.filter((r) => !r.file).length;
  const top = rows.length <= body || cursor < body ? 0 : Math.max(0, Math.min(cursor - Math.floor(body / 2), rows.length - body));
  return (
    <Frame title="Databases · Backups" info={`${filter ? `/${filter} ` : ''}${databases} db · B queries`} focused={focused} width={width} height={height}>
      {rows.length === 0 && body > 0 ? (
        <Text color="gray" wrap="truncate">
          {fit(filter ? `nothing matches "${filter}" (Esc clears)` : 'no database has backup: in the config (databases.NAME.backup: {dir, keep})', inner)}
        </Text>
      ) : null}
      {rows.slice(top, top + body).map((row, i) =>
        row.file ? (
          <FileLine key={`${row.view.database}:${row.file.fileName}`} row={row} now={now} width={inner} selected={focused && top + i === cursor} />
        ) : (
          <DatabaseLine key={row.view.database} row={row} now={now} width={inner} selected={focused && top + i === cursor} running={running[row.view.database]} />
        ),
      )}
    </Frame>
  );
}

export const BackupsPane = memo(BackupsPaneView);
