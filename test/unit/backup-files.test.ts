// opsdeck's backup files as data: names it recognises as its own (and nothing else), the sidecar
// sha256sum reads, how a file is judged against it, and which verified backups retention removes.
import { describe, expect, it } from 'vitest';
import { backupFileName, formatSidecar, isTempOf, judgeBackupFile, parseBackupFileName, parseSidecar, pastRetention, sidecarOf, tempName, type BackupFile, type BackupRecord } from '../../src/domain/backup.js';

const AT = Date.parse('2026-11-30T23:30:06.123Z');
const DAY = 86_400_000;

describe('names', () => {
  it('gives sortable, per-database, per-kind names and reads back only its own', () => {
    const name = backupFileName('garden-dx', 'postgres', AT);
    expect(name).toBe('opsdeck-garden-dx-20261130T233006.123Z.pgdump');
    expect(parseBackupFileName('garden-dx', 'postgres', name)).toBe(AT);
    expect(backupFileName('shop', 'mysql', AT)).toBe('opsdeck-shop-20261130T233006.123Z.sql.gz');
    expect(backupFileName('cache', 'redis', AT)).toBe('opsdeck-cache-20261130T233006.123Z.rdb');
    for (const foreign of ['garden-dx.pgdump', 'opsdeck-garden-dx-20261130T233006.123Z.pgdump.bak', 'opsdeck-garden-dx-20261130T233006Z.pgdump', 'opsdeck-garden-20261130T233006.123Z.pgdump', 'opsdeck-garden-dx-20261130T233006.123Z.sql.gz', 'opsdeck-garden-dx-20261399T233006.123Z.pgdump']) {
      expect(parseBackupFileName('garden-dx', 'postgres', foreign), foreign).toBeUndefined();
    }
    // A database whose name has dots does not read another's files, nor the other way round.
    expect(parseBackupFileName('a.b', 'postgres', backupFileName('aXb', 'postgres', AT))).toBeUndefined();
    expect(parseBackupFileName('main', 'postgres', backupFileName('main-2', 'postgres', AT))).toBeUndefined();
  });

  it('knows its temporary files and orphan sidecars by the same pattern', () => {
    const name = backupFileName('main', 'postgres', AT);
    expect(isTempOf('main', 'postgres', tempName(name))).toBe(true);
    expect(isTempOf('main', 'postgres', tempName(`${name}.sha256`))).toBe(true);
    expect(isTempOf('main', 'postgres', name)).toBe(false);
    expect(isTempOf('main', 'postgres', '.something.partial')).toBe(false);
    expect(isTempOf('other', 'postgres', tempName(name))).toBe(false);
    expect(sidecarOf('main', 'postgres', `${name}.sha256`)).toBe(name);
    expect(sidecarOf('main', 'postgres', 'notes.sha256')).toBeUndefined();
  });
});

const record = (fileName: string, bytes: number): BackupRecord => ({ database: 'main', kind: 'postgres', fileName, bytes, sha256: 'a'.repeat(64), verifiedAt: AT, verifiedBy: 'pg_restore -f /dev/null' });

describe('the sidecar', () => {
  it('reads back what it wrote, with sha256sum\'s line last', () => {
    const name = backupFileName('main', 'postgres', AT);
    const text = formatSidecar({ ...record(name, 1234), testRestore: { at: AT, ok: true, message: 'same' } });
    expect(text.trim().split('\n').at(-1)).toBe(`${'a'.repeat(64)}  ${name}`);
    expect(parseSidecar(text, name)).toEqual({ ...record(name, 1234), testRestore: { at: AT, ok: true, message: 'same' } });
    expect(parseSidecar(text, 'another-file')).toEqual({ error: `checksum file names ${name}` });
    expect(parseSidecar(`${'a'.repeat(64)}  ${name}\n`, name)).toEqual({ error: 'checksum file unreadable' });
  });

  it('judges a file verified only when its sidecar is there and its size is the verified size', () => {
    const name = backupFileName('main', 'postgres', AT);
    const sidecar = formatSidecar(record(name, 1234));
    expect(judgeBackupFile(name, AT, 1234, sidecar)).toMatchObject({ verified: true });
    expect(judgeBackupFile(name, AT, 617, sidecar)).toMatchObject({ verified: false, problem: 'changed since verified: 617B, was 1.2K' });
    expect(judgeBackupFile(name, AT, 1234, undefined)).toMatchObject({ verified: false, problem: 'no checksum file: never verified' });
  });
});

function files(ages: [days: number, verified: boolean][], now: number): BackupFile[] {
  return ages.map(([days, verified]) => {
    const at = now - days * DAY;
    return { fileName: backupFileName('main', 'postgres', at), at, bytes: 1, verified };
  });
}
const names = (list: BackupFile[]) => list.map((f) => f.fileName);

describe('retention', () => {
  const now = AT;
  it('keep 3 of 5 removes the two oldest', () => {
    const all = files([[0, true], [1, true], [2, true], [3, true], [4, true]], now);
    expect(names(pastRetention(all, { keep: 3 }, now))).toEqual(names(all.slice(3)));
  });

  it('never removes nor counts a file that is not verified: a broken newest backup keeps the newest verified one', () => {
    const all = files([[0, false], [1, true], [2, true], [3, true]], now);
    expect(names(pastRetention(all, { keep: 1 }, now))).toEqual(names(all.slice(2)));
  });

  it('maxAge removes verified files older than it, but never the newest verified', () => {
    const all = files([[10, true], [20, true], [40, true]], now);
    expect(names(pastRetention(all, { maxAgeDays: 30 }, now))).toEqual(names(all.slice(2)));
    expect(names(pastRetention(all, { maxAgeDays: 1 }, now))).toEqual(names(all.slice(1)));
  });

  it('with keep and maxAge a file stays when either keeps it', () => {
    const all = files([[0, true], [5, true], [10, true], [40, true]], now);
    expect(names(pastRetention(all, { keep: 2, maxAgeDays: 30 }, now))).toEqual(names(all.slice(3)));
  });

  it('an empty policy removes nothing', () => {
    expect(pastRetention(files([[0, true], [9, true]], now), {}, now)).toEqual([]);
  });
});
