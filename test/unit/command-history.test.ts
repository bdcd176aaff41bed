// The `:` history file: bounded, newest last, replaced whole by a rename, shared by two cockpits.
import { mkdtempSync, openSync, readFileSync, readdirSync, readSync, rmSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandHistory, commandHistoryPath } from '../../src/services/command-history.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-history-'));
  dirs.push(dir);
  return dir;
}

describe('command history', () => {
  it('lives under $XDG_STATE_HOME/opsdeck, else ~/.local/state/opsdeck', () => {
    expect(commandHistoryPath({ XDG_STATE_HOME: '/srv/state', HOME: '/home/a' })).toBe('/srv/state/opsdeck/history');
    expect(commandHistoryPath({ HOME: '/home/a' })).toBe('/home/a/.local/state/opsdeck/history');
    // The XDG spec ignores a relative path.
    expect(commandHistoryPath({ XDG_STATE_HOME: 'state', HOME: '/home/a' })).toBe('/home/a/.local/state/opsdeck/history');
  });

  it('creates its directory, keeps the newest lines up to the bound, a repeated line once, and is private', async () => {
    const path = join(temp(), 'state', 'opsdeck', 'history');
    const history = commandHistory(5, path);
    expect(history.load()).toEqual([]);
    for (const line of ['host web-1', 'refresh 5s', 'refresh 5s', 'pane logs', 'group web', 'filter nginx', 'host db-1']) await history.append(line);
    expect(readFileSync(path, 'utf8')).toBe('refresh 5s\npane logs\ngroup web\nfilter nginx\nhost db-1\n');
    expect(commandHistory(5, path).load()).toEqual(['refresh 5s', 'pane logs', 'group web', 'filter nginx', 'host db-1']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces the file by a rename: a reader holding the old file reads it whole, and no temporary is left', async () => {
    const dir = temp();
    const path = join(dir, 'history');
    writeFileSync(path, 'host web-1\n');
    const held = openSync(path, 'r');
    try {
      await commandHistory(500, path).append('refresh 5s');
      const buffer = Buffer.alloc(100);
      const read = readSync(held, buffer, 0, 100, 0);
      expect(buffer.subarray(0, read).toString()).toBe('host web-1\n');
    } finally {
      closeSync(held);
    }
    expect(readFileSync(path, 'utf8')).toBe('host web-1\nrefresh 5s\n');
    expect(readdirSync(dir)).toEqual(['history']);
  });

  it('keeps the lines of two cockpits in turn; two writes in the same instant leave a whole file', async () => {
    const path = join(temp(), 'history');
    const one = commandHistory(500, path);
    const two = commandHistory(500, path);
    await one.append('host web-1');
    await two.append('host db-1');
    await one.append('pane logs');
    expect(two.load()).toEqual(['host web-1', 'host db-1', 'pane logs']);
    await Promise.all([one.append('group web'), two.append('group db')]);
    const last = one.load();
    expect(last.slice(0, 3)).toEqual(['host web-1', 'host db-1', 'pane logs']);
    expect([['group web'], ['group db'], ['group web', 'group db'], ['group db', 'group web']]).toContainEqual(last.slice(3));
    expect(readdirSync(join(path, '..'))).toEqual(['history']);
  });

  it('gives a terminal no escape sequence back from the file', () => {
    const path = join(temp(), 'history');
    writeFileSync(path, 'host web-1\n\u001b]0;owned\u0007pane logs\n\n');
    expect(commandHistory(500, path).load()).toEqual(['host web-1', 'pane logs']);
  });

  it('rejects a write it could not make, and the next write still happens', async () => {
    const dir = temp();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const broken = commandHistory(500, join(blocker, 'history'));
    await expect(broken.append('host web-1')).rejects.toThrow(/ENOTDIR/);
    const path = join(dir, 'history');
    const history = commandHistory(500, path);
    await expect(history.append('x')).resolves.toBeUndefined();
  });
});
