// The `:` command history kept across runs: one command a line in $XDG_STATE_HOME/opsdeck/history,
// the newest last, bounded; replaced whole through a temporary file and a rename, so a crash leaves
// the old list or the new one, never half. Each write adds to what the file holds then, so two
// cockpits keep each other's lines; two writes in the same instant keep one of the two (the last
// rename wins) and never a broken file.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sanitizeLine } from '../domain/sanitize.js';
import { opsdeckStateDir } from './state-dir.js';

/** A command line longer than this is not a command anyone retypes: cut, like the `:` line's own. */
const MAX_LINE = 1000;

export function commandHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(opsdeckStateDir(env), 'history');
}

function parse(text: string, limit: number): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    // The file is the user's, but a terminal should not get its escapes back from it.
    const line = sanitizeLine(raw, MAX_LINE).trim();
    if (line !== '' && lines.at(-1) !== line) lines.push(line);
  }
  return lines.slice(-limit);
}

export interface CommandHistory {
  readonly path: string;
  /** The history at start (read once, synchronously: the `:` line must have it at the first keypress). */
  load(): string[];
  /** Adds a line after what the file holds now (another cockpit may have added some). */
  append(line: string): Promise<void>;
}

/** `limit`: the most lines kept, the `:` line's own bound (src/app/commands.ts). */
export function commandHistory(limit: number, path = commandHistoryPath()): CommandHistory {
  // One write at a time from this process: each reads what the previous one wrote.
  let queue: Promise<void> = Promise.resolve();
  const write = async (line: string): Promise<void> => {
    const before = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const lines = parse(`${before}\n${line}`, limit);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(`${lines.join('\n')}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  };
  return {
    path,
    load() {
      try {
        return parse(readFileSync(path, 'utf8'), limit);
      } catch {
        return [];
      }
    },
    append(line) {
      const next = queue.then(() => write(line));
      // A failed write (a full disk, a read-only home) loses that line, not the ones after it.
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

