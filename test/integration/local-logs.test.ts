// The local log follower against real files and GNU tail: rotation, truncation, a file that appears late.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import { LocalLogFollower } from '../../src/services/logs/local-follower.js';
import { waitFor } from '../helpers/wait.js';

interface Followed {
  follower: LocalLogFollower;
  texts: () => string[];
  states: { status: string; error?: string }[];
}

const running: LocalLogFollower[] = [];
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
  const follower = new LocalLogFollower('t', { kind: 'file', path, label: path });
  running.push(follower);
  follower.start({ line: (t) => buffer.append(t), mark: (t) => buffer.mark(t), state: (status, error) => states.push({ status, error }) });
  let lines: string[] = [];
  return {
    follower,
    states,
    texts: () => {
      const snapshot = buffer.takeSnapshot();
      if (snapshot) lines = snapshot.map((l) => l.text);
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

  it('keeps following a file that is truncated in place (copytruncate)', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, `${'x'.repeat(200)}\nold line\n`);
    const f = follow(log);
    await waitFor('the existing lines', () => f.texts().includes('old line'));

    truncateSync(log, 0);
    // tail notices a shrink on its next poll; give it a write that is shorter than before.
    await new Promise((r) => setTimeout(r, 1200));
    appendFileSync(log, 'after truncate\n');
    await waitFor('the line written after truncation', () => f.texts().includes('after truncate'));
    expect(f.texts().some((t) => /truncated/.test(t))).toBe(true);
  });

  it('reports a missing file as an error, and follows it once it appears', async () => {
    const dir = tempDir();
    const log = join(dir, 'late.log');
    const f = follow(log);
    await waitFor('an error state for the missing file', () => f.states.find((s) => s.status === 'error'));
    expect(f.states.find((s) => s.status === 'error')?.error).toMatch(/cannot open|No such file/);

    writeFileSync(log, 'finally here\n');
    await waitFor('the first line once the file exists', () => f.texts().includes('finally here'));
    expect(f.states.at(-1)?.status).toBe('ok');
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
