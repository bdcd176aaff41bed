// The question before an action runs: what will happen, what the operator should read, how to answer.
import { Box, Text } from 'ink';
import type { PendingAction } from '../app/actions.js';

export function confirmHeight(action: PendingAction): number {
  return action.lines.length + 4;
}

export function ConfirmDialog({ action, input, width, readOnly }: { action: PendingAction; input: string; width: number; readOnly: boolean }) {
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" width={width} height={confirmHeight(action)} paddingX={1}>
      <Text bold color="yellow" wrap="truncate">
        {action.title}?{readOnly && action.local ? ' (changes only opsdeck\'s own files)' : ''}
      </Text>
      {action.lines.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
      {action.typed === undefined ? (
        <Text wrap="truncate">
          <Text bold color="green">y</Text>/Enter to go · <Text bold color="red">n</Text>/Esc to cancel
        </Text>
      ) : (
        <Text wrap="truncate">
          type <Text bold>{action.typed}</Text> and Enter to go, Esc to cancel: <Text color="cyan">{input}</Text>
          <Text inverse> </Text>
        </Text>
      )}
    </Box>
  );
}
