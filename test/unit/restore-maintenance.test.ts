// A restore over the live database sets the maintenance flag of the database's app hosts for its
// duration (through the executor, as the cockpit and `opsdeck restore` run it): set before the load,
// cleared after it whether it worked or not, a flag someone else set left alone, and no restore at all
// when a flag cannot be set.
import { describe, expect, it } from 'vitest';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import type { Operation } from '../../src/app/operations/registry.js';
import type { BackupControl } from '../../src/domain/backup.js';
import type { MaintenanceControl } from '../../src/domain/maintenance.js';

function memoryFlag(log: string[], host: string, initial?: string): MaintenanceControl {
  let content = initial;
  return {
    path: `/run/${host}.maintenance`,
    set: async (note) => void (log.push(`set ${host}`), (content = `why: ${note.why}`)),
    clear: async () => void (log.push(`clear ${host}`), (content = undefined)),
    read: async () => content,
  };
}

function backups(log: string[], fail = false): BackupControl {
  return {
    database: 'main',
    kind: 'postgres',
    dir: '/var/backups/main',
    backup: async () => {
      throw new Error('not in this test');
    },
    list: async () => ({ dir: '/var/backups/main', files: [], space: { freeBytes: 0, totalBytes: 0 } }),
    restore: async (file, target) => {
      log.push(`restore ${file} ${'into' in target ? target.into : 'replace'}`);
      if (fail) throw new Error('pg_restore exited with status 1');
      return { database: 'main', fileName: file, elapsedMs: 5, contents: [{ table: 'public.orders', rows: 3 }] };
    },
    testRestore: async () => {
      throw new Error('not in this test');
    },
  };
}

const restore = (into?: string): Operation => ({
  kind: 'db.restore',
  params: { database: 'main', kind: 'postgres', host: 'db-1', dir: '/var/backups/main', apps: ['web-1', 'web-2'], fileName: 'opsdeck-main-20261130T233006.123Z.pgdump', ...(into ? { into } : {}) },
});

function run(operation: Operation, flags: Record<string, MaintenanceControl>, control: BackupControl) {
  const executor = new OperationExecutor({
    ports: { database: () => undefined, sshHost: () => undefined, units: () => undefined, maintenance: (host) => flags[host], processes: () => undefined, shell: () => undefined, backup: () => control },
    audit: { location: 'memory', append: async () => undefined },
    readOnly: false,
    say: () => undefined,
    record: () => undefined,
  });
  return executor.start(operation);
}

describe('a restore over the live database', () => {
  it('sets the app hosts\' maintenance flags first and clears them after; a flag already set is left alone', async () => {
    const log: string[] = [];
    const result = await run(restore(), { 'web-1': memoryFlag(log, 'web-1'), 'web-2': memoryFlag(log, 'web-2', 'why: deploy') }, backups(log));
    expect(result).toMatchObject({ outcome: 'ok', message: expect.stringContaining('maintenance flag on web-1 set for its duration') });
    expect(log).toEqual(['set web-1', 'restore opsdeck-main-20261130T233006.123Z.pgdump replace', 'clear web-1']);
  });

  it('clears the flags it set when the restore fails', async () => {
    const log: string[] = [];
    const result = await run(restore(), { 'web-1': memoryFlag(log, 'web-1'), 'web-2': memoryFlag(log, 'web-2') }, backups(log, true));
    expect(result).toMatchObject({ outcome: 'failed', message: expect.stringContaining('pg_restore exited with status 1') });
    expect(log).toEqual(['set web-1', 'set web-2', 'restore opsdeck-main-20261130T233006.123Z.pgdump replace', 'clear web-1', 'clear web-2']);
  });

  it('does not restore when a flag cannot be set from here', async () => {
    const log: string[] = [];
    const result = await run(restore(), { 'web-1': memoryFlag(log, 'web-1') }, backups(log));
    expect(result).toEqual(expect.objectContaining({ outcome: 'refused', message: 'cannot set the maintenance flag of web-2 from here: main was not replaced' }));
    expect(log).toEqual([]);
  });

  it('a restore into a new database touches no flag', async () => {
    const log: string[] = [];
    expect(await run(restore('main_check'), { 'web-1': memoryFlag(log, 'web-1') }, backups(log))).toMatchObject({ outcome: 'ok' });
    expect(log).toEqual(['restore opsdeck-main-20261130T233006.123Z.pgdump main_check']);
  });
});
