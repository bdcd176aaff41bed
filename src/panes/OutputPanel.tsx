// The output panel under the panes: an operator command's output, a header per host saying how its
// run ended (ok for exit 0, crit otherwise, warn while it runs, each also in words); the panes above keep updating.
import { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import { useOps } from '../hooks/store.js';
import { outputPanelInner, panelLines, type PanelLine } from '../app/output-panel.js';
import { fit } from './format.js';
import { useTheme } from './theme.js';

function Line({ line, width }: { line: PanelLine; width: number }) {
  const theme = useTheme();
  const text = fit(line.text, width);
  if (line.kind === 'header')
    return (
      <Text bold color={line.ok === null ? theme.warn : line.ok ? theme.ok : theme.crit}>
        {text}
      </Text>
    );
  if (line.kind === 'note') return <Text dimColor>{text}</Text>;
  return <Text>{text}</Text>;
}

export const OutputPanel = memo(function OutputPanel({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const panel = useOps((s) => s.ui.output);
  const lines = useMemo(() => (panel ? panelLines(panel) : []), [panel]);
  if (!panel) return null;
  const rows = outputPanelInner(height);
  const last = Math.max(0, lines.length - rows);
  const top = Math.min(panel.scroll ?? last, last);
  const first = lines[top];
  // The header of the host whose output is at the top stays in sight: its exit status is the point.
  const pinned = first && first.kind !== 'header' ? lines.find((l) => l.kind === 'header' && l.section === first.section) : undefined;
  const shown = pinned ? [pinned, ...lines.slice(top + 1, top + rows)] : lines.slice(top, top + rows);
  const where = lines.length > rows ? ` · lines ${top + 1}–${top + shown.length} of ${lines.length}${panel.scroll === null ? ' (following)' : ''}` : '';
  const inner = Math.max(1, width - 4);
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={theme.accent} width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold wrap="truncate">
        {fit(`${panel.title}${where} · j/k PgUp/PgDn g/G scroll · Esc closes (the run goes on)`, inner)}
      </Text>
      {shown.map((line, i) => (
        <Line key={top + i} line={line} width={inner} />
      ))}
    </Box>
  );
});
