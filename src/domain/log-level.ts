// A log line's level: the source's own where it gave one (the journal's PRIORITY), else guessed from
// its words the first time something reads it. A followed log at 10,000 lines a second shows a few
// dozen of them a frame; classifying every line as it arrived was most of the cost of keeping it.
import type { LogLevel, LogLine } from './model.js';

// "ValueError", "OperationalError" count as errors; a 5xx counts where it is a status (after the
// quoted request of an access log, or status=503), not where it is a body size.
const ERROR_WORDS = /(?:\b|[a-z])(?:error|exception)\b|\b(?:err|fatal|crit(?:ical)?|emerg(?:ency)?|alert|panic|traceback)\b|"\s5\d\d\s|\bstatus[=: ]+5\d\d\b/i;
const WARN_WORDS = /\b(warn(ing)?|deprecated)\b/i;

export function classify(text: string): LogLevel {
  if (ERROR_WORDS.test(text)) return 'error';
  if (WARN_WORDS.test(text)) return 'warn';
  return 'info';
}

/**
 * The line's level, classified on first read and kept on the line. Writing to a line in the store is
 * safe here because the level is a function of its text: every reader gets the same answer.
 */
export function levelOf(line: LogLine): LogLevel {
  return (line.knownLevel ??= classify(line.text));
}
