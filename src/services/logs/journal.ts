// Entries of `journalctl -o json`: which followed unit each belongs to, judged as `journalctl -u`
// does, the line it is shown as, in the shape of `-o short-iso`, and its level from its PRIORITY
// rather than guessed from its words. One JSON object per line, with the message inside a string, so
// no message can pass for an entry or for another unit's.
import type { LogLevel } from '../../domain/model.js';

/** A field's value: text, bytes (not UTF-8, or binary), several values, or null (over 4096 bytes without --all). */
export type JournalValue = string | number[] | (string | number[])[] | null;
export type JournalEntry = Record<string, JournalValue>;

/** The entry on one line of `journalctl -o json`, or undefined when the line is not one. */
export function parseJournalLine(line: string): JournalEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JournalEntry) : undefined;
  } catch {
    return undefined;
  }
}

function text(value: JournalValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value.length > 0 && value.every((v) => typeof v === 'number')) return Buffer.from(value as number[]).toString('utf8');
  // A field given several times: journalctl's short output shows the last one.
  return text((value as (string | number[])[]).at(-1));
}

/** Every value a field has in the entry (a field may appear several times). */
function values(value: JournalValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (value.every((v) => typeof v === 'number')) return [text(value)!];
  return (value as (string | number[])[]).map((v) => text(v)!);
}

const has = (entry: JournalEntry, field: string, wanted: string): boolean => values(entry[field]).includes(wanted);

const UNIT_TYPES = ['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'timer', 'path', 'slice', 'scope'];

/** The unit `journalctl -u NAME` looks for: a name without a unit type is a service. */
export function journalUnitName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && UNIT_TYPES.includes(name.slice(dot + 1)) ? name : `${name}.service`;
}

const COREDUMP_MESSAGE = 'fc2e22bc6ee647b6b90729ab34a250b1';

/**
 * Whether `journalctl -u UNIT` shows the entry: the unit's own processes (`_SYSTEMD_UNIT`, set by
 * journald from the cgroup), its core dumps, PID 1 about it (`UNIT`), root daemons about it
 * (`OBJECT_SYSTEMD_UNIT`), and for a slice everything in it. The trusted (`_`) fields cannot be set
 * by the program that logs. `unit` as journalUnitName gives it.
 */
export function entryMatchesUnit(entry: JournalEntry, unit: string): boolean {
  if (has(entry, '_SYSTEMD_UNIT', unit)) return true;
  if (has(entry, 'MESSAGE_ID', COREDUMP_MESSAGE) && has(entry, '_UID', '0') && has(entry, 'COREDUMP_UNIT', unit)) return true;
  if (has(entry, '_PID', '1') && has(entry, 'UNIT', unit)) return true;
  if (has(entry, '_UID', '0') && has(entry, 'OBJECT_SYSTEMD_UNIT', unit)) return true;
  return unit.endsWith('.slice') && has(entry, '_SYSTEMD_SLICE', unit);
}

/** Minutes east of UTC from `date +%z` ("+0900", "-0330"); 0 when it is not that. */
export function zoneOffsetMinutes(zone: string): number {
  const match = /^([+-])(\d\d)(\d\d)$/.exec(zone.trim());
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

function isoTime(realtimeMicros: string | undefined, offsetMinutes: number): string {
  const micros = Number(realtimeMicros);
  if (!Number.isFinite(micros) || micros <= 0) return '-';
  const local = new Date(Math.floor(micros / 1000) + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** A message is cut here, as a file's line is (the pane shows far less of it). */
const MAX_MESSAGE = 64 * 1024;

/**
 * The entry as `journalctl -o short-iso` prints it on the host (time in the host's zone, host,
 * identifier[pid]: message); a message of several lines continues on lines indented under it.
 */
export function formatJournalEntry(entry: JournalEntry, offsetMinutes: number): string[] {
  const ident = text(entry.SYSLOG_IDENTIFIER) ?? text(entry._COMM) ?? 'unknown';
  const pid = text(entry.SYSLOG_PID) ?? text(entry._PID);
  const host = text(entry._HOSTNAME);
  const prefix = `${isoTime(text(entry.__REALTIME_TIMESTAMP), offsetMinutes)}${host ? ` ${host}` : ''} ${ident}${pid ? `[${pid}]` : ''}: `;
  const message = entry.MESSAGE === null ? '[message not sent by journalctl]' : (text(entry.MESSAGE) ?? '').slice(0, MAX_MESSAGE);
  const [first, ...rest] = message.replace(/\n$/, '').split('\n');
  return [`${prefix}${first}`, ...rest.map((line) => `${' '.repeat(prefix.length)}${line}`)];
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

export const entryLevel = (entry: JournalEntry): LogLevel => priorityLevel(text(entry.PRIORITY));

/**
 * A line of a journal followed on this machine (`journalctl -f -o json`): its lines as short-iso
 * prints them in this machine's zone at that instant, and its level; undefined when the line is no
 * journal entry (the syslog file a host without a journal falls back to, an app's own JSON).
 */
export function journalLine(line: string): { lines: string[]; level: LogLevel } | undefined {
  const entry = parseJournalLine(line);
  if (!entry || entry.__REALTIME_TIMESTAMP === undefined) return undefined;
  const at = Number(text(entry.__REALTIME_TIMESTAMP)) / 1000;
  const offsetMinutes = Number.isFinite(at) ? -new Date(at).getTimezoneOffset() : 0;
  return { lines: formatJournalEntry(entry, offsetMinutes), level: entryLevel(entry) };
}
