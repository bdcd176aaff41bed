// The journal as it is followed, `journalctl -o json`: one entry per line, its level taken from the
// entry's PRIORITY rather than guessed from its words, its text shown as `-o short-iso` would print it.
import type { LogLevel } from '../../domain/model.js';

/** A journal entry made ready for the log buffer. */
export interface JournalLine {
  text: string;
  level: LogLevel;
}

/**
 * syslog's priorities, which journald keeps for every entry: 0 emerg, 1 alert, 2 crit and 3 err are
 * errors, 4 warning is a warning, 5 notice, 6 info and 7 debug are information (as journalctl's
 * own colours have it). An entry without one is information.
 */
export function priorityLevel(priority: string | undefined): LogLevel {
  const value = Number(priority);
  if (priority === undefined || priority === '' || !Number.isInteger(value)) return 'info';
  if (value <= 3) return 'error';
  if (value === 4) return 'warn';
  return 'info';
}

/** A field's text: journald writes a value that is not valid UTF-8 as an array of its bytes. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return undefined;
}

const pad = (n: number, width = 2): string => String(Math.trunc(Math.abs(n))).padStart(width, '0');

/** `2026-12-01T09:08:56+0900`, short-iso's form, in this machine's zone (where the operator reads it). */
export function isoLocal(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(offset / 60)}${pad(offset % 60)}`;
}

/**
 * One line of `journalctl -o json` as `TIME HOST IDENT[PID]: MESSAGE` with its level; undefined when
 * the line is no journal entry (the syslog file a host without a journal falls back to).
 */
export function journalLine(line: string): JournalLine | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || !('__REALTIME_TIMESTAMP' in entry)) return undefined;
  const fields = entry as Record<string, unknown>;
  const micros = Number(text(fields.__REALTIME_TIMESTAMP));
  const ident = text(fields.SYSLOG_IDENTIFIER) ?? text(fields._COMM);
  const pid = text(fields.SYSLOG_PID) ?? text(fields._PID);
  const head = [Number.isFinite(micros) ? isoLocal(micros / 1000) : undefined, text(fields._HOSTNAME), ident ? `${ident}${pid ? `[${pid}]` : ''}:` : undefined];
  return { text: [...head.filter((part) => part !== undefined && part !== ''), text(fields.MESSAGE) ?? ''].join(' '), level: priorityLevel(text(fields.PRIORITY)) };
}
