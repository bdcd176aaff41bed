// The local file follower against real files, as `tail -F` follows them: rotation, truncation, a file
// that appears late, a burst written a line at a time.
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import { LocalFileFollower } from '../../src/services/logs/file-follower.js';
import { waitFor } from '../helpers/wait.js';

interface Followed {
  follower: LocalFileFollower;
  texts: () => string[];
  states: { status: string; error?: string }[];
}

const running: LocalFileFollower[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const f of running.splice(0)) f.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-logs-'));
  dirs.push(dir);
  return dir;
}

function follow(path: string): Followed {
  const buffer = new LogBuffer(10_000, 2000);
  const states: Followed['states'] = [];
  const follower = new LocalFileFollower('t', { kind: 'file', path, label: path });
  running.push(follower);
  follower.start({ line: (t) => buffer.append(t), mark: (t) => buffer.mark(t), state: (status, error) => states.push({ status, error }) });
  let lines: string[] = [];
  return {
    follower,
    states,
    texts: () => {
      const snapshot = buffer.takeSnapshot();
      if (snapshot) lines = [...snapshot].map((l) => l.text);
      return lines;
    },
  };
}

describe('following a log file like tail -F', () => {
  it('shows the existing tail, then keeps following after the file is rotated (renamed and recreated)', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'boot 1\nboot 2\n');
    const f = follow(log);
    await waitFor('the existing lines', () => f.texts().includes('boot 2'));

    appendFileSync(log, 'before rotation\n');
    await waitFor('a line appended before rotation', () => f.texts().includes('before rotation'));

    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    appendFileSync(log, 'after rotation\n');
    await waitFor('the first line of the new file', () => f.texts().includes('after rotation'));
    appendFileSync(log, 'still following\n');
    await waitFor('a later line of the new file', () => f.texts().includes('still following'));
    expect(f.texts().some((t) => /replaced|following new file/.test(t))).toBe(true);
  });

  it('says when the file is deleted, reads on what its writer still writes, and follows the path once it is back', async () => {
    const dir = tempDir();
    const log = join(dir, 'worker.log');
    writeFileSync(log, 'ready\n');
    const f = follow(log);
    await waitFor('the existing line', () => f.texts().includes('ready'));
    const writer = openSync(log, 'a');
    try {
      rmSync(log);
      await waitFor('the error state', () => f.states.at(-1)?.status === 'error');
      expect(f.states.at(-1)?.error).toBe(`'${log}' has become inaccessible: No such file or directory`);
      expect(f.texts().filter((t) => t.includes('has become inaccessible'))).toHaveLength(1);
      writeSync(writer, 'written to the deleted file\n');
      await waitFor('the line its writer still wrote', () => f.texts().includes('written to the deleted file'));
    } finally {
      closeSync(writer);
    }
    writeFileSync(log, 'a new file\n');
    await waitFor('the new file followed', () => f.texts().includes('a new file'));
    expect(f.states.at(-1)?.status).toBe('ok');
  });

  it('keeps following a file that is truncated in place (copytruncate)', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, `${'x'.repeat(200)}\nold line\n`);
    const f = follow(log);
    await waitFor('the existing lines', () => f.texts().includes('old line'));

    truncateSync(log, 0);
    // A shrink is noticed at the next check of the path; give it a write that is shorter than before.
    await new Promise((r) => setTimeout(r, 1200));
    appendFileSync(log, 'after truncate\n');
    await waitFor('the line written after truncation', () => f.texts().includes('after truncate'));
    expect(f.texts().some((t) => /truncated/.test(t))).toBe(true);
  });

  it.each([
    ['missing', 'No such file or directory', () => {}],
    ['a directory', 'Is a directory', (path: string) => mkdirSync(path)],
  ])('says why a file that is %s cannot be followed, and follows it once it is there', async (_, why, put) => {
    const dir = tempDir();
    const log = join(dir, 'late.log');
    put(log);
    const f = follow(log);
    await waitFor('an error state', () => f.states.find((s) => s.status === 'error'));
    expect(f.states.find((s) => s.status === 'error')?.error).toBe(`cannot open '${log}' for reading: ${why}`);

    rmSync(log, { recursive: true, force: true });
    writeFileSync(log, 'finally here\n');
    await waitFor('the first line once the file exists', () => f.texts().includes('finally here'));
    expect(f.states.at(-1)?.status).toBe('ok');
  });

  it('shows the last 200 lines of a long file of long lines already there, the first of them whole', async () => {
    const dir = tempDir();
    const log = join(dir, 'long.log');
    writeFileSync(log, Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${'y'.repeat(i % 1900)}`).join('\n') + '\n');
    const f = follow(log);
    const texts = await waitFor('the backlog', () => (f.texts().length > 0 ? f.texts() : undefined));
    expect(texts).toHaveLength(200);
    expect(texts[0]).toBe(`line 4801 ${'y'.repeat(4800 % 1900)}`);
    expect(texts.at(-1)).toBe(`line 5000 ${'y'.repeat(4999 % 1900)}`);
  });

  it('takes a burst written a line at a time whole and in order, a line split over two writes as one line', async () => {
    const dir = tempDir();
    const log = join(dir, 'busy.log');
    writeFileSync(log, '');
    const f = follow(log);
    await waitFor('the follower to start', () => f.states.at(-1)?.status === 'ok');
    for (let i = 1; i <= 3000; i++) appendFileSync(log, `request ${i}\n`);
    appendFileSync(log, 'a line written ');
    await new Promise((r) => setTimeout(r, 200));
    appendFileSync(log, 'in two writes\n');
    const texts = await waitFor('the last line', () => (f.texts().includes('a line written in two writes') ? f.texts() : undefined));
    expect(texts).toEqual([...Array.from({ length: 3000 }, (_, i) => `request ${i + 1}`), 'a line written in two writes']);
  });

  it('picks a file up again when it is written after a quiet while', async () => {
    const dir = tempDir();
    const log = join(dir, 'quiet.log');
    writeFileSync(log, 'first\n');
    const f = follow(log);
    await waitFor('the first line', () => f.texts().includes('first'));
    await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(log, 'after a quiet while\n');
    await waitFor('the line written after the quiet while', () => f.texts().includes('after a quiet while'));
  });

  it('started again at once shows the last lines once, and after stop shows nothing more', async () => {
    const dir = tempDir();
    const log = join(dir, 'restart.log');
    writeFileSync(log, 'old 1\nold 2\n');
    const first: string[] = [];
    const second: string[] = [];
    const follower = new LocalFileFollower('t', { kind: 'file', path: log, label: log });
    running.push(follower);
    const handlers = (into: string[]) => ({ line: (t: string) => into.push(t), mark: () => {}, state: () => {} });
    follower.start(handlers(first));
    follower.start(handlers(second));
    appendFileSync(log, 'new 1\n');
    await waitFor('the appended line', () => second.includes('new 1'));
    expect(second).toEqual(['old 1', 'old 2', 'new 1']);
    expect(first).toEqual([]);

    follower.stop();
    appendFileSync(log, 'after stop\n');
    await new Promise((r) => setTimeout(r, 1500));
    expect(second).toEqual(['old 1', 'old 2', 'new 1']);
  });

  it('never lets escape sequences from the file through', async () => {
    const dir = tempDir();
    const log = join(dir, 'hostile.log');
    writeFileSync(log, 'title \u001b]0;pwned\u0007 clear \u001b[2J red \u001b[31mERROR\u001b[0m\n');
    const f = follow(log);
    const line = await waitFor('the hostile line', () => f.texts().find((t) => t.includes('title')));
    expect(line).toBe('title  clear  red ERROR');
  });
});
