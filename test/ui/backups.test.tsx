// The Backups view at 80x24 as the operator reads it: each database's latest verified backup and free
// space, each file verified or why not with its last test restore; R asks for the database's name
// typed; under --read-only b is refused and the refusal audited.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { backupsSourceId } from '../../src/app/sources/backups/index.js';
import type { BackupView, DataState } from '../../src/app/store.js';
import type { PostgresSample } from '../../src/domain/database.js';
import { backupFileName, formatSidecar, judgeBackupFile, type BackupControl } from '../../src/domain/backup.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, fleetConfig, fleetData, fleetWithDatabase, withPendingSource } from '../helpers/fixtures.js';
import { GREEN, RED, screenReader, YELLOW } from '../helpers/screen.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';

const HOUR = 3_600_000;
/** The pane reads the clock for ages: the backups are as old as they say now. */
const NOW = Date.now();

function withBackups(): DataState {
  const view: BackupView = { database: 'main', kind: 'postgres', host: 'db-1', dir: '/var/backups/main', apps: [], thresholds: { warn: 26 * 3600, crit: 50 * 3600 }, level: 'ok' };
  let data = withPendingSource({ ...fleetWithDatabase(), backups: { main: view } }, backupsSourceId(view), 'backups of main');
  const file = (at: number, bytes: number, testRestore?: { ok: boolean }) => {
    const fileName = backupFileName('main', 'postgres', at);
    const sidecar = formatSidecar({ database: 'main', kind: 'postgres', fileName, bytes: 2_000_000, sha256: 'd'.repeat(64), verifiedAt: at, verifiedBy: 'pg_restore -f /dev/null', ...(testRestore ? { testRestore: { at: at + 60_000, ok: testRestore.ok, message: 'x' } } : {}) });
    return judgeBackupFile(fileName, at, bytes, sidecar);
  };
  const files = [file(NOW - 3 * HOUR, 1000), file(NOW - 27 * HOUR, 2_000_000, { ok: true })];
  // Judged now: warn, the newest verified backup being 27 h old.
  data = deliver(data, backupsSourceId(view), { dir: view.dir, files, space: { freeBytes: 41 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 } }, new ThresholdTracker(1), NOW);
  return data;
}

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

describe('the Backups view', () => {
  it('shows the latest verified backup\'s age and free space, a truncated file as not verified, and the test restore', async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 80, rows: 24 });
    await app.press('6', 'B');
    const screen = screenReader(app.frame);
    const frame = screen.text();
    expect(frame).toContain('Databases · Backups');
    // The newest verified one is 27 h old: past warn (26 h), so the database's line is yellow.
    expect(frame).toMatch(/▲ main {2}latest 27h0\dm ago {2}2 files · 41\.0G free · \/var\/backups\/main/);
    expect(frame).toMatch(/ 1000B +3h0\dm +✗ changed since verified: 1000B, was 1\.9M/);
    expect(screen.colourBefore('was 1.9M', '✗')).toBe(RED);
    expect(frame).toMatch(/ 1\.9M +27h0\dm +✓ verified +sha256 dddddddd +tested ok/);
    expect(screen.colourBefore('tested ok', '✓')).toBe(GREEN);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('R on a file asks for the database\'s name typed before replacing it', async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 80, rows: 24 });
    await app.press('6', 'B', 'j', 'R');
    expect(app.frame()).toContain(`restore ${backupFileName('main', 'postgres', NOW - 3 * HOUR)} over main`);
    expect(app.frame()).toContain('REPLACES the live database main');
    expect(screenReader(app.frame).text()).toContain('type main and Enter to go, Esc to cancel');
  });

  it('b at 80 columns asks with every word of what the backup will do, wrapped inside the dialog', async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 80, rows: 24 });
    await app.press('6', 'B', 'b');
    const frame = screenReader(app.frame).text();
    expect(frame).toContain('back up main?');
    // The sentence is longer than the dialog: its rest goes on the next row, inside the border.
    expect(frame.replace(/ *║\n║ */g, ' ')).toContain('under a temporary name until a full read verifies it; then its sha256 sidecar, the rename, and retention');
    expect(frame).not.toContain('…');
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(screenReader(app.frame).text()).toContain('y/Enter to go · n/Esc to cancel');
  });

  it('b with no backup configured says how to add one, whole, on an 80-column status line', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24 });
    await app.press('6', 'b');
    // Too long to sit beside the clock: the clock gives way for the moment, the words do not.
    expect(screenReader(app.frame).text().split('\n').at(-1)?.trimEnd()).toBe(' refresh 2s │ no backup configured: add databases.NAME.backup: {dir, keep}');
  });

  it('under --read-only, b is refused at once and the refusal is audited', async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 80, rows: 24, readOnly: true });
    await app.press('6', 'B', 'b');
    expect(app.frame()).toContain('read-only: "back up main" refused');
    expect(app.audit).toEqual([expect.objectContaining({ action: 'db.backup', target: 'backup:main', outcome: 'refused' })]);
  });

  it('under --read-only, b with nothing to back up selected says it is refused, not how to select one', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24, readOnly: true });
    await app.press('6', 'b');
    expect(screenReader(app.frame).text().split('\n').at(-1)).toMatch(/│ read-only: "backup" refused *│/);
    expect(app.frame()).not.toContain('no backup configured');
  });

  it('b while a backup of the same database runs is refused before any dialog, and the reason stays on the status line through its progress', async () => {
    let stop: () => void = () => undefined;
    const slow: BackupControl = {
      database: 'main',
      kind: 'postgres',
      dir: '/var/backups/main',
      backup: (signal, progress) =>
        new Promise((_resolve, reject) => {
          const ticking = setInterval(() => progress({ step: 'dumping', bytes: 2048, startedAt: Date.now() - 1000 }), 50);
          stop = () => {
            clearInterval(ticking);
            reject(new Error('stopped'));
          };
          signal.addEventListener('abort', stop);
        }),
      list: async () => ({ dir: '/var/backups/main', files: [], space: { freeBytes: 0, totalBytes: 0 } }),
      restore: async () => Promise.reject(new Error('unused')),
      testRestore: async () => Promise.reject(new Error('unused')),
    };
    app = await renderApp(fleetConfig(), withBackups(), { columns: 100, rows: 24, ports: { backup: () => slow } });
    await app.press('6', 'B', 'b', 'y');
    await expect.poll(() => app!.frame()).toContain('back up main: dumping');
    await app.press('b');
    expect(app.frame()).not.toContain('back up main?');
    // Several of the running backup's progress reports later, the refusal is still what the status line says.
    await sleep(300);
    await app.flush();
    const status = screenReader(app.frame).text().split('\n').at(-1) ?? '';
    expect(status).toContain('back up main: refused, an operation on backup:main is still running');
    expect(screenReader(app.frame).colourBefore('refused, an operation', 'back up main: ')).toBe(RED);
    stop();
  });

  it('B again goes back to the queries', async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 80, rows: 24 });
    await app.press('6', 'B', 'B');
    expect(app.frame()).not.toContain('Databases · Backups');
    expect(screenReader(app.frame).text()).toMatch(/backup 27h0\dm/);
    await app.press(KEYS.escape);
  });

  it("the Hosts row of the database's host names its backup overdue, in the row's colour (its disk is crit), not a green ok", async () => {
    app = await renderApp(fleetConfig(), withBackups(), { columns: 120, rows: 24 });
    await app.press('1');
    const screen = screenReader(app.frame);
    const row = screen.text().split('\n').find((line) => line.includes(' db-1 '));
    expect(row).toMatch(/^│✖ db-1 +20% +50% +93%✖ +0\.50 +ok · backup main overdue /);
    expect(screen.colourBefore('backup main overdue', 'ok · ')).toBe(RED);
  });

  it("a healthy server whose backup is past warn: the database's mark says warn, the worst on its line", async () => {
    const data = withBackups();
    const quiet = { ...(data.databases.main!.sample as PostgresSample), queries: [], blocking: [], idleInTransaction: { count: 0, longestSec: 0 } };
    app = await renderApp(fleetConfig(), deliver(data, { host: 'local', kind: 'database', name: 'main' }, quiet, new ThresholdTracker(1)), { columns: 80, rows: 24 });
    await app.press('6');
    const screen = screenReader(app.frame);
    expect(screen.text()).toMatch(/backup 27h0\dm▲/);
    expect(screen.text()).toMatch(/▲ main pg 15\.4 /);
    expect(screen.colourBefore('main pg 15.4', '▲')).toBe(YELLOW);
  });
});
