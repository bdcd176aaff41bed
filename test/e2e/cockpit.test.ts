// End to end: the built CLI in a real pseudo-terminal (tmux), reading the screen like an operator.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * The cockpit in tmux: through the launcher, or straight on this Node with `nodeOptions`; `path`
 * replaces its PATH (to hide programs such as journalctl from it).
 */
function start(configText: string | null, columns: number, rows: number, options: { nodeOptions?: string; path?: string } = {}): { term: TmuxTerminal; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-'));
  dirs.push(dir);
  const config = configText === null ? '' : `--config ${join(dir, 'config.yaml')}`;
  if (configText !== null) writeFileSync(join(dir, 'config.yaml'), configText.replaceAll('$DIR', dir));
  // XDG_CONFIG_HOME points nowhere so a developer's own config does not leak into the test.
  const direct = options.nodeOptions !== undefined || options.path !== undefined;
  const program = direct ? `${process.execPath} ${options.nodeOptions ?? ''} ${CLI}` : LAUNCHER;
  const path = options.path === undefined ? '' : `PATH=${options.path} `;
  const command = `printf 'shell before opsdeck\\n'; ${path}XDG_CONFIG_HOME=${dir}/xdg OPSDECK_CONFIG= ${program} ${config}`;
  const term = new TmuxTerminal(command, columns, rows, join(dir, 'exit-code'));
  terminals.push(term);
  return { term, dir };
}

describe('opsdeck in a real terminal', () => {
  it('shows this machine\'s real figures and a live log tail, opens help, and quits restoring the screen', async () => {
    const { term, dir } = start(`refresh: 1s\nhosts:\n  local:\n    local: true\n    logs: [{file: $DIR/app.log}]\n`, 200, 50);
    writeFileSync(join(dir, 'app.log'), 'INFO opsdeck e2e boot\n');
    const screen = await term.waitForScreen((s) => /CPU\s+\d+\.\d%/.test(s) && /MEM\s+\d+\.\d%/.test(s) && s.includes('opsdeck e2e boot'), 'CPU, memory and the log tail', 30_000);
    expect(screen).toMatch(/load \d+\.\d\d \d+\.\d\d \d+\.\d\d/);
    expect(screen).toMatch(/ \/\s+█*░*\s+\d+%/);
    expect(screen).not.toContain('shell before opsdeck');

    appendFileSync(join(dir, 'app.log'), 'ERROR payment gateway timeout\n');
    await term.waitForScreen((s) => s.includes('ERROR payment gateway timeout'), 'a line appended while running');

    term.keys('?');
    await term.waitForScreen((s) => s.includes('opsdeck help'), 'the help overlay');
    term.keys('Escape');
    await term.waitForScreen((s) => !s.includes('opsdeck help') && s.includes('Hosts'), 'help to close');

    term.keys('q');
    expect(await term.exitCode()).toBe(0);
    const after = await term.waitForScreen((s) => s.includes('shell before opsdeck'), 'the shell screen restored');
    expect(after).not.toContain('Hosts');
  });

  it('fits 80x24, follows a resize to 200x50, and quits on Ctrl-C with exit 0, the screen and cursor restored', async () => {
    const { term } = start(null, 80, 24);
    const small = await term.waitForScreen((s) => s.includes('╭─ Hosts') && /CPU\s+\d/.test(s), 'the cockpit at 80x24', 30_000);
    expect(small.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(term.modes()).toEqual({ alternateScreen: true, cursorVisible: false });
    term.resize(200, 50);
    await term.waitForScreen((s) => s.includes('╭─ Logs') && s.includes('╭─ Events') && s.includes('╭─ Services'), 'the grid after resizing to 200x50');
    term.keys('C-c');
    expect(await term.exitCode()).toBe(0);
    const after = await term.waitForScreen((s) => s.includes('shell before opsdeck'), 'the shell screen restored');
    expect(after).not.toContain('╭─ Hosts');
    expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
  });

  it('says how to add a log source when the machine has no system log', async () => {
    // No journalctl on its PATH, and this machine has neither /var/log/syslog nor /var/log/messages.
    const { term } = start('hosts:\n  local: {local: true}\n', 200, 50, { path: '/nonexistent' });
    const screen = await term.waitForScreen((s) => s.includes('No system log found on local'), 'the no-system-log hint', 30_000);
    const text = screen.replace(/[│\s]+/g, ' ');
    expect(text).toContain('No system log found on local (no journal entries, no /var/log/syslog or /var/log/messages). Add one to the config: hosts: {local: {local: true, logs: [{file: /var/log/app.log}]}}');
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });

  it('restores the terminal and reports the error when it crashes', async () => {
    // An exception thrown from a handler inside the running process, as a bug in a collector would.
    const crash = `--import 'data:text/javascript,process.on("SIGUSR2", () => setTimeout(() => { throw new Error("collector bug") }))'`;
    const { term } = start(null, 100, 30, { nodeOptions: crash });
    await term.waitForScreen((s) => s.includes('╭─ Hosts'), 'the cockpit before the crash', 30_000);
    // Only the node process: its command line starts with the node binary (the shell around it must live on).
    execFileSync('pkill', ['-USR2', '-f', '^[^ ]*/node --import .*collector bug']);
    expect(await term.exitCode()).toBe(70);
    const after = await term.waitForScreen((s) => s.includes('opsdeck crashed: Error: collector bug'), 'the crash report on the restored screen');
    expect(after).toContain('shell before opsdeck');
    expect(after).not.toContain('╭─ Hosts');
  });
});
