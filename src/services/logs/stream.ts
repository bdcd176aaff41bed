// What a log source is, wherever it runs: a follower that pushes lines and reports its health.
import type { LogSourceConfig } from '../model.js';

export interface LogStreamHandlers {
  line(text: string): void;
  /** opsdeck's own note in the stream: rotation, truncation, restart. */
  mark(text: string): void;
  state(status: 'ok' | 'error', error?: string, hint?: string): void;
}

export interface LogStream {
  readonly id: string;
  readonly host: string;
  readonly label: string;
  start(handlers: LogStreamHandlers): void;
  stop(): void;
}

export const INITIAL_LINES = 200;

/**
 * argv of the follower for one log source: `tail -F` (rotation and truncation) or `journalctl -f`.
 * `initialLines` is 0 when resuming after a gap, so lines already shown are not repeated.
 */
export function followCommand(source: LogSourceConfig, initialLines = INITIAL_LINES): [string, string[]] {
  if (source.kind === 'file') return ['tail', ['-F', '-n', String(initialLines), '--', source.path]];
  const unit = source.unit ? ['-u', source.unit] : [];
  return ['journalctl', ['-f', '-n', String(initialLines), '-o', 'short-iso', '--no-pager', ...unit]];
}

/** Reads GNU tail's stderr notes: which mean the file is gone, which that it is being followed again. */
export function interpretFollowerNote(note: string): { kind: 'missing' | 'resumed' | 'other'; text: string } {
  const text = note.replace(/^tail:\s*/, '');
  if (/cannot open|no such file|has become inaccessible|permission denied/i.test(text)) return { kind: 'missing', text };
  if (/has appeared|has been replaced|following new file|file truncated/i.test(text)) return { kind: 'resumed', text };
  return { kind: 'other', text };
}
