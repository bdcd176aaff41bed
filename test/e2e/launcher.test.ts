// Issue 15, fault 4: bin/opsdeck waits for the runtime, so a death the runtime cannot catch (SIGSEGV,
// SIGKILL, the OOM killer) still leaves a usable terminal: normal screen, visible cursor, sane tty
// modes, and one line saying how opsdeck ended. Signals sent to the launcher reach the runtime's own
// quit path. Read through tmux, as the operator's terminal would show it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { childOf } from '../harness/processes.js';

const terminals: TmuxTerminal[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The cockpit through the launcher; after it ends the pane's tty settings are saved for the test. */
async function cockpit(): Promise<{ term: TmuxTerminal; dir: string; launcher: number; runtime: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-launcher-'));
  dirs.push(dir);
  const command = `printf 'shell before opsdeck\\n'; XDG_CONFIG_HOME=${dir}/xdg OPSDECK_CONFIG= ${LAUNCHER} --config ${dir}/config.yaml; code=$?; stty -a > ${dir}/stty; (exit $code)`;
  writeFileSync(join(dir, 'config.yaml'), 'hosts:\n  local: {local: true, logs: []}\ndatabases: {}\n');
  const term = new TmuxTerminal(command, 120, 30, join(dir, 'exit-code'));
  terminals.push(term);
  await term.waitForScreen((s) => s.includes('╭─ Hosts') && /CPU\s+\d/.test(s), 'the cockpit', 30_000);
  const launcher = await waitFor('the launcher in the pane', () => childOf(term.panePid(), 'bin/opsdeck'));
  return { term, dir, launcher, runtime: await waitFor('the runtime under the launcher', () => childOf(launcher, 'dist/main.js')) };
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('bin/opsdeck', () => {
  it.each([
    ['SIGSEGV', 139, /The runtime crashed/],
    ['SIGKILL', 137, /OOM killer/],
  ] as const)('the runtime killed by %s: normal screen, visible cursor, sane tty, one line saying so', { timeout: 90_000 }, async (signal, status, why) => {
    const { term, dir, runtime } = await cockpit();
    expect(term.modes()).toEqual({ alternateScreen: true, cursorVisible: false });
    process.kill(runtime, signal);
    expect(await term.exitCode(20_000)).toBe(status);
    const screen = await term.waitForScreen((s) => s.includes('opsdeck ended by'), 'the note line');
    expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
    expect(screen.replace(/\n/g, '')).toMatch(new RegExp(`opsdeck ended by ${signal} \\(exit status ${status}\\), not a clean exit; the launcher restored the terminal\\.`));
    expect(screen.replace(/\n/g, '')).toMatch(why);
    expect(screen).toContain('shell before opsdeck');
    expect(screen).not.toContain('╭─ Hosts');
    // ink had the tty in raw mode: no echo, no line editing, until the launcher's stty sane.
    const stty = readFileSync(join(dir, 'stty'), 'utf8');
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  });

  it('q still exits 0 through the launcher, with no note', { timeout: 90_000 }, async () => {
    const { term } = await cockpit();
    term.keys('q');
    expect(await term.exitCode(20_000)).toBe(0);
    const screen = await term.waitForScreen((s) => s.includes('shell before opsdeck'), 'the shell screen');
    expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
    expect(screen).not.toContain('opsdeck ended by');
  });

  it.each([
    ['SIGTERM', 'the launcher'],
    ['SIGINT', 'the launcher'],
    ['SIGTERM', 'the runtime itself'],
  ] as const)('%s to %s: the runtime quits cleanly, exit 0, terminal restored', { timeout: 90_000 }, async (signal, to) => {
    const { term, launcher, runtime } = await cockpit();
    expect(term.modes()).toEqual({ alternateScreen: true, cursorVisible: false });
    process.kill(to === 'the launcher' ? launcher : runtime, signal);
    expect(await term.exitCode(20_000)).toBe(0);
    await waitFor('the runtime to end', () => gone(runtime));
    const screen = await term.waitForScreen((s) => s.includes('shell before opsdeck'), 'the shell screen');
    expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
    expect(screen).not.toContain('opsdeck ended by');
    expect(screen).not.toContain('╭─ Hosts');
  });
});

describe('bin/opsdeck snapshot', () => {
  it('Ctrl-C ends it as usual: exit 130 and no note (it never took over the screen)', { timeout: 60_000 }, async () => {
    // An SSH host that accepts and never answers keeps the snapshot busy long enough to interrupt it.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-launcher-'));
    dirs.push(dir);
    try {
      writeFileSync(join(dir, 'config.yaml'), `hosts:\n  mute: {ssh: "nobody@127.0.0.1:${(silent.address() as { port: number }).port}", logs: []}\ndatabases: {}\n`);
      const term = new TmuxTerminal(`printf 'shell before opsdeck\\n'; XDG_CONFIG_HOME=${dir}/xdg OPSDECK_CONFIG= ${LAUNCHER} snapshot --config ${dir}/config.yaml`, 120, 30, join(dir, 'exit-code'));
      terminals.push(term);
      await waitFor('the snapshot to reach the host', () => held.length > 0, 30_000);
      term.keys('C-c');
      expect(await term.exitCode(20_000)).toBe(130);
      expect(term.screen()).not.toContain('opsdeck ended by');
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});
