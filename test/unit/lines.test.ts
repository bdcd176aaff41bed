import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/services/logs/lines.js';

function splitter(maxPending?: number): { lines: string[]; split: LineSplitter } {
  const lines: string[] = [];
  const split = maxPending === undefined ? new LineSplitter((l) => lines.push(l)) : new LineSplitter((l) => lines.push(l), maxPending);
  return { lines, split };
}

describe('LineSplitter', () => {
  it('splits a chunk into lines and holds the unfinished one', () => {
    const { lines, split } = splitter();
    split.push(Buffer.from('GET /health 200\nGET /api 50'));
    expect(lines).toEqual(['GET /health 200']);
    split.push(Buffer.from('2\n'));
    expect(lines).toEqual(['GET /health 200', 'GET /api 502']);
  });

  it('keeps a multi-byte character whole when a chunk boundary falls inside it', () => {
    const { lines, split } = splitter();
    const bytes = Buffer.from('起動完了 ✓ café\n', 'utf8');
    // Split at every byte: each character spans several chunks.
    for (const byte of bytes) split.push(Buffer.from([byte]));
    expect(lines).toEqual(['起動完了 ✓ café']);
  });

  it('keeps a 4-byte emoji whole across chunks', () => {
    const { lines, split } = splitter();
    const bytes = Buffer.from('deploy 🚀 done\n', 'utf8');
    const cut = bytes.indexOf(0xf0) + 2;
    split.push(bytes.subarray(0, cut));
    split.push(bytes.subarray(cut));
    expect(lines).toEqual(['deploy 🚀 done']);
  });

  it('strips CRLF line endings, also when \\r and \\n arrive in different chunks', () => {
    const { lines, split } = splitter();
    split.push(Buffer.from('one\r\ntwo\r'));
    split.push(Buffer.from('\nthree\r\n'));
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('keeps empty lines', () => {
    const { lines, split } = splitter();
    split.push('a\n\nb\n');
    expect(lines).toEqual(['a', '', 'b']);
  });

  it('end() flushes a trailing line without a newline', () => {
    const { lines, split } = splitter();
    split.push(Buffer.from('last words'));
    expect(lines).toEqual([]);
    split.end();
    expect(lines).toEqual(['last words']);
  });

  it('end() flushes nothing when the stream ended on a newline', () => {
    const { lines, split } = splitter();
    split.push(Buffer.from('done\n'));
    split.end();
    expect(lines).toEqual(['done']);
  });

  it('end() shows a truncated multi-byte character as a replacement, not as nothing', () => {
    const { lines, split } = splitter();
    split.push(Buffer.from([0x61, 0xe3, 0x81]));
    split.end();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith('a')).toBe(true);
    expect(lines[0]).toContain('\ufffd');
  });

  it('a line that never ends is emitted once it passes maxPending, then the rest up to its newline is dropped', () => {
    const { lines, split } = splitter(10);
    split.push(Buffer.from('a'.repeat(6)));
    split.push(Buffer.from('a'.repeat(6)));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith('aaaaaaaaaa')).toBe(true);
    split.push(Buffer.from('b'.repeat(30)));
    split.push(Buffer.from('b'.repeat(30)));
    split.push(Buffer.from('bbb\nnext line\n'));
    expect(lines.slice(1)).toEqual(['next line']);
  });

  it('the piece emitted for a runaway line is cut to maxPending', () => {
    const { lines, split } = splitter(10);
    split.push(Buffer.from('x'.repeat(1000)));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThanOrEqual(10);
    expect(lines[0]).toBe('x'.repeat(10));
  });

  it('resumes normal splitting after a dropped runaway line ends', () => {
    const { lines, split } = splitter(8);
    split.push('0123456789abcdef');
    split.push('ghij\nok\n');
    expect(lines.slice(1)).toEqual(['ok']);
  });

  it('end() after a runaway line does not emit its dropped tail', () => {
    const { lines, split } = splitter(8);
    split.push('0123456789');
    split.push('tail-of-the-same-line');
    split.end();
    expect(lines).toHaveLength(1);
  });

  it('holds lines shorter than maxPending across many chunks without cutting them', () => {
    const { lines, split } = splitter(100);
    for (let i = 0; i < 9; i++) split.push('abcdefghij');
    split.push('\n');
    expect(lines).toEqual(['abcdefghij'.repeat(9)]);
  });
});
