// Reads keymaps/default.yaml, the default bindings shipped with opsdeck (the keymap logic itself does no I/O).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { KEY_CONTEXTS, type KeyBindings } from '../keymap.js';

export function defaultKeymapPath(): string {
  return fileURLToPath(new URL('../../../keymaps/default.yaml', import.meta.url));
}

export function loadDefaultBindings(path = defaultKeymapPath()): KeyBindings {
  const raw = parse(readFileSync(path, 'utf8')) as Record<string, Record<string, string[]>>;
  return Object.fromEntries(KEY_CONTEXTS.map((c) => [c, raw[c] ?? {}])) as KeyBindings;
}
