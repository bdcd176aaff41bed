// ink's keypress, turned into the binding names that src/app/keymap.ts knows (isKeyName). It lives
// here, not in src/app, because ink's Key is React glue and src/app runs without a screen.
import type { Key } from 'ink';

/** The binding name of an ink keypress ("q", "E", "shift+tab", "ctrl+c", "pageup"), or undefined. */
export function keyName(input: string, key: Key): string | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  if ([...input].length === 1) return input;
  return undefined;
}
