// Entries of `journalctl -o json`, captured from a real journald (test/fixtures/README.md): each is
// given to the units `journalctl -u` gives it to (the lists below are what journalctl 252 itself
// printed for `-u` on that journal), shown as `-o short-iso` shows it; and the bundle's decoder puts
// backlogs and new entries in the right logs, whatever the messages say. A journal followed on this
// machine gives each entry's level from its PRIORITY.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryMatchesUnit, formatJournalEntry, journalLine, journalUnitName, parseJournalLine, priorityLevel, zoneOffsetMinutes, type JournalEntry } from '../../src/services/logs/journal.js';
import { followCommand, followerOutput } from '../../src/services/logs/stream.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import type { LogLevel } from '../../src/domain/model.js';
import { levelOf } from '../../src/domain/log-level.js';
import type { LogStreamHandlers } from '../../src/services/logs/stream.js';
import { journalBundleOutput, MAX_JOURNAL_LINE } from '../../src/services/ssh/journal-bundle.js';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'journalctl-json.txt'), 'utf8').split('\n').filter(Boolean);
const entries = FIXTURE.map((line) => parseJournalLine(line)!);
const message = (entry: JournalEntry): string => formatJournalEntry(entry, 0).map((l) => l.replace(/^.*?\]: /, '').trim()).join(' / ');

describe('journal entries', () => {
  it('parses every captured line, and nothing that is not an object', () => {
    expect(entries.every((e) => typeof e === 'object')).toBe(true);
    for (const line of ['', '@end 0', '[1,2]', '"x"', 'null', '{"cut": "in the mid']) expect(parseJournalLine(line), line).toBeUndefined();
  });

  it('a unit gets the entries journalctl -u gives it: its own, PID 1\'s and root daemons\' about it; never a forged field or message', () => {
    const of = (unit: string): string[] => entries.filter((e) => entryMatchesUnit(e, journalUnitName(unit))).map(message);
    expect(of('garden-web')).toEqual(['Started garden-web.service - Garden web.', 'GET /healthz 200', 'root daemon about garden-web']);
    expect(of('garden-worker.service')).toHaveLength(4);
    expect(of('garden-other.service')).toEqual([
      '{"_SYSTEMD_UNIT":"garden-web.service","MESSAGE":"forged"}',
      'forged UNIT field',
      'line / @end 0 / {"_SYSTEMD_UNIT":"garden-web.service"}',
    ]);
    expect(of('opsdeck-capture.slice')).toHaveLength(8);
    expect(of('garden-none.service')).toEqual([]);
  });

  it('names a unit as journalctl -u does', () => {
    expect(journalUnitName('nginx')).toBe('nginx.service');
    expect(journalUnitName('nginx.service')).toBe('nginx.service');
    expect(journalUnitName('foo.slice')).toBe('foo.slice');
    expect(journalUnitName('backup.timer')).toBe('backup.timer');
    expect(journalUnitName('app.v2')).toBe('app.v2.service');
  });

  it('shows an entry as -o short-iso does on the host: its zone, host, identifier[pid], continuation lines under the message', () => {
    const get = (text: string): JournalEntry => entries.find((e) => message(e).includes(text))!;
    // journalctl -o short-iso on the same journal printed these (the host is at UTC).
    expect(formatJournalEntry(get('GET /healthz'), 0)).toEqual(['2026-11-30T23:49:23+0000 vm garden-web[47]: GET /healthz 200']);
    expect(formatJournalEntry(get('Started garden-web'), 0)).toEqual(['2026-11-30T23:49:23+0000 vm systemd[1]: Started garden-web.service - Garden web.']);
    expect(formatJournalEntry(get('Traceback'), 0)).toEqual([
      '2026-11-30T23:49:23+0000 vm garden-worker[48]: Traceback (most recent call last):',
      '                                                 File "worker.py", line 3',
      '                                               ValueError: bad job',
    ]);
    expect(formatJournalEntry(get('日本語'), 0)).toEqual(['2026-11-30T23:49:23+0000 vm garden-worker[4242]: 日本語のログ行']);
    // Bytes that are not UTF-8 arrive as an array of numbers; a field given twice as an array (short shows the last).
    expect(formatJournalEntry(get('not utf-8'), 0)[0]).toBe('2026-11-30T23:49:23+0000 vm garden-worker[48]: bytes \ufffd\ufffd not utf-8 \u001b[31mred');
    expect(message(get('second value'))).toBe('second value');
    // In Tokyo's zone, as `date +%z` says +0900 there.
    expect(formatJournalEntry(get('GET /healthz'), zoneOffsetMinutes('+0900'))[0]).toMatch(/^2026-12-01T08:49:23\+0900 /);
    expect(formatJournalEntry({ MESSAGE: null, _COMM: 'big', __REALTIME_TIMESTAMP: '0' }, 0)).toEqual(['- big: [message not sent by journalctl]']);
  });

  it('reads date +%z', () => {
    expect(zoneOffsetMinutes('+0900')).toBe(540);
    expect(zoneOffsetMinutes('-0330')).toBe(-210);
    expect(zoneOffsetMinutes('+0000\n')).toBe(0);
    expect(zoneOffsetMinutes('JST')).toBe(0);
  });
});

describe('journalBundleOutput', () => {
  function run(units: string[], stdout: string, started = units.map(() => true)): { lines: string[][]; marks: string[][] } {
    const lines = units.map((): string[] => []);
    const marks = units.map((): string[] => []);
    const outlets = units.map((_, i): LogStreamHandlers | undefined =>
      started[i] ? { line: (t) => lines[i]!.push(t), mark: (t) => marks[i]!.push(t), state: () => {} } : undefined,
    );
    const output = journalBundleOutput(units)(outlets, () => {});
    // Cut into small chunks (lines and characters span them), as an SSH channel's are for a long line.
    const bytes = Buffer.from(stdout);
    const size = bytes.length < 100_000 ? 7 : 32 * 1024;
    for (let i = 0; i < bytes.length; i += size) output.stdout(bytes.subarray(i, i + size));
    output.end();
    return { lines, marks };
  }
  const line = (text: string): string => FIXTURE.find((l) => l.includes(text))!;

  it('backlogs (newest first from journalctl) go to their unit in order; then each new entry to every unit it belongs to', () => {
    const stdout = [
      '@zone +0000',
      '@backlog 0',
      line('root daemon about'),
      line('GET /healthz'),
      '@end 0',
      '@backlog 1',
      '@end 1',
      '@backlog 2',
      line('forged UNIT field'),
      '@end 2',
      line('"MESSAGE":"line\\n@end 0'),
      line('Started garden-web'),
      line('日本語'),
      line('no unit at all'),
      '',
    ].join('\n');
    const { lines } = run(['garden-web', 'garden-worker.service', ''], stdout);
    expect(lines[0]!.map((l) => l.replace(/^.*?: /, ''))).toEqual(['GET /healthz 200', 'root daemon about garden-web', 'Started garden-web.service - Garden web.']);
    expect(lines[1]!.map((l) => l.replace(/^.*?: /, ''))).toEqual(['日本語のログ行']);
    // The whole journal ("") gets everything after its backlog; a message's "@end 0" line is message text.
    expect(lines[2]!.map((l) => l.replace(/^.*?: /, '').trim())).toEqual(['forged UNIT field', 'line', '@end 0', '{"_SYSTEMD_UNIT":"garden-web.service"}', 'Started garden-web.service - Garden web.', '日本語のログ行', 'no unit at all']);
  });

  it('the host\'s zone from @zone is used for every line', () => {
    const { lines } = run(['garden-web'], ['@zone +0900', line('GET /healthz'), ''].join('\n'));
    expect(lines[0]).toEqual(['2026-12-01T08:49:23+0900 vm garden-web[47]: GET /healthz 200']);
  });

  it('an entry too long to place is reported in every journal log; a unit not started gets nothing', () => {
    const huge = `{"MESSAGE":"${'x'.repeat(2 * MAX_JOURNAL_LINE)}","_SYSTEMD_UNIT":"garden-web.service"}`;
    const { lines, marks } = run(['garden-web', 'garden-worker'], [huge, line('GET /healthz'), ''].join('\n'), [true, false]);
    expect(marks[0]).toEqual([`a journal entry longer than ${MAX_JOURNAL_LINE / 1024} KiB was skipped`]);
    expect(lines[0]!.map((l) => l.replace(/^.*?: /, ''))).toEqual(['GET /healthz 200']);
    expect(lines[1]).toEqual([]);
  });
});

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
const json = fixture('journalctl-json-priorities.txt');
const shortIso = fixture('journalctl-short-iso-jst.txt');

describe('journal entries from journalctl -o json (systemd 252)', () => {
  let zone: string | undefined;
  beforeEach(() => {
    zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
  });
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads as journalctl -o short-iso prints the same entries, in the zone opsdeck runs in', () => {
    const lines = json.map((l) => journalLine(l)!.lines.join('\n'));
    // The entry whose MESSAGE is not UTF-8 is "[38B blob data]" to journalctl; opsdeck shows its text.
    const blob = shortIso.findIndex((l) => l.endsWith('[38B blob data]'));
    expect(lines.filter((_, i) => i !== blob)).toEqual(shortIso.filter((_, i) => i !== blob));
    expect(lines[blob]).toMatch(/^2026-12-01T09:08:56\+0900 vm garden-backend\[7001\]: garden-backend\[4242\]: bad byte \ufffd\ufffd here$/);
  });

  it('takes the level from PRIORITY: 0-3 error, 4 warn, 5-7 info, whatever the words say', () => {
    const levels = Object.fromEntries(json.map((l) => journalLine(l)!).map((e) => [e.lines.join('\n').replace(/^.*?: /, ''), e.level]));
    expect(levels).toMatchObject({
      'payment gateway timeout after 30s': 'error',
      'slow query 1200ms': 'warn',
      'ERROR in the text but priority info': 'info',
      'worker process exited on signal 9': 'error',
      'バックエンドを再起動しました': 'info',
      'debug details': 'info',
      'system is unusable': 'error',
    });
  });
});

describe('priorityLevel, and the local zone', () => {
  it('maps each syslog priority, and a missing or odd one to info', () => {
    expect(['0', '1', '2', '3', '4', '5', '6', '7'].map(priorityLevel)).toEqual(['error', 'error', 'error', 'error', 'warn', 'info', 'info', 'info']);
    expect(priorityLevel(undefined)).toBe('info');
    expect(priorityLevel('x')).toBe('info');
  });

  it('writes the offset of the zone opsdeck runs in, negative ones too', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/St_Johns';
    try {
      const entry = JSON.stringify({ __REALTIME_TIMESTAMP: String(Date.UTC(2026, 0, 15, 12, 0, 0) * 1000), _HOSTNAME: 'vm', SYSLOG_IDENTIFIER: 'app', MESSAGE: 'hello', PRIORITY: '6' });
      expect(journalLine(entry)!.lines).toEqual(['2026-01-15T08:30:00-0330 vm app: hello']);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('leaves a line that is no journal entry to be read as text', () => {
    expect(journalLine('Dec  1 00:08:56 vm nginx[1]: error reading')).toBeUndefined();
    expect(journalLine('{"level":"error","msg":"an app\'s own JSON"}')).toBeUndefined();
    expect(journalLine('{not json')).toBeUndefined();
  });
});

describe('a follower of the journal', () => {
  it('asks journalctl for JSON', () => {
    const [, args] = followCommand({ kind: 'journal', unit: '', label: 'journal' });
    expect(args.slice(args.indexOf('-o'), args.indexOf('-o') + 2)).toEqual(['-o', 'json']);
  });

  it('hands each entry on with its PRIORITY level, and the buffer keeps that level rather than guessing', () => {
    const received: { text: string; level?: LogLevel }[] = [];
    const { out } = followerOutput({ line: (text, level) => received.push({ text, level }), mark: () => {}, state: () => {} }, { errorPrefix: '', journal: true, onLine: () => {} });
    out.push(`${json.join('\n')}\nplain syslog line with error in it\n`);
    expect(received).toHaveLength(json.length + 1);
    expect(received.at(-1)).toEqual({ text: 'plain syslog line with error in it', level: undefined });
    const buffer = new LogBuffer(100, 2000);
    for (const r of received) buffer.append(r.text, 0, r.level);
    const levels = [...buffer.takeSnapshot()!].map((l) => [l.text.replace(/^.*?: /, ''), levelOf(l)]);
    expect(levels).toContainEqual(['ERROR in the text but priority info', 'info']);
    expect(levels).toContainEqual(['slow query 1200ms', 'warn']);
    expect(levels.at(-1)).toEqual(['plain syslog line with error in it', 'error']);
  });
});
