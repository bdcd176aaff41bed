// A pane's border with its title in the top line; the focused pane's border is bright.
import type { ReactNode } from 'react';
import { Box, Text } from 'ink';
import { cutStart, widthOf } from './format.js';
import { useTheme, type Tone } from './theme.js';

export interface FrameProps {
  title: string;
  /** Right side of the title line: counts, filter, mode flags. */
  info?: string;
  focused: boolean;
  width: number;
  height: number;
  children: ReactNode;
}

export function Frame({ title, info, focused, width, height, children }: FrameProps) {
  const theme = useTheme();
  const color = focused ? theme.accent : theme.muted;
  const left = `╭─ ${title} `;
  // The info's end is its state (FOLLOW, PAUSED +12): a long one gives up its start, not the whole.
  const room = width - widthOf(left) - 5;
  const shown = info && room >= 2 ? cutStart(info, room) : undefined;
  const right = shown ? ` ${shown} ─╮` : '╮';
  const fill = Math.max(0, width - widthOf(left) - widthOf(right));
  const line = fill > 0 ? left + '─'.repeat(fill) + right : `${left}${'─'.repeat(Math.max(0, width - widthOf(left) - 1))}╮`.slice(0, width);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={color} bold={focused} wrap="truncate">
        {line}
      </Text>
      <Box borderStyle="round" borderTop={false} borderColor={color} flexDirection="column" width={width} height={height - 1} overflow="hidden">
        {children}
      </Box>
    </Box>
  );
}

/** A dim line inside a pane that says why it is empty and what to do. */
export function Note({ children, tone = 'muted' }: { children: ReactNode; tone?: Tone }) {
  const theme = useTheme();
  return (
    <Text color={theme[tone]} wrap="wrap">
      {children}
    </Text>
  );
}
