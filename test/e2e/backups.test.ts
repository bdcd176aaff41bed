// The cockpit at 80x24 against the machine's PostgreSQL: the Backups view shows no verified backup
// (crit), b and y back the database up with its progress on the status line and in the view, then it lists the
// new file as verified with its age and the latest backup's level turns ok.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { ownPostgres } from '../db/backup-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-backup-e2e-'));
const terminals: TmuxTerminal[] = [];
afterAll(() => {
  for (const t of terminals) t.kill();
  rmSync(dir, { recursive: true, force: true });
});

it('backs up from the Backups view with progress on screen; the new file is verified and the age goes from crit to ok', { timeout: 120_000 }, async () => {
  // Big enough that the dump takes seconds on a quiet machine: its progress stays on screen long enough to be read.
  const db = await ownPostgres(1_500_000);
  try {
    const backups = join(dir, 'backups');
    const config = join(dir, 'config.yaml');
    const audit = join(dir, 'audit.jsonl');
    writeFileSync(config, `refresh: 1s\nhosts: {local: {local: true, logs: []}}\ndatabases:\n  main: {postgres: "postgres://postgres@127.0.0.1:5432/${db.name}", backup: {dir: ${backups}, keep: 3}}\n`);
    const term = new TmuxTerminal(`OPSDECK_AUDIT_LOG=${audit} XDG_CONFIG_HOME=${dir} ${LAUNCHER} --config ${config}`, 80, 24, join(dir, 'exit'));
    terminals.push(term);
    await term.waitForScreen((s) => s.includes('Hosts') && s.includes('local'), 'the cockpit', 20_000);
    term.keys('6');
    await term.waitForScreen((s) => s.includes('╭─ Databases'), 'the Databases pane', 20_000);
    term.keys('B');
    await term.waitForScreen((s) => /✖ main {2}no verified backup {2}0 files/.test(s), 'no verified backup, crit', 20_000);
    term.keys('b');
    await term.waitForScreen((s) => s.includes('back up main?') && s.includes(`pg_dump -Fc into ${backups}`), 'the confirmation');
    term.keys('y');
    // Bytes, rate and elapsed on the status line and on the database's line of the view.
    const progress = await term.waitForScreen((s) => /back up main: dumping [\d.]+[KM], [\d.]+[KM]\/s, [\d.]+s/.test(s) && /✖ main {2}no verified backup {2}⟳ dumping [\d.]+[KM], /.test(s), 'progress on the status line and in the view', 30_000);
    expect(progress.split('\n').at(-2)).toMatch(/back up main: dumping/);
    await term.waitForScreen((s) => s.includes('backup of main verified'), 'the verified backup', 60_000);
    // The directory is read again on the next tick.
    await term.waitForScreen((s) => /\d{4}-\d\d-\d\d \d\d:\d\d +[\d.]+M +[\d.]+s +✓ verified +sha256 [0-9a-f]{8}/.test(s), 'the new file, verified, with its age', 10_000);
    await term.waitForScreen((s) => /● main {2}latest [\d.]+s ago {2}1 file · [\d.]+[GMT] free/.test(s), 'the latest backup\'s age, now ok', 20_000);
    const records = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; outcome: string });
    expect(records.map((r) => `${r.action} ${r.outcome}`)).toEqual(['db.backup started', 'db.backup ok']);
    term.keys('q');
    expect(await term.exitCode()).toBe(0);
  } finally {
    await db.drop();
  }
});

it('a backup directory that cannot be read is crit with its reason, in the Backups view and the database\'s header', { timeout: 60_000 }, async () => {
  const blocker = join(dir, 'afile');
  writeFileSync(blocker, '');
  const config = join(dir, 'unreadable.yaml');
  writeFileSync(config, `refresh: 1s\nhosts: {local: {local: true, logs: []}}\ndatabases:\n  pgfile: {postgres: "postgres://postgres@127.0.0.1:5432/test", backup: {dir: ${blocker}/sub, keep: 2}}\n`);
  const term = new TmuxTerminal(`XDG_CONFIG_HOME=${dir} ${LAUNCHER} --config ${config}`, 240, 30, join(dir, 'exit-unreadable'));
  terminals.push(term);
  await term.waitForScreen((s) => s.includes('Hosts') && s.includes('local'), 'the cockpit', 20_000);
  term.keys('6');
  await term.waitForScreen((s) => s.includes('✖ pgfile pg') && s.includes('backup unreadable✖'), 'the header crit with the backup unreadable', 20_000);
  term.keys('B');
  await term.waitForScreen((s) => s.includes(`✖ pgfile  cannot read: ENOTDIR: not a directory, scandir '${blocker}/sub'`), 'the reason, crit', 20_000);
  term.keys('q');
  expect(await term.exitCode()).toBe(0);
});

it('opsdeck backup on a terminal narrower than its progress keeps the progress on one row: the result is all that is left', { timeout: 120_000 }, async () => {
  const db = await ownPostgres(300_000);
  try {
    const config = join(dir, 'narrow.yaml');
    writeFileSync(config, `hosts: {local: {local: true, logs: []}}\ndatabases:\n  main: {postgres: "postgres://postgres@127.0.0.1:5432/${db.name}", backup: {dir: ${join(dir, 'narrow')}, keep: 1}}\n`);
    const term = new TmuxTerminal(`OPSDECK_AUDIT_LOG=${join(dir, 'narrow.jsonl')} ${LAUNCHER} backup main --config ${config}`, 30, 20, join(dir, 'exit-narrow'));
    terminals.push(term);
    // Each progress line is longer than 30 columns ("back up main: dumping 1.2M, 3.4M/s, 1s").
    const during = await term.waitForScreen((s) => s.includes('back up main: dump'), 'the progress', 30_000);
    expect(during.split('\n').filter((row) => row.trim() !== '')).toEqual([expect.stringMatching(/^back up main: dump.{0,11}…?$/)]);
    expect(await term.exitCode(90_000)).toBe(0);
    const after = term.screen().split('\n').filter((row) => row.trim() !== '');
    expect(after.join('')).toMatch(/^backup of main verified: opsdeck-main-/);
    expect(after.join('\n')).not.toContain('back up main');
  } finally {
    await db.drop();
  }
});
