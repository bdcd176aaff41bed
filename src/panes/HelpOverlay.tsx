// `?`: every binding of the live keymap (defaults plus the config's overrides), and the commands.
import { Box, Text } from 'ink';
import { COMMANDS } from '../app/commands.js';
import { ACTIONS, KEY_CONTEXTS, type KeyBindings } from '../app/keymap.js';
import { fit } from './format.js';

const CONTEXT_TITLES = { global: 'Everywhere', list: 'Lists (Hosts, Services, Events, Databases, Logs)', hosts: 'Hosts', databases: 'Databases', logs: 'Logs' } as const;

export function HelpOverlay({ bindings, width, height }: { bindings: KeyBindings; width: number; height: number }) {
  const keyWidth = 18;
  const perRow = width >= 180 ? 3 : width >= 110 ? 2 : 1;
  const columnWidth = Math.floor((width - 4) / perRow);
  const sections = KEY_CONTEXTS.map((context) => (
    <Box key={context} flexDirection="column" width={columnWidth} marginBottom={1}>
      <Text bold color="cyan">
        {CONTEXT_TITLES[context]}
      </Text>
      {Object.entries(ACTIONS[context]).map(([action, description]) => (
        <Text key={action} wrap="truncate">
          <Text color="yellow">{fit((bindings[context][action] ?? []).join(' '), keyWidth)}</Text>
          {description}
        </Text>
      ))}
    </Box>
  ));
  const commands = (
    <Box key="commands" flexDirection="column" width={columnWidth}>
      <Text bold color="cyan">
        Commands (:)
      </Text>
      {Object.values(COMMANDS).map((c) => (
        <Text key={c.usage} wrap="truncate">
          <Text color="yellow">{fit(c.usage, keyWidth + 8)}</Text>
          {c.summary}
        </Text>
      ))}
    </Box>
  );
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="cyan" width={width} height={height} paddingX={1} overflow="hidden">
      <Text bold>opsdeck help — Esc or ? closes · keys come from keymaps/default.yaml and the config's keys:</Text>
      <Box flexDirection={perRow > 1 ? 'row' : 'column'} flexWrap="wrap">
        {[...sections, commands]}
      </Box>
    </Box>
  );
}
