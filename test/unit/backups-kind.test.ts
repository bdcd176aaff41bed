// The backups source kind and the backup operations' choice of target: the latest verified backup's
// age judged with hold ticks (none at all is crit), its events, the host row's level; which database
// b acts on and which file t and R act on, from what the operator has selected.
import { describe, expect, it } from 'vitest';
import { backupsSourceId } from '../../src/app/sources/backups/index.js';
import { operationFromSelection } from '../../src/app/operations/registry.js';
import { progressText } from '../../src/app/operations/backup.js';
import { hostRows } from '../../src/app/rows.js';
import { initialUi, type BackupView, type DataState } from '../../src/app/store.js';
import { backupFileName, formatSidecar, judgeBackupFile, type BackupFile, type BackupInventory } from '../../src/domain/backup.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, NOW, withHost, withPendingSource } from '../helpers/fixtures.js';

const HOUR = 3_600_000;

function view(database: string, host = 'web-1'): BackupView {
  return { database, kind: 'postgres', host, dir: `/var/backups/${database}`, apps: [], thresholds: { warn: 26 * 3600, crit: 50 * 3600 }, level: 'ok' };
}

function file(database: string, at: number, verified = true): BackupFile {
  const fileName = backupFileName(database, 'postgres', at);
  const sidecar = formatSidecar({ database, kind: 'postgres', fileName, bytes: 100, sha256: 'b'.repeat(64), verifiedAt: at, verifiedBy: 'pg_restore -f /dev/null' });
  return judgeBackupFile(fileName, at, verified ? 100 : 50, sidecar);
}

const inventory = (dir: string, files: BackupFile[]): BackupInventory => ({ dir, files, space: { freeBytes: 10 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 } });

function seeded(...views: BackupView[]): DataState {
  let data = withHost();
  for (const v of views) data = withPendingSource({ ...data, backups: { ...data.backups, [v.database]: v } }, backupsSourceId(v), `backups of ${v.database}`);
  return data;
}

describe('the latest backup\'s age', () => {
  it('is crit with no verified backup, ok once there is a fresh one (after the hold ticks), warn past 26 h; each change is an event and reaches the host row', () => {
    const tracker = new ThresholdTracker(2);
    const main = view('main');
    const id = backupsSourceId(main);
    let data = deliver(seeded(main), id, inventory(main.dir, [file('main', NOW - HOUR, false)]), tracker, NOW);
    expect(data.backups.main).toMatchObject({ level: 'crit', latestVerifiedAt: undefined });
    expect(data.events.at(-1)).toMatchObject({ level: 'crit', host: 'web-1', message: 'main: no verified backup in /var/backups/main' });
    expect(hostRows(data, initialUi())[0]?.level).toBe('crit');

    const fresh = inventory(main.dir, [file('main', NOW), file('main', NOW - HOUR, false)]);
    data = deliver(data, id, fresh, tracker, NOW + 1000);
    expect(data.backups.main?.level).toBe('crit');
    data = deliver(data, id, fresh, tracker, NOW + 2000);
    expect(data.backups.main).toMatchObject({ level: 'ok', latestVerifiedAt: NOW });
    expect(data.events.at(-1)).toMatchObject({ level: 'info', message: 'main: latest verified backup 2s old (back to normal)' });
    expect(hostRows(data, initialUi())[0]?.level).toBe('ok');

    data = deliver(data, id, fresh, tracker, NOW + 27 * HOUR);
    data = deliver(data, id, fresh, tracker, NOW + 27 * HOUR + 1000);
    expect(data.backups.main?.level).toBe('warn');
    expect(data.events.at(-1)).toMatchObject({ level: 'warn', message: 'main: latest verified backup 27h00m old (warn 26h00m)' });
  });
});

describe('what b, t and R act on', () => {
  const at = NOW - HOUR;
  function twoDatabases(): DataState {
    const data = seeded(view('main'), view('shop'));
    return { ...data, backups: { main: { ...data.backups.main!, inventory: inventory('/var/backups/main', [file('main', at)]) }, shop: { ...data.backups.shop!, inventory: inventory('/var/backups/shop', []) } } };
  }

  it('b in the Backups view backs up the database of the row under the cursor, file rows included', () => {
    const data = twoDatabases();
    expect(operationFromSelection('db.backup', data, initialUi({ databaseView: 'backups', cursor: { ...initialUi().cursor, databases: 1 } }))).toMatchObject({ kind: 'db.backup', params: { database: 'main', dir: '/var/backups/main', host: 'web-1' } });
    expect(operationFromSelection('db.backup', data, initialUi({ databaseView: 'backups', cursor: { ...initialUi().cursor, databases: 2 } }))).toMatchObject({ params: { database: 'shop' } });
  });

  it('b among the queries picks the only database with backups, else asks for the Backups view', () => {
    const one = seeded(view('main'));
    expect(operationFromSelection('db.backup', one, initialUi())).toMatchObject({ params: { database: 'main' } });
    expect(operationFromSelection('db.backup', twoDatabases(), initialUi())).toEqual({ error: 'several databases have backups: press B and select the one to back up' });
    expect(operationFromSelection('db.backup', withHost(), initialUi())).toEqual({ error: 'no backup configured: add databases.NAME.backup: {dir, keep}' });
  });

  it('t and R need a file row of the Backups view; R asks for the database name typed', () => {
    const data = twoDatabases();
    const onFile = initialUi({ databaseView: 'backups', cursor: { ...initialUi().cursor, databases: 1 } });
    expect(operationFromSelection('db.test-restore', data, onFile)).toMatchObject({ params: { database: 'main', fileName: backupFileName('main', 'postgres', at) } });
    expect(operationFromSelection('db.test-restore', data, initialUi({ databaseView: 'backups' }))).toEqual({ error: 'select a backup file (the rows under a database)' });
    expect(operationFromSelection('db.restore', data, initialUi())).toEqual({ error: 'press B for the Backups view, then select a backup file' });
  });

  it('progress reads as bytes, rate and elapsed', () => {
    expect(progressText({ step: 'dumping', bytes: 12 * 1024 * 1024, startedAt: NOW - 4000 }, NOW)).toBe('dumping 12.0M, 3.0M/s, 4s');
    expect(progressText({ step: 'checking space', bytes: 0, startedAt: NOW - 20 }, NOW)).toBe('checking space 20ms');
  });
});
