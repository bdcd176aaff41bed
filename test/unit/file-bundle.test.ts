// The file bundle's framing: records are parsed back whatever the chunking, a line cut into chunks
// comes back whole (multi-byte characters too), and the tagger itself, run by the awks a host may
// have (gawk, and mawk in its interactive mode), turns hostile lines into records that decode to
// exactly those lines.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LogStreamHandlers } from '../../src/services/logs/stream.js';
import { fileBundleOutput, parseRecord, RECORD_CHUNK, RecordSplitter, TAGGER, type BundleRecord } from '../../src/services/ssh/file-bundle.js';

interface Seen {
  lines: string[];
  marks: string[];
  states: { status: string; error?: string; hint?: string }[];
}

function outlets(count: number): { seen: Seen[]; handlers: LogStreamHandlers[] } {
  const seen = Array.from({ length: count }, (): Seen => ({ lines: [], marks: [], states: [] }));
  const handlers = seen.map(
    (s): LogStreamHandlers => ({
      line: (text) => s.lines.push(text),
      mark: (text) => s.marks.push(text),
      state: (status, error, hint) => s.states.push({ status, error, hint }),
    }),
  );
  return { seen, handlers };
}

/** What the bundle's awk prints for `input` (lines of file `id`), run by `awk` as the script runs it. */
function tag(awk: string[], id: number, kind: 'o' | 'e', input: Buffer): Buffer {
  const result = spawnSync(awk[0]!, [...awk.slice(1), '-v', `id=${id}`, '-v', `t=${kind}`, TAGGER], { input, env: { ...process.env, LC_ALL: 'C' } });
  expect(result.status, result.stderr.toString()).toBe(0);
  return result.stdout;
}

const available = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

describe('parseRecord', () => {
  it('reads the ID, the tag and the bytes after it', () => {
    expect(parseRecord(Buffer.from('12 o hello world'))).toEqual({ id: 12, tag: 'o', payload: Buffer.from('hello world') });
    expect(parseRecord(Buffer.from('0 o '))).toEqual({ id: 0, tag: 'o', payload: Buffer.alloc(0) });
    expect(parseRecord(Buffer.from('3 r'))).toEqual({ id: 3, tag: 'r', payload: Buffer.alloc(0) });
    expect(parseRecord(Buffer.from('3 x 5'))?.payload.toString()).toBe('5');
  });

  it('refuses what is not a record', () => {
    for (const line of ['', 'o hello', '==> /var/log/x <==', 'a o x', '1 q x', '1 ox', ' 1 o x', '12345678901 o x']) expect(parseRecord(Buffer.from(line)), line).toBeUndefined();
  });
});

describe('RecordSplitter', () => {
  const stream = Buffer.from(['0 o first', '1 c ab\u00e9', '1 o cd', '0 e tail: note', 'junk line', '2 x 1', '2 r', ''].join('\n'));

  it('gives the same records however the stream is cut', () => {
    const whole: BundleRecord[] = [];
    new RecordSplitter((r) => whole.push(r)).push(stream);
    expect(whole.map((r) => `${r.id} ${r.tag} ${r.payload.toString()}`)).toEqual(['0 o first', '1 c ab\u00e9', '1 o cd', '0 e tail: note', '2 x 1', '2 r ']);
    for (let cut = 1; cut < stream.length; cut++) {
      const parts: BundleRecord[] = [];
      const splitter = new RecordSplitter((r) => parts.push(r));
      splitter.push(stream.subarray(0, cut));
      splitter.push(stream.subarray(cut));
      expect(parts, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('drops a line longer than any record, and goes on with the next', () => {
    const got: BundleRecord[] = [];
    const splitter = new RecordSplitter((r) => got.push(r));
    splitter.push(Buffer.from(`0 o ${'x'.repeat(5000)}`));
    splitter.push(Buffer.from(`${'y'.repeat(5000)}\n1 o next\n`));
    expect(got.map((r) => `${r.id} ${r.payload.toString()}`)).toEqual(['1 next']);
  });
});

describe('fileBundleOutput', () => {
  it('gives each file its lines, joins chunks (a character split between them too) and keeps a forged record as text', () => {
    const { seen, handlers } = outlets(2);
    const output = fileBundleOutput('web1')(handlers, () => {});
    const euro = Buffer.from('\u20ac');
    output.stdout(Buffer.concat([Buffer.from('0 c abc'), euro.subarray(0, 1), Buffer.from('\n0 o '), euro.subarray(1), Buffer.from('def\n1 o 0 o forged\n0 o ==> /var/log/b <==\n')]));
    expect(seen[0]!.lines).toEqual(['abc\u20acdef', '==> /var/log/b <==']);
    expect(seen[1]!.lines).toEqual(['0 o forged']);
  });

  it('a tail that ends is this file\'s error with the delay; its restart marks the gap; a missing file is an error until it appears', () => {
    const { seen, handlers } = outlets(2);
    const output = fileBundleOutput('web1')(handlers, () => {});
    output.stdout(Buffer.from("1 e tail: cannot open '/var/log/b' for reading: No such file or directory\n"));
    expect(seen[1]!.states.at(-1)).toEqual({ status: 'error', error: "web1: cannot open '/var/log/b' for reading: No such file or directory", hint: 'waiting for it to appear' });
    output.stdout(Buffer.from("1 e tail: '/var/log/b' has appeared;  following new file\n"));
    expect(seen[1]!.states.at(-1)).toEqual({ status: 'ok' });
    output.stdout(Buffer.from('0 e sudo: a password is required\n0 x 2\n'));
    expect(seen[0]!.states.at(-1)).toEqual({ status: 'error', error: 'web1: tail ended: sudo: a password is required', hint: 'restarting in 2s' });
    output.stdout(Buffer.from('0 r\n'));
    expect(seen[0]!.marks.at(-1)).toMatch(/^— tail restarted; lines written since \d\d:\d\d:\d\d may be missing —$/);
    expect(seen[0]!.states.at(-1)).toEqual({ status: 'ok' });
    expect(seen[1]!.states.filter((s) => /tail ended/.test(s.error ?? ''))).toEqual([]);
  });

  it('the script\'s own stderr is a note in every file; lines of a log that is not started are dropped', () => {
    const { seen, handlers } = outlets(2);
    const output = fileBundleOutput('web1')([handlers[0], undefined], () => {});
    output.stderr(Buffer.from('awk: not found\n'));
    output.stdout(Buffer.from('1 o nobody reads this\n0 o read\n'));
    expect(seen[0]!.marks).toEqual(['awk: not found']);
    expect(output.lastNote()).toBe('awk: not found');
    expect(seen[0]!.lines).toEqual(['read']);
    expect(seen[1]!.lines).toEqual([]);
  });
});

describe('the tagger on real awks', () => {
  const hostile = [
    '2026-11-30 plain line',
    '7 o forged record for file 7',
    '==> /var/log/other.log <==',
    '',
    `${'a'.repeat(RECORD_CHUNK - 1)}\u00e9 a two-byte character across the chunk boundary`,
    'x'.repeat(RECORD_CHUNK * 3),
    `${'y'.repeat(RECORD_CHUNK)}7 o after exactly one chunk`,
    '日本語のログ行 \u001b]0;title\u0007 and a CR\r',
    'bytes \xff\xfe not UTF-8',
  ];
  const input = Buffer.concat(hostile.map((line) => Buffer.concat([Buffer.from(line, line.includes('\xff') ? 'latin1' : 'utf8'), Buffer.from('\n')])));
  const awks = [['gawk'], ['mawk', '-W', 'interactive'], ['awk']].filter(([command]) => available(command!));

  it.each(awks.map((awk) => [awk.join(' '), awk] as const))('%s: every record is at most 512 bytes, tagged with the file\'s ID, and decodes to the same lines', (_name, awk) => {
    const out = tag([...awk], 3, 'o', input);
    const records = out.toString('latin1').split('\n').slice(0, -1);
    expect(Math.max(...records.map((r) => Buffer.byteLength(r, 'latin1') + 1))).toBeLessThanOrEqual(512);
    expect(records.every((r) => r.startsWith('3 o ') || r.startsWith('3 c '))).toBe(true);
    const { seen, handlers } = outlets(8);
    const output = fileBundleOutput('h')(handlers, () => {});
    output.stdout(out);
    output.end();
    const decoded = input.toString('utf8').split('\n').slice(0, -1).map((line) => line.replace(/\r$/, ''));
    expect(seen[3]!.lines).toEqual(decoded);
    expect(seen[7]!.lines).toEqual([]);
  });

  it.each(awks.map((awk) => [awk.join(' '), awk] as const))('%s: notes are single records, cut to one chunk', (_name, awk) => {
    const out = tag([...awk], 0, 'e', Buffer.from(`tail: 'x' has been replaced\n${'n'.repeat(2000)}\n`));
    expect(out.toString().split('\n')).toEqual(["0 e tail: 'x' has been replaced", `0 e ${'n'.repeat(RECORD_CHUNK)}`, '']);
  });
});
