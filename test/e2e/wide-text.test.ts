// Japanese and emoji from the runbooks as unit descriptions and log lines, at 80x24 in tmux: every
// border stays in its column as tmux itself counts cells (a wide character is two of them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const runbook = readFileSync(new URL('../fixtures/runbook-ja.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => /^(unit|log): /.test(l))
  .map((l) => {
    const [kind, rest] = [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)];
    return { kind, text: rest.slice(0, rest.lastIndexOf('\t')) };
  });
const descriptions = runbook.filter((r) => r.kind === 'unit').map((r) => r.text);
const logLines = runbook.filter((r) => r.kind === 'log').map((r) => r.text);
const UNITS = ['airzone-backend.service', 'shiojiri-rainbow.service', 'garden-dx-admin.service'];

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-wide-'));
let systemd: SystemdRoot;
let term: TmuxTerminal | undefined;

beforeAll(async () => {
  systemd = await makeSystemdRoot(join(dir, 'systemd'), Object.fromEntries(UNITS.map((unit, i) => [unit, unitFile(descriptions[i]!)])));
  for (const unit of UNITS) await systemd.ctl('start', unit);
  writeFileSync(join(dir, 'app.log'), `${logLines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'config.yaml'),
    `refresh: 1s\nhosts:\n  box: {local: true, systemctl: '${systemd.systemctl}', services: [${UNITS.join(', ')}], logs: [{file: '${join(dir, 'app.log')}'}]}\n`,
  );
});

afterAll(async () => {
  term?.kill();
  for (const unit of UNITS) await systemd?.ctl('stop', unit);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Every pane line between the tab bar and the status bar, as tmux holds it: a top border ╭…╮, a
 * bottom one ╰…╯, or │…│, each ending in the terminal's last column (no blank cell after it).
 */
function bordersOutOfPlace(cells: string): string[] {
  const lines = cells.split('\n').slice(0, 24);
  expect(lines).toHaveLength(24);
  return lines.slice(1, 23).filter((line) => !/^(╭.*╮|│.*│|╰.*╯)$/.test(line));
}

describe('Japanese and emoji text at 80x24', () => {
  it('unit descriptions and log lines from the runbooks keep every border in place', { timeout: 90_000 }, async () => {
    term = new TmuxTerminal(`XDG_CONFIG_HOME=${dir}/xdg HOME=${dir} ${LAUNCHER} --config ${join(dir, 'config.yaml')}`, 80, 24, join(dir, 'exit-code'));
    await term.waitForScreen((s) => /box\s+\d+%/.test(s), 'the host read', 30_000);
    expect(bordersOutOfPlace(term.cellScreen())).toEqual([]);

    term.keys('3');
    const services = await term.waitForScreen((s) => UNITS.every((u) => new RegExp(`${u.replace('.', '\\.')}\\s+active`).test(s)), 'the units, active', 30_000);
    // Each description begins where the row leaves room for it, cut to the cells left.
    expect(services).toContain('バックエンドサー');
    expect(services).toContain('塩尻レインボー');
    expect(services).toContain('🔧 管理者向け');
    expect(bordersOutOfPlace(term.cellScreen())).toEqual([]);

    term.keys('4');
    await term.waitForScreen((s) => s.includes('このドキュメントは、Airzone') && s.includes('運用ガイド') && s.includes('エラー率が10%を超えました'), 'the log lines', 30_000);
    expect(bordersOutOfPlace(term.cellScreen())).toEqual([]);

    // Wrapped (r), a long Japanese line runs on over rows of whole characters, still inside the frame.
    term.keys('r');
    await term.waitForScreen((s) => s.includes('WRAP') && s.includes('関する手順を説明します。'), 'the long line wrapped', 30_000);
    expect(bordersOutOfPlace(term.cellScreen())).toEqual([]);

    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  });
});
