// What a log source is, wherever it runs: a follower that pushes lines and reports its health.
import type { LogLevel, LogSourceConfig } from '../../domain/model.js';
import { journalLine } from './journal.js';
import { LineSplitter } from './lines.js';

export interface LogStreamHandlers {
  /** A line as the source wrote it; `level` when the source says it (the journal's PRIORITY). */
  line(text: string, level?: LogLevel): void;
  /**
   * A line as UTF-8 bytes, valid only during the call, from a follower that reads bytes (a local
   * file): a receiver that keeps bytes (the log buffer) takes it without a string. Without it, `line`.
   */
  bytes?(source: Buffer, start: number, end: number): void;
  /** opsdeck's own note in the stream: rotation, truncation, restart. */
  mark(text: string): void;
  /** `absent`: what the host lacks when that is why there is nothing to follow ("no system log"). */
  state(status: 'ok' | 'error', error?: string, hint?: string, absent?: string): void;
}

export interface LogStream {
  readonly host: string;
  readonly label: string;
  /** The file it follows, when it follows a configured file (the {file} of an operator command). */
  readonly file?: string;
  start(handlers: LogStreamHandlers): void;
  /** Reads what the source has now; a follower that reads when asked (a local file) is asked before each flush. */
  pull?(): Promise<void>;
  stop(): void;
}

export const INITIAL_LINES = 200;

/** Where a host's system log is when it has no journal, in the order they are tried. */
export const SYSTEM_LOG_FILES = ['/var/log/syslog', '/var/log/messages'];

/** How long a follower that ended waits before it starts again, by how many times in a row it failed. */
export const RESTART_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * argv of the follower for one log source: `tail -F` (rotation and truncation) or `journalctl -f`,
 * in JSON so each entry comes with its PRIORITY (journal.ts). `initialLines` is 0 when resuming
 * after a gap, so lines already shown are not repeated.
 */
export function followCommand(source: LogSourceConfig, initialLines = INITIAL_LINES): [string, string[]] {
  if (source.kind === 'file') return ['tail', ['-F', '-n', String(initialLines), '--', source.path]];
  const unit = source.unit ? ['-u', source.unit] : [];
  return ['journalctl', ['-f', '-n', String(initialLines), '-o', 'json', '--no-pager', ...unit]];
}

/** Reads GNU tail's stderr notes: which mean the file is gone, which that it is being followed again. */
export function interpretFollowerNote(note: string): { kind: 'missing' | 'resumed' | 'other'; text: string } {
  const text = note.replace(/^tail:\s*/, '');
  if (/cannot open|no such file|has become inaccessible|permission denied/i.test(text)) return { kind: 'missing', text };
  if (/has appeared|has been replaced|following new file|file truncated/i.test(text)) return { kind: 'resumed', text };
  return { kind: 'other', text };
}

/**
 * The output handling every follower shares, local or over SSH: stdout lines go to the buffer (a
 * journal entry, where the source may be the journal, as its text and PRIORITY level), tail's stderr
 * notes become markers, and only a note that the file is followed again clears an error.
 */
export function followerOutput(
  handlers: LogStreamHandlers,
  options: { errorPrefix: string; missingHint?: string; journal: boolean; onLine(): void },
): { out: LineSplitter; err: LineSplitter; lastNote(): string } {
  let healthy = true;
  let lastNote = '';
  const out = new LineSplitter((line) => {
    if (!healthy) {
      healthy = true;
      handlers.state('ok');
    }
    options.onLine();
    const entry = options.journal ? journalLine(line) : undefined;
    if (entry) for (const text of entry.lines) handlers.line(text, entry.level);
    else handlers.line(line);
  });
  const err = new LineSplitter((note) => {
    const { kind, text } = interpretFollowerNote(note);
    lastNote = text;
    if (kind === 'missing') {
      healthy = false;
      handlers.state('error', `${options.errorPrefix}${text}`, options.missingHint);
    } else if (kind === 'resumed') {
      healthy = true;
      handlers.state('ok');
    }
    handlers.mark(text);
  });
  return { out, err, lastNote: () => lastNote };
}
