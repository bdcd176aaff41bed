// The question before an operation runs: what will happen, what the operator should read, how to answer.
import { Box, Text } from 'ink';
import type { PendingOperation } from '../app/store.js';
import { wrapToWidth } from './format.js';
import { MARK, useTheme } from './theme.js';

/** Border and padding either side. */
const FRAME = 4;

const OUTPUT_NOTE = 'output in a panel (Esc closes it, the run goes on)';

/**
 * What the operator should read before answering: each line wrapped to the dialog, in at most half
 * the screen (a query's whole text can be a thousand characters), so the title, the target and the
 * pane the operation acts on stay in view; what does not fit is counted.
 */
function descriptionRows(pending: PendingOperation, width: number, screenRows: number): string[] {
  const { lines, streamsOutput } = pending.description;
  const rows = [...lines, ...(streamsOutput ? [OUTPUT_NOTE] : [])].flatMap((line) => wrapToWidth(line, width - FRAME, true));
  const room = Math.max(2, Math.floor(screenRows / 2) - 5);
  return rows.length <= room ? rows : [...rows.slice(0, room - 1), `… ${rows.length - room + 1} more rows`];
}

/**
 * Where it acts and what it sends, whole: the command is what the operator approves, so it is wrapped
 * (cut by cell, its spaces kept), never cut at the dialog's edge. Only a command longer than the
 * screen leaves rows out, from its middle: its first row says where, its last ones what it ends with
 * (`… && rm -rf`), and the row between says how many.
 */
function targetRows(pending: PendingOperation, width: number, screenRows: number, taken: number): string[] {
  const { host, target, command } = pending.description;
  const rows = wrapToWidth(`on ${host} · ${target}${command ? ` · sends: ${command}` : ''}`, width - FRAME);
  // The screen's top and bottom bars, the panes' least height (3), the dialog's title, answer line and border.
  const room = Math.max(3, screenRows - taken - 9);
  if (rows.length <= room) return rows;
  const hidden = rows.length - room + 1;
  return [rows[0]!, `… ${hidden} rows of the command left out …`, ...rows.slice(rows.length - (room - 2))];
}

/** The dialog's rows: its text, where it acts and what it sends, and the host-down line when there is one. */
function dialogRows(pending: PendingOperation, width: number, screenRows: number, hostDown: string | undefined): { description: string[]; target: string[] } {
  const description = descriptionRows(pending, width, screenRows);
  return { description, target: targetRows(pending, width, screenRows, description.length + (hostDown ? 1 : 0)) };
}

/** Those rows, its title, the answer line and the border. */
const heightOf = (rows: { description: string[]; target: string[] }, hostDown: string | undefined): number => rows.description.length + rows.target.length + 4 + (hostDown ? 1 : 0);

/** `hostDown`: why the host it acts on cannot be reached now, said before the operator answers. */
export function confirmHeight(pending: PendingOperation, width: number, screenRows: number, hostDown?: string): number {
  return heightOf(dialogRows(pending, width, screenRows, hostDown), hostDown);
}

export function ConfirmDialog({ pending, input, width, screenRows, readOnly, hostDown }: { pending: PendingOperation; input: string; width: number; screenRows: number; readOnly: boolean; hostDown?: string }) {
  const { description, confirmation } = pending;
  const theme = useTheme();
  const rows = dialogRows(pending, width, screenRows, hostDown);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.warn} width={width} height={heightOf(rows, hostDown)} paddingX={1}>
      <Text bold color={theme.warn} wrap="truncate">
        {description.title}?{readOnly && !pending.changesOutside ? " (changes only opsdeck's own files)" : ''}
      </Text>
      {rows.description.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
      {rows.target.map((line, i) => (
        <Text key={`t${i}`} dimColor wrap="truncate">
          {line}
        </Text>
      ))}
      {hostDown ? (
        <Text bold color={theme.crit} wrap="truncate">
          {MARK.down} {hostDown}
        </Text>
      ) : null}
      {confirmation.kind === 'yes' ? (
        <Text wrap="truncate">
          <Text bold color={theme.ok}>y</Text>/Enter to go · <Text bold color={theme.crit}>n</Text>/Esc to cancel
        </Text>
      ) : confirmation.kind === 'value' ? (
        <Text wrap="truncate">
          {confirmation.label}: {input === '' ? <Text color={theme.muted}>{confirmation.placeholder}</Text> : <Text color={theme.accent}>{input}</Text>}
          <Text inverse> </Text> <Text color={theme.muted}>{confirmation.hint}</Text> · <Text bold color={theme.ok}>{input === '' ? 'y' : ''}</Text>
          {input === '' ? '/' : ''}Enter to go · Esc to cancel
        </Text>
      ) : (
        <Text wrap="truncate">
          type <Text bold>{confirmation.word}</Text> and Enter to go, Esc to cancel: <Text color={theme.accent}>{input}</Text>
          <Text inverse> </Text>
        </Text>
      )}
    </Box>
  );
}
