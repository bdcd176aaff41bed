// The journal followed as JSON: each entry's level from its PRIORITY, its text as short-iso prints it.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoLocal, journalLine, priorityLevel } from '../../src/services/logs/journal.js';
import { followCommand, followerOutput } from '../../src/services/logs/stream.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import type { LogLevel } from '../../src/domain/model.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
const json = fixture('journalctl-json.txt');
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
    const lines = json.map((l) => journalLine(l)!.text);
    // The entry whose MESSAGE is not UTF-8 is "[38B blob data]" to journalctl; opsdeck shows its text.
    const blob = shortIso.findIndex((l) => l.endsWith('[38B blob data]'));
    expect(lines.filter((_, i) => i !== blob)).toEqual(shortIso.filter((_, i) => i !== blob));
    expect(lines[blob]).toMatch(/^2026-12-01T09:08:56\+0900 vm garden-backend\[7001\]: garden-backend\[4242\]: bad byte \ufffd\ufffd here$/);
  });

  it('takes the level from PRIORITY: 0-3 error, 4 warn, 5-7 info, whatever the words say', () => {
    const levels = Object.fromEntries(json.map((l) => journalLine(l)!).map((e) => [e.text.replace(/^.*?: /, ''), e.level]));
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

describe('priorityLevel and isoLocal', () => {
  it('maps each syslog priority, and a missing or odd one to info', () => {
    expect(['0', '1', '2', '3', '4', '5', '6', '7'].map(priorityLevel)).toEqual(['error', 'error', 'error', 'error', 'warn', 'info', 'info', 'info']);
    expect(priorityLevel(undefined)).toBe('info');
    expect(priorityLevel('x')).toBe('info');
  });

  it('writes the offset of the zone, negative ones too', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/St_Johns';
    try {
      expect(isoLocal(Date.UTC(2026, 0, 15, 12, 0, 0))).toBe('2026-01-15T08:30:00-0330');
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
    const levels = buffer.takeSnapshot()!.map((l) => [l.text.replace(/^.*?: /, ''), l.level]);
    expect(levels).toContainEqual(['ERROR in the text but priority info', 'info']);
    expect(levels).toContainEqual(['slow query 1200ms', 'warn']);
    expect(levels.at(-1)).toEqual(['plain syslog line with error in it', 'error']);
  });
});
