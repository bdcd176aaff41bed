// The one executor every operation goes through: what the operator sees and what the audit trail
// holds when an operation is refused, cannot be recorded, runs, fails, collides or is stopped.
import { describe, expect, it } from 'vitest';
import { cockpitOperations, progressByTarget, statusLine } from '../../src/app/operations/controls.js';
import { OperationExecutor, type ExecutorOptions } from '../../src/app/operations/executor.js';
import type { DatabaseAdmin, OperationPorts } from '../../src/app/operations/ports.js';
import type { Operation } from '../../src/app/operations/registry.js';
import { createOpsStore, type OpsStore } from '../../src/app/store.js';
import type { AuditEntry } from '../../src/domain/audit.js';
import type { BackupControl } from '../../src/domain/backup.js';
import type { OpsEvent } from '../../src/domain/model.js';
import type { PostgresSample } from '../../src/domain/database.js';
import { fleetWithDatabase } from '../helpers/fixtures.js';

const cancel = (pid: number, host = 'db-1'): Operation => ({
  kind: 'db.cancel',
  params: { database: 'main', kind: 'postgres', pid, user: 'app', db: 'garden', durationSec: 42, state: 'active', wait: '', query: "UPDATE users SET password = 'hunter2'", blockedBy: [], host, server: 'postgres://app@db-1:5432/garden' },
});
/** The database once the signalled backend has stopped: no query running. */
const quiet = { ...(fleetWithDatabase().databases.main!.sample as PostgresSample), queries: [] };

const trust: Operation = { kind: 'host.trust-key', params: { host: 'edge', address: 'deploy@10.0.0.7', offered: 'SHA256:abc' } };

/** A database whose cancel waits until the test lets it finish. */
function heldDatabase() {
  const calls: number[] = [];
  const releases: ((found: boolean) => void)[] = [];
  const admin: DatabaseAdmin = {
    cancelBackend: (pid, signal) =>
      new Promise((resolve, reject) => {
        calls.push(pid);
        releases.push(resolve);
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
    terminateBackend: async () => true,
    collect: async () => quiet,
  };
  return { admin, calls, release: (found = true) => releases.shift()?.(found) };
}

function setUp(options: Partial<ExecutorOptions> = {}, admin: DatabaseAdmin = { cancelBackend: async () => true, terminateBackend: async () => true, collect: async () => quiet }) {
  const audit: AuditEntry[] = [];
  const events: OpsEvent[] = [];
  const trusted: string[] = [];
  const ports: OperationPorts = { database: () => admin, sshHost: (host) => ({ trustHostKey: async () => void trusted.push(host), reconnect: () => undefined }), units: () => undefined, maintenance: () => undefined, processes: () => undefined, shell: () => undefined, backup: () => undefined };
  const store = createOpsStore();
  const core = new OperationExecutor({ ports, audit: { location: '/var/log/opsdeck/audit.jsonl', append: async (e) => void audit.push(e) }, readOnly: false, say: statusLine(store), record: (e) => events.push(e), ...options });
  // As the cockpit's keys reach it: request() puts it to the operator, start() runs it.
  return { executor: cockpitOperations(core, store), core, store, audit, events, trusted };
}

const message = (store: OpsStore) => store.getState().ui.message;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('OperationExecutor', () => {
  it('records the operation before it runs and its outcome after, under one id, with the literals of the query redacted', async () => {
    const { executor, store, audit, events } = setUp();
    const result = await executor.start(cancel(4242));
    expect(result).toMatchObject({ outcome: 'ok', message: 'cancelled the query of pid 4242 on main' });
    expect(audit.map((a) => a.outcome)).toEqual(['started', 'ok']);
    expect(audit[0]).toMatchObject({ id: result.id, action: 'db.cancel', target: 'db:main pid 4242', host: 'db-1', detail: { pid: 4242, query: "UPDATE users SET password = '?'" } });
    expect(audit[1]!.id).toBe(result.id);
    expect(message(store)).toMatchObject({ text: 'cancelled the query of pid 4242 on main', level: 'info' });
    expect(events).toEqual([expect.objectContaining({ host: 'db-1', kind: 'action', level: 'info', message: 'cancelled the query of pid 4242 on main' })]);
  });

  it('runs nothing when the audit record cannot be written, and says where it failed', async () => {
    const database = heldDatabase();
    const { executor, store } = setUp({ audit: { location: '/nowhere/audit.jsonl', append: async () => Promise.reject(new Error('EACCES: permission denied')) } }, database.admin);
    const result = await executor.start(cancel(4242));
    expect(database.calls).toEqual([]);
    expect(result.outcome).toBe('refused');
    expect(message(store)).toMatchObject({ level: 'error', text: 'cancel query 4242 on main: not run, the audit record could not be written to /nowhere/audit.jsonl: EACCES: permission denied' });
  });

  it('on a read-only screen refuses without asking, never reaches the database, and audits the refusal', async () => {
    const database = heldDatabase();
    const { executor, store, audit } = setUp({ readOnly: true }, database.admin);
    executor.request(cancel(4242));
    await settle();
    expect(store.getState().ui.overlay).toBe('none');
    expect(database.calls).toEqual([]);
    expect(message(store)?.text).toBe('read-only: "cancel query 4242 on main" refused');
    expect(audit).toEqual([expect.objectContaining({ action: 'db.cancel', outcome: 'refused' })]);
    // A key with nothing selected to act on says the same, in the words of the key's help.
    expect(executor.refusesKind('db.backup')).toBe('read-only: "backup" refused');
  });

  it('refuses on a host configured readOnly and runs on the others', async () => {
    const { executor, core, audit } = setUp({ readOnlyHosts: new Set(['db-1']) });
    // A command asks before its prompt, and nothing is recorded for asking.
    expect(core.refusal(cancel(1, 'db-1'))).toBe('read-only host db-1: "cancel query 1 on main" refused');
    expect(core.refusal(cancel(2, 'db-2'))).toBeUndefined();
    expect(audit).toEqual([]);
    expect((await executor.start(cancel(1, 'db-1'))).message).toBe('read-only host db-1: "cancel query 1 on main" refused');
    expect((await executor.start(cancel(2, 'db-2'))).outcome).toBe('ok');
  });

  it('still trusts a host key on a read-only screen: that changes only what opsdeck believes', async () => {
    const { executor, trusted, audit } = setUp({ readOnly: true });
    expect((await executor.start(trust)).outcome).toBe('ok');
    expect(trusted).toEqual(['edge']);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['host.trust-key', 'started'],
      ['host.trust-key', 'ok'],
    ]);
  });

  it('asks before an operation that needs a yes, with what the operator must read', () => {
    const { executor, store } = setUp();
    executor.request(cancel(4242));
    const { ui } = store.getState();
    expect(ui.overlay).toBe('confirm');
    expect(ui.confirm).toMatchObject({ operation: cancel(4242), confirmation: { kind: 'yes' }, description: { title: 'cancel query 4242 on main' } });
    expect(ui.confirm!.description.lines[1]).toBe("UPDATE users SET password = 'hunter2'");
  });

  it('runs in the background, one at a time per target: a second on the same backend is refused while the first runs', async () => {
    const database = heldDatabase();
    const { executor, store } = setUp({}, database.admin);
    const first = executor.start(cancel(4242));
    await settle();
    expect(message(store)?.text).toBe('cancel query 4242 on main…');
    const second = await executor.start(cancel(4242));
    expect(second).toMatchObject({ outcome: 'refused', message: 'cancel query 4242 on main: refused, an operation on db:main pid 4242 is still running' });
    const other = executor.start(cancel(77));
    await settle();
    expect(database.calls).toEqual([4242, 77]);
    database.release();
    database.release(false);
    expect((await first).outcome).toBe('ok');
    expect(await other).toMatchObject({ outcome: 'not-found', message: 'no backend 77 on main (it may have finished)' });
  });

  it(':abort stops a running operation, and its record says so', async () => {
    const database = heldDatabase();
    const { executor, audit } = setUp({}, database.admin);
    const running = executor.start(cancel(4242));
    await settle();
    expect(executor.abortAll()).toBe(1);
    expect(await running).toMatchObject({ outcome: 'cancelled', message: 'cancel query 4242 on main: stopped before it finished' });
    expect(audit.map((a) => a.outcome)).toEqual(['started', 'cancelled']);
    expect(executor.abortAll()).toBe(0);
  });

  it('verifies by a fresh sample: a backend still running its query after the yes is reported failed', async () => {
    const busy = fleetWithDatabase().databases.main!.sample as PostgresSample;
    const stuck = { ...busy, queries: busy.queries.map((q) => ({ ...q, pid: 4242, state: 'active' })) };
    const { executor, audit } = setUp({}, { cancelBackend: async () => true, terminateBackend: async () => true, collect: async () => stuck });
    const result = await executor.start(cancel(4242));
    expect(result).toMatchObject({ outcome: 'failed', message: 'SELECT pg_cancel_backend(4242) was accepted, but pid 4242 on main is still running its query after 5 s' });
    expect(audit.map((a) => a.outcome)).toEqual(['started', 'failed']);
  }, 15_000);

  it('a failure is shown as an error, in Events, and on the record with its reason', async () => {
    const { executor, store, audit, events } = setUp({}, { cancelBackend: async () => Promise.reject(new Error('connection reset')), terminateBackend: async () => true, collect: async () => quiet });
    const result = await executor.start(cancel(4242));
    expect(result).toMatchObject({ outcome: 'failed', message: 'cancel query 4242 on main failed: connection reset' });
    expect(message(store)?.level).toBe('error');
    expect(events.at(-1)).toMatchObject({ level: 'warn', message: 'cancel query 4242 on main failed: connection reset' });
    expect(audit.at(-1)).toMatchObject({ outcome: 'failed', error: 'cancel query 4242 on main failed: connection reset' });
  });
});

describe('a running operation\'s progress', () => {
  it('is kept by its target while it runs (the Backups view shows it) and gone once it ends; a second on the same target is refused', async () => {
    let finish: () => void = () => undefined;
    const control: BackupControl = {
      database: 'main',
      kind: 'postgres',
      dir: '/var/backups/main',
      backup: (_signal, progress) =>
        new Promise((resolve) => {
          progress({ step: 'dumping', bytes: 2048, startedAt: Date.now() - 1000 });
          finish = () => resolve({ fileName: 'opsdeck-main-20261130T233006.123Z.pgdump', path: '/var/backups/main/x', bytes: 2048, sha256: 'c'.repeat(64), verifiedBy: 'pg_restore -f /dev/null', elapsedMs: 1000, removed: [], notRemoved: [], cleaned: [], notes: [] });
        }),
      list: async () => ({ dir: '/var/backups/main', files: [], space: { freeBytes: 0, totalBytes: 0 } }),
      restore: async () => Promise.reject(new Error('unused')),
      testRestore: async () => Promise.reject(new Error('unused')),
    };
    const store = createOpsStore();
    const audit: AuditEntry[] = [];
    const executor = new OperationExecutor({
      ports: { database: () => undefined, sshHost: () => undefined, units: () => undefined, maintenance: () => undefined, processes: () => undefined, shell: () => undefined, backup: () => control },
      audit: { location: 'memory', append: async (e) => void audit.push(e) },
      readOnly: false,
      say: statusLine(store),
      progress: progressByTarget(store),
      record: () => undefined,
    });
    const backup: Operation = { kind: 'db.backup', params: { database: 'main', kind: 'postgres', host: 'db-1', dir: '/var/backups/main', apps: [] } };
    const running = executor.start(backup);
    await settle();
    expect(store.getState().ui.progress).toEqual({ 'backup:main': expect.stringMatching(/^dumping 2\.0K, 2\.0K\/s, 1(\.0)?s$/) });
    expect(message(store)?.text).toMatch(/^back up main: dumping 2\.0K/);
    expect(await executor.start(backup)).toMatchObject({ outcome: 'refused', message: 'back up main: refused, an operation on backup:main is still running' });
    finish();
    expect(await running).toMatchObject({ outcome: 'ok', result: { sha256: 'c'.repeat(64) } });
    expect(store.getState().ui.progress).toEqual({});
    expect(audit.at(-1)).toMatchObject({ action: 'db.backup', outcome: 'ok', result: { fileName: 'opsdeck-main-20261130T233006.123Z.pgdump' } });
  });
});
