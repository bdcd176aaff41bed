// Colour as users set it, in a real terminal: NO_COLOR leaves no colour escape on the screen tmux
// holds, and ok, warn, crit and down are still told apart by their marks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { colourSequences } from '../helpers/screen.js';
import { TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Levels a loaded test machine cannot move: the real PostgreSQL watched three times with connection
// thresholds it is always below (ok), always past warn, always past crit (its cache hit ratio left
// unjudged), a fourth on a port nothing listens on (down); and an SSH host nobody answers for (down).
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const CONFIG = `refresh: 1s
hold: 1
hosts:
  box: {local: true, services: [], logs: []}
  gone: {ssh: 'opsdeck@127.0.0.1:1', services: [], logs: []}
databases:
  pg-ok: {postgres: '${PG}', thresholds: {connections: {warn: 100, crit: 100}, cacheHit: {warn: 0, crit: 0}}}
  pg-warn: {postgres: '${PG}', thresholds: {connections: {warn: 0, crit: 100}, cacheHit: {warn: 0, crit: 0}}}
  pg-crit: {postgres: '${PG}', thresholds: {connections: {warn: 0, crit: 0}, cacheHit: {warn: 0, crit: 0}}}
  pg-gone: {postgres: 'postgres://postgres@127.0.0.1:1/test'}
`;

function start(env: string, args = ''): TmuxTerminal {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-colour-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.yaml'), CONFIG);
  const term = new TmuxTerminal(`env -u NO_COLOR -u FORCE_COLOR ${env} XDG_CONFIG_HOME=${dir}/xdg HOME=${dir} ${LAUNCHER} --config ${join(dir, 'config.yaml')} ${args}`, 80, 24, join(dir, 'exit-code'));
  terminals.push(term);
  return term;
}

/** The first screen: the local host read (its level is the machine's load), the SSH host down. */
function hostsScreen(term: TmuxTerminal): Promise<string> {
  return term.waitForScreen((s) => /[●▲✖] box\s+\d+%/.test(s) && /○ gone .*unreachable since/.test(s), 'the local host read and the SSH host down', 30_000);
}

/** The Databases pane zoomed to the whole screen, each database's header marked by its level. */
async function databasesScreen(term: TmuxTerminal): Promise<string> {
  term.keys('6', 'z');
  return term.waitForScreen(
    (s) => /● pg-ok pg /.test(s) && /▲ pg-warn pg .*conn \d+\/\d+▲/.test(s) && /✖ pg-crit pg .*conn \d+\/\d+✖/.test(s) && /○ pg-gone .*down since/.test(s),
    'ok, warn, crit and down databases with their marks',
    30_000,
  );
}

describe('colour as users set it, at 80x24 in tmux', () => {
  it('NO_COLOR=1: no colour escape anywhere on the screen, and ● ok ▲ warn ✖ crit ○ down still apart', { timeout: 90_000 }, async () => {
    const term = start('NO_COLOR=1');
    await hostsScreen(term);
    const hosts = term.styledScreen();
    expect(colourSequences(hosts)).toEqual([]);
    // Styles that are not colour stay: the focused tab is drawn inverse.
    expect(hosts).toMatch(/\u001b\[[\d;]*\b7m/);
    await databasesScreen(term);
    expect(colourSequences(term.styledScreen())).toEqual([]);
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });

  it('--color never does the same without NO_COLOR; by default the same screen is coloured', { timeout: 90_000 }, async () => {
    const never = start('', '--color never');
    const plain = start('');
    await Promise.all([databasesScreen(never), databasesScreen(plain)]);
    expect(colourSequences(never.styledScreen())).toEqual([]);
    expect(colourSequences(plain.styledScreen()).length).toBeGreaterThan(5);
  });

  it('--color always colours the screen even with NO_COLOR set', { timeout: 90_000 }, async () => {
    const term = start('NO_COLOR=1', '--color always');
    await databasesScreen(term);
    expect(colourSequences(term.styledScreen()).length).toBeGreaterThan(5);
  });
});
