// `?`: every binding of the live keymap (defaults plus the config's overrides), and the commands,
// poured into as many columns as the width allows and scrolled with j/k where it does not fit.
import { Box, Text } from 'ink';
import { COMMANDS } from '../app/commands.js';
import { KEY_TABLE } from '../app/intents.js';
import { KEY_CONTEXTS, type KeyBindings, type KeyContext } from '../app/keymap.js';
import { commandLine, type ActionSpec } from '../app/operations/action.js';
import { PANE_TITLES } from '../app/store.js';
import { fit, widthOf, wrapToWidth } from './format.js';
import { useTheme } from './theme.js';

const CONTEXT_TITLES: Record<KeyContext, string> = { global: 'Everywhere', list: 'Lists (Hosts, Services, Events, Databases, Logs)', ...PANE_TITLES };
const KEY_WIDTH = 18;

/** `continued`: the rest of the description above it, wrapped; it stays in that description's column. */
type HelpLine = { title: string } | { keys: string; text: string; continued?: true } | { blank: true };

function helpLines(bindings: KeyBindings, actions: readonly ActionSpec[] = []): HelpLine[] {
  const lines: HelpLine[] = [];
  for (const context of KEY_CONTEXTS) {
    const entries = Object.entries(KEY_TABLE[context]);
    if (entries.length === 0) continue;
    lines.push({ title: CONTEXT_TITLES[context] });
    // A binding the config left without keys still says so: a blank keys cell reads as the line above going on.
    for (const [binding, { help }] of entries) lines.push({ keys: (bindings[context][binding] ?? []).join(' ') || '(unbound)', text: help });
    lines.push({ blank: true });
  }
  if (actions.length > 0) {
    lines.push({ title: 'Actions (actions: in the config; confirmed, audited, output in a panel)' });
    for (const a of actions) lines.push({ keys: a.key, text: `${a.name} on ${a.hosts.length > 0 ? a.hosts.join(', ') : 'the selected host'}: ${commandLine(a.run)}` });
    lines.push({ keys: 'j/k PgUp/PgDn g/G', text: 'scroll the output panel; Esc closes it (:output opens it again)' });
    lines.push({ blank: true });
  }
  lines.push({ title: 'Commands (:)' });
  for (const c of Object.values(COMMANDS)) lines.push({ keys: c.usage, text: c.summary });
  return lines;
}

/** Columns of help side by side at this width. */
function helpColumns(width: number): number {
  return width >= 180 ? 3 : width >= 110 ? 2 : 1;
}


/**
 * The key column's width for each line: one per section, as wide as the section's longest keys (a
 * command's usage is long) but never more than half the column, so every description of a section
 * starts at the same place, after at least one space.
 */
function helpKeyWidths(lines: readonly HelpLine[], columnWidth: number): number[] {
  const widths: number[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && !('title' in lines[i]!)) continue;
    const section = lines.slice(start, i);
    const longest = Math.max(0, ...section.map((line) => ('keys' in line ? widthOf(line.keys) + 2 : 0)));
    const width = Math.max(Math.min(KEY_WIDTH, columnWidth), Math.min(longest, Math.floor(columnWidth / 2)));
    widths.push(...section.map(() => width));
    start = i;
  }
  return widths;
}

/**
 * The help as the overlay `width` wide lays it out: a description longer than its column goes on in
 * the rows under it (its keys' cell blank), so every word of it can be read, at 80 columns as at 200.
 */
export function helpRows(bindings: KeyBindings, actions: readonly ActionSpec[], width: number): { rows: HelpLine[]; keyWidths: number[] } {
  const lines = helpLines(bindings, actions);
  const columnWidth = Math.floor((width - 4) / helpColumns(width));
  const widths = helpKeyWidths(lines, columnWidth - 1);
  const rows: HelpLine[] = [];
  const keyWidths: number[] = [];
  lines.forEach((line, i) => {
    const keyWidth = widths[i]!;
    const pieces = 'keys' in line ? wrapToWidth(line.text, Math.max(1, columnWidth - 1 - keyWidth), true).map((text, k) => (k === 0 ? { keys: line.keys, text } : { keys: '', text, continued: true as const })) : [line];
    for (const piece of pieces) {
      rows.push(piece);
      keyWidths.push(keyWidth);
    }
  });
  return { rows, keyWidths };
}

const isContinued = (line: HelpLine | undefined): boolean => line !== undefined && 'continued' in line;

/**
 * The rows from `start` poured into `perRow` columns of at most `height` rows, balanced when all of
 * them fit; a description is not parted across two columns: it goes to the next one with its keys,
 * and a section's title with its first description.
 * `end` is the first row not shown.
 */
function pourHelp(lines: readonly HelpLine[], start: number, height: number, perRow: number): { columns: number[][]; end: number } {
  const pour = (limit: number) => {
    const columns: number[][] = [];
    let i = start;
    for (let c = 0; c < perRow && i < lines.length; c++) {
      const column: number[] = [];
      while (i < lines.length && column.length < limit) {
        // A blank that would open a column only pushes it down.
        if (column.length === 0 && c > 0 && 'blank' in lines[i]!) {
          i++;
          continue;
        }
        let end = i + 1;
        // A section's title goes with its first binding: alone at a column's foot it heads nothing.
        if ('title' in lines[i]! && end < lines.length && !('title' in lines[end]!)) end++;
        while (isContinued(lines[end])) end++;
        if (column.length > 0 && column.length + (end - i) > limit) break;
        for (; i < end && column.length < height; i++) column.push(i);
      }
      columns.push(column);
    }
    return { columns, end: i };
  };
  const balanced = pour(Math.min(height, Math.ceil((lines.length - start) / perRow)));
  return balanced.end === lines.length ? balanced : pour(height);
}

/** The first row of the last screenful of help: where j and PgDn stop, with every row reachable. */
function helpScrollMax(lines: readonly HelpLine[], width: number, height: number): number {
  const rows = Math.max(1, height - 3);
  const perRow = helpColumns(width);
  for (let start = Math.max(0, lines.length - rows * perRow); start < lines.length; start++) {
    if (pourHelp(lines, start, rows, perRow).end < lines.length) continue;
    // The last screen begins with a description's keys, not with the rest of one.
    while (isContinued(lines[start])) start++;
    return start;
  }
  return 0;
}

function HelpRow({ line, width, keyWidth }: { line: HelpLine; width: number; keyWidth: number }) {
  const theme = useTheme();
  if ('blank' in line) return <Text> </Text>;
  if ('title' in line)
    return (
      <Text bold color={theme.accent} wrap="truncate">
        {line.title}
      </Text>
    );
  return (
    <Text wrap="truncate">
      <Text color={theme.key}>{fit(line.keys, keyWidth - 1)} </Text>
      {fit(line.text, Math.max(0, width - keyWidth))}
    </Text>
  );
}

/** The help wrapped for a width and its scroll limit: made once per keymap and size (the App keeps it), not per frame. */
export interface HelpLayout {
  rows: HelpLine[];
  keyWidths: number[];
  scrollMax: number;
}

export function helpLayout(bindings: KeyBindings, actions: readonly ActionSpec[], width: number, height: number): HelpLayout {
  const { rows, keyWidths } = helpRows(bindings, actions, width);
  return { rows, keyWidths, scrollMax: helpScrollMax(rows, width, height) };
}

export function HelpOverlay({ layout, width, height, scroll }: { layout: HelpLayout; width: number; height: number; scroll: number }) {
  const theme = useTheme();
  const { rows: lines, keyWidths } = layout;
  const perRow = helpColumns(width);
  const start = Math.min(scroll, layout.scrollMax);
  const { columns, end } = pourHelp(lines, start, Math.max(1, height - 3), perRow);
  const columnWidth = Math.floor((width - 4) / perRow);
  const more = start > 0 || end < lines.length ? ` · lines ${start + 1}–${end} of ${lines.length}, j/k scroll` : '';
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.accent} width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate">
        opsdeck help — Esc or ? closes{more} · keys from keymaps/default.yaml and the config's keys:
      </Text>
      <Box flexDirection="row">
        {columns.map((column, i) => (
          <Box key={i} flexDirection="column" width={columnWidth}>
            {column.map((index, j) => (
              <HelpRow key={j} line={lines[index]!} width={columnWidth - 1} keyWidth={keyWidths[index]!} />
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
