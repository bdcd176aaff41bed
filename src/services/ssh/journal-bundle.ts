// Several journal units followed through one channel: one `journalctl -f -o json` for all of them,
// each entry given to the units it belongs to (judged from its fields as `journalctl -u` does).
// Before following, each unit's own backlog is read up to the same cursor the follower starts after,
// so a quiet unit still shows its last lines and nothing is shown twice or lost in between. Lines of
// our own start with `@`; journalctl's start with `{`, and a message cannot start a line.
import { INITIAL_LINES, type LogStreamHandlers } from '../logs/stream.js';
import { LineSplitter } from '../logs/lines.js';
import { entryLevel, entryMatchesUnit, formatJournalEntry, journalUnitName, parseJournalLine, zoneOffsetMinutes } from '../logs/journal.js';
import type { LogLevel } from '../../domain/model.js';
import { shJoin } from '../shell-quote.js';
import { followerScript, type FollowerOutput, type OutputDecoder } from './follower.js';

/** One JSON entry may be this long (a message of about that much); a longer one cannot be placed. */
export const MAX_JOURNAL_LINE = 1024 * 1024;

/** `-u` for each unit, or nothing when one of them is the whole journal (""). */
function unitMatches(units: readonly string[]): string[] {
  if (units.includes('')) return [];
  return [...new Set(units)].flatMap((unit) => ['-u', unit]);
}

/**
 * The bundle's script: unit i of `units` ("" for the whole journal) gets its backlog between
 * `@backlog i` and `@end i`, newest first (journalctl reads backwards from the cursor); then one
 * follower for all prints every new entry once.
 */
export function journalBundleScript(units: readonly string[], initialLines: number, sudo: boolean): string {
  const journalctl = shJoin([...(sudo ? ['sudo', '-n'] : []), 'journalctl', '--no-pager', '-o', 'json', '--all']);
  const all = shJoin(unitMatches(units));
  const backlog =
    initialLines > 0
      ? units.map((unit, i) => `  printf '@backlog ${i}\\n'; j -n ${initialLines} --reverse --cursor="$c" ${shJoin(unit ? ['-u', unit] : [])} 2>/dev/null; printf '@end ${i}\\n'`)
      : [];
  const prelude = [
    'command -v journalctl >/dev/null 2>&1 || { echo "journalctl: not found" >&2; exit 127; }',
    `j() { ${journalctl} "$@"; }`,
    'printf \'@zone %s\\n\' "$(date +%z)"',
    `c=$(j -n 1 --show-cursor ${all} 2>/dev/null | sed -n 's/^-- cursor: //p')`,
    'if [ -n "$c" ]; then',
    ...backlog,
    '  set -- --after-cursor="$c"',
    'else',
    // No entry of these units yet: follow after the journal's newest entry of any unit, so one
    // written between this probe and the follower's start is not lost (`-n 0` began at the end as
    // journalctl opened); an empty journal is followed from its start.
    `  c=$(j -n 1 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p')`,
    '  if [ -n "$c" ]; then set -- --after-cursor="$c"; else set -- -n all; fi',
    'fi',
  ].join('\n');
  return followerScript(`j -f "$@" ${all}`, prelude);
}

/** The decoder of a journal bundle's output: backlogs to their unit, new entries to every unit they match. */
export function journalBundleOutput(units: readonly string[]): OutputDecoder {
  const wanted = units.map((unit) => (unit === '' ? undefined : journalUnitName(unit)));
  return (outlets: readonly (LogStreamHandlers | undefined)[], onLine): FollowerOutput => {
    let offset = 0;
    let backlog: { index: number; entries: { lines: string[]; level: LogLevel }[] } | undefined;
    let lastNote = '';
    const everyone = (text: string): void => {
      for (const outlet of outlets) outlet?.mark(text);
    };
    const out = new LineSplitter((line) => {
      if (line.startsWith('@')) {
        const [word, arg = ''] = line.slice(1).split(' ');
        if (word === 'zone') offset = zoneOffsetMinutes(arg);
        else if (word === 'backlog') backlog = { index: Number(arg), entries: [] };
        else if (word === 'end' && backlog) {
          const outlet = outlets[backlog.index];
          for (const entry of backlog.entries.reverse()) for (const text of entry.lines) outlet?.line(text, entry.level);
          if (backlog.entries.length > 0) onLine();
          backlog = undefined;
        }
        return;
      }
      const entry = parseJournalLine(line);
      if (!entry) {
        if (line.length >= MAX_JOURNAL_LINE) everyone(`a journal entry longer than ${MAX_JOURNAL_LINE / 1024} KiB was skipped`);
        return;
      }
      const lines = formatJournalEntry(entry, offset);
      const level = entryLevel(entry);
      if (backlog) {
        if (backlog.entries.length < INITIAL_LINES) backlog.entries.push({ lines, level });
        return;
      }
      let shown = false;
      wanted.forEach((unit, index) => {
        const outlet = outlets[index];
        if (!outlet || (unit !== undefined && !entryMatchesUnit(entry, unit))) return;
        for (const text of lines) outlet.line(text, level);
        shown = true;
      });
      if (shown) onLine();
    }, MAX_JOURNAL_LINE);
    const err = new LineSplitter((note) => {
      lastNote = note;
      everyone(note);
    });
    return {
      stdout: (chunk) => out.push(chunk),
      stderr: (chunk) => err.push(chunk),
      end: () => {
        out.end();
        err.end();
      },
      lastNote: () => lastNote,
    };
  };
}
