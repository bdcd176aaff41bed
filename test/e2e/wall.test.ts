// The wall display in a real terminal (tmux): no input needed, tiles per group worst first, pages
// turning when the groups do not fit, action keys ignored, legible at 80x24 and 300x80, and a resize.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';

const terminals: TmuxTerminal[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// One group of this machine (listed first in the file) and eleven groups of hosts nobody answers for
// (port 1 refuses at once): down, so they must come before the local one whatever its levels.
const DOWN_GROUPS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo'];
const CONFIG = [
  'refresh: 2s',
  'wall: {cycle: 2s}',
  'hosts:',
  '  here: {local: true, group: local, services: [], logs: []}',
  ...DOWN_GROUPS.flatMap((g) => [`  ${g}-1: {ssh: "nobody@127.0.0.1:1", group: ${g}, logs: []}`, `  ${g}-2: {ssh: "nobody@127.0.0.1:1", group: ${g}, logs: []}`]),
].join('\n');

function start(columns: number, rows: number): { term: TmuxTerminal; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-wall-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'config.yaml'), CONFIG);
  const command = `SSH_AUTH_SOCK= OPSDECK_AUDIT_LOG=${dir}/audit.jsonl XDG_STATE_HOME=${dir}/state XDG_CONFIG_HOME=${dir}/xdg ${LAUNCHER} --config ${dir}/config.yaml --wall`;
  const term = new TmuxTerminal(command, columns, rows, join(dir, 'exit-code'));
  terminals.push(term);
  return { term, dir };
}

const TILE_TITLE = /[●▲✖○…] ([A-Z]+) {2}(OK|WARN|CRIT|DOWN|WAITING)/g;
const groupsOn = (screen: string): string[] => [...screen.matchAll(TILE_TITLE)].map((m) => m[1]!.toLowerCase());
const RANK: Record<string, number> = { DOWN: 0, CRIT: 1, WARN: 2, WAITING: 3, OK: 4 };
/** The tiles' states in reading order (left to right, then down). */
const statesOn = (screen: string): number[] => [...screen.matchAll(TILE_TITLE)].map((m) => RANK[m[2]!]!);
const worstFirst = (states: number[]): boolean => states.every((s, i) => i === 0 || states[i - 1]! <= s);

describe('opsdeck --wall', () => {
  it('at 80x24 shows the down groups first, turns its pages by itself, and ignores every key but q', { timeout: 90_000 }, async () => {
    const { term, dir } = start(80, 24);
    const first = await term.waitForScreen((s) => /page 1\/\d/.test(s) && s.includes('unreachable'), 'page 1 with hosts judged', 30_000);
    expect(first).toContain('READ-ONLY');
    expect(worstFirst(statesOn(first))).toBe(true);
    expect(first).toMatch(/○ [a-z]+-\d {2}unreachable/);
    const pages = Number(/page 1\/(\d)/.exec(first)![1]);
    expect(pages).toBeGreaterThan(1);
    // Every line fits the terminal: the tiles are cut to it, not wrapped.
    for (const line of first.split('\n')) expect(line.length).toBeLessThanOrEqual(80);

    // Without a key pressed, every page comes round, and every group is on one of them. Hosts are
    // judged over the first ticks, and a group moves up a page as it turns down: one already passed
    // comes round again in the next turn (three at most).
    const everyGroup = [...DOWN_GROUPS, 'local'].sort();
    const seen = new Set(groupsOn(first));
    for (let turn = 1; turn <= 3 && everyGroup.some((g) => !seen.has(g)); turn++) {
      for (let page = turn === 1 ? 2 : 1; page <= pages; page++) {
        const screen = await term.waitForScreen((s) => s.includes(`page ${page}/${pages}`), `page ${page}`, 15_000);
        for (const g of groupsOn(screen)) seen.add(g);
      }
    }
    expect([...seen].sort()).toEqual(everyGroup);
    await term.waitForScreen((s) => s.includes(`page 1/${pages}`), 'back to page 1', 15_000);

    // Operation and screen keys do nothing: no help, no prompt, no confirmation, nothing audited.
    term.keys('?', ':', '/', 'm', 'M', 'r', 'R', 'T', 'Enter', 'Tab', 'z');
    term.keys('j');
    await term.waitForScreen((s) => /page \d\/\d/.test(s), 'the wall after the keys');
    const after = term.screen();
    expect(after).not.toContain('opsdeck help');
    expect(after).not.toMatch(/^[:/]/m);
    expect(after).toContain('opsdeck wall');
    expect(existsSync(join(dir, 'audit.jsonl'))).toBe(false);

    term.keys('q');
    const code = await term.exitCode(30_000).catch((e: Error) => { throw new Error(`${e.message}\n${term.screen()}`); });
    expect(code).toBe(0);
  });

  it('at 300x80 shows every group on one page, and survives being resized to 80x24 and back', { timeout: 90_000 }, async () => {
    const { term } = start(300, 80);
    const screen = await term.waitForScreen((s) => s.includes('unreachable') && groupsOn(s).length === 12, 'all twelve groups', 30_000);
    expect(screen).not.toMatch(/page \d\/\d/);
    expect(worstFirst(statesOn(screen))).toBe(true);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(300);

    term.resize(80, 24);
    await term.waitForScreen((s) => /page 1\/\d/.test(s) && s.split('\n').every((l) => l.length <= 80), 'the small layout with pages');
    term.resize(300, 80);
    await term.waitForScreen((s) => !/page \d\/\d/.test(s) && groupsOn(s).length === 12, 'the big layout again');
    term.keys('q');
    expect(await term.exitCode(30_000)).toBe(0);
  });
});
