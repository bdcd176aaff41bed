// The `:` history across runs, as an operator meets it: typed in one cockpit, walked with Up and
// Down in the next, from $XDG_STATE_HOME/opsdeck/history.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
let dir = '';
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cockpit(run: string): TmuxTerminal {
  const command = `XDG_CONFIG_HOME=${dir}/xdg XDG_STATE_HOME=${dir}/state OPSDECK_CONFIG= ${LAUNCHER} --config ${join(dir, 'config.yaml')}`;
  const term = new TmuxTerminal(command, 80, 24, join(dir, `exit-${run}`));
  terminals.push(term);
  return term;
}

const promptLine = (screen: string) => screen.split('\n').find((l) => l.startsWith(':')) ?? '';

describe('the : command history', () => {
  it('is kept under $XDG_STATE_HOME/opsdeck/ and walked with Up and Down in the next run', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-history-'));
    writeFileSync(join(dir, 'config.yaml'), 'hosts:\n  local: {local: true}\ndatabases: {}\n');
    const first = cockpit('1');
    await first.waitForScreen((s) => s.includes('╭─ Hosts'), 'the first cockpit');
    for (const line of ['refresh 5s', 'pane logs']) {
      first.keys(':');
      await first.waitForScreen((s) => promptLine(s).includes('Tab complete'), 'the : line');
      first.keys('-l', line);
      first.keys('Enter');
      await first.waitForScreen((s) => !promptLine(s).includes('Tab complete'), `${line} to run`);
    }
    first.keys('q');
    expect(await first.exitCode()).toBe(0);
    expect(readFileSync(join(dir, 'state', 'opsdeck', 'history'), 'utf8')).toBe('refresh 5s\npane logs\n');

    const second = cockpit('2');
    await second.waitForScreen((s) => s.includes('╭─ Hosts'), 'the second cockpit');
    second.keys(':');
    await second.waitForScreen((s) => promptLine(s).includes('Tab complete'), 'the : line');
    second.keys('Up');
    await second.waitForScreen((s) => promptLine(s).startsWith(':pane logs'), 'the newest line first');
    second.keys('Up');
    await second.waitForScreen((s) => promptLine(s).startsWith(':refresh 5s'), 'the line before it');
    second.keys('Down');
    await second.waitForScreen((s) => promptLine(s).startsWith(':pane logs'), 'Down back to the newest');
    second.keys('Enter');
    await second.waitForScreen((s) => s.includes('╭─ Logs') && !promptLine(s).includes('Tab complete'), 'the recalled command to run');
    second.keys('q');
    expect(await second.exitCode()).toBe(0);
    // Run again: a repeat of the newest line is kept once.
    expect(readFileSync(join(dir, 'state', 'opsdeck', 'history'), 'utf8')).toBe('refresh 5s\npane logs\n');
  });
});
