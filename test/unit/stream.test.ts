import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { followCommand, INITIAL_LINES, interpretFollowerNote } from '../../src/services/logs/stream.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

describe('followCommand', () => {
  it('follows a file by name with tail -F (survives rotation and truncation)', () => {
    const [cmd, args] = followCommand({ kind: 'file', path: '/var/log/nginx/error.log', label: 'nginx' });
    expect(cmd).toBe('tail');
    expect(args).toContain('-F');
    expect(args.at(-1)).toBe('/var/log/nginx/error.log');
  });

  it('asks for the last INITIAL_LINES lines by default and none when resuming after a gap', () => {
    const source = { kind: 'file' as const, path: '/var/log/syslog', label: 'syslog' };
    const [, first] = followCommand(source);
    expect(first[first.indexOf('-n') + 1]).toBe(String(INITIAL_LINES));
    const [, resumed] = followCommand(source, 0);
    expect(resumed[resumed.indexOf('-n') + 1]).toBe('0');
  });

  it('puts a path that starts with "-" after "--", so tail cannot read it as an option', () => {
    const [, args] = followCommand({ kind: 'file', path: '-n999999', label: 'odd' });
    const dashDash = args.indexOf('--');
    expect(dashDash).toBeGreaterThanOrEqual(0);
    expect(args.indexOf('-n999999')).toBe(dashDash + 1);
    expect(args.filter((a) => a === '-n999999')).toHaveLength(1);
  });

  it('keeps a hostile path as one argv element', () => {
    const path = '/tmp/x; rm -rf /';
    const [, args] = followCommand({ kind: 'file', path, label: 'x' });
    expect(args.filter((a) => a === path)).toHaveLength(1);
    expect(args).not.toContain('rm');
    expect(args).not.toContain('-rf');
  });

  it('follows one unit of the journal with -u, or the whole journal for an empty unit', () => {
    const [cmd, unitArgs] = followCommand({ kind: 'journal', unit: 'garden-backend.service', label: 'journal:garden-backend' });
    expect(cmd).toBe('journalctl');
    expect(unitArgs).toContain('-f');
    expect(unitArgs).toContain('--no-pager');
    expect(unitArgs[unitArgs.indexOf('-u') + 1]).toBe('garden-backend.service');
    const [, allArgs] = followCommand({ kind: 'journal', unit: '', label: 'journal' });
    expect(allArgs).not.toContain('-u');
    expect(allArgs).not.toContain('');
  });

  describe('run for real', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('tail reads a file whose name is an option and a shell command, and nothing else happens', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-follow-'));
      dir = tmp;
      const canary = join(tmp, 'canary');
      writeFileSync(canary, 'alive');
      // No "/" in a file name; the commands would act on the cwd, which is the temp dir.
      const name = '-n1; rm -f canary; $(touch pwned) `touch pwned`';
      writeFileSync(join(tmp, name), 'line one\nline two\n');
      const [cmd, args] = followCommand({ kind: 'file', path: name, label: 'hostile' }, 5);
      const child = spawn(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tail printed ${JSON.stringify(out)}, stderr ${JSON.stringify(err)}`)), 5000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('line two\n')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      try {
        await seen;
      } finally {
        child.kill();
      }
      expect(out).toBe('line one\nline two\n');
      expect(readFileSync(canary, 'utf8')).toBe('alive');
      expect(() => readFileSync(join(tmp, 'pwned'))).toThrow();
    });
  });
});

describe('interpretFollowerNote on GNU tail 9.1 stderr (test/fixtures/tail-notes.txt)', () => {
  const notes = readFileSync(join(FIXTURES, 'tail-notes.txt'), 'utf8').split('\n').filter((l) => l !== '');

  // The captured run, in order (see test/fixtures/README.md).
  const expected = [
    'missing', // renamed away: has become inaccessible
    'resumed', // recreated: has appeared
    'resumed', // truncated
    'resumed', // rewritten shorter: truncated
    'missing', // deleted
    'resumed', // recreated
    'missing', // not there at start: cannot open
    'resumed', // created: has appeared
    'resumed', // rotated under tail: has been replaced
    'missing', // Permission denied
  ];

  it('the fixture holds the captured notes', () => {
    expect(notes).toHaveLength(expected.length);
  });

  it.each(expected.map((kind, i) => [i, kind] as const))('note %i is %s', (i, kind) => {
    expect(interpretFollowerNote(notes[i]!).kind).toBe(kind);
  });

  it('drops the "tail: " prefix and keeps the file name for the marker text', () => {
    for (const note of notes) {
      const { text } = interpretFollowerNote(note);
      expect(text.startsWith('tail:')).toBe(false);
      expect(text).toMatch(/\/tmp\/tmp\.\w+\/(app|locked)\.log/);
    }
  });

  it('a note it does not know is "other", text kept', () => {
    const note = 'tail: inotify cannot be used, reverting to polling';
    expect(interpretFollowerNote(note)).toEqual({ kind: 'other', text: 'inotify cannot be used, reverting to polling' });
  });
});
