// Issue 8, the cockpit side on a real sshd test host with the daemonless systemctl: Enter on a unit
// follows its log in Logs and leaving the view ends the remote follower; T/K signal a real remote
// process, verified gone; the maintenance source reads what the flag file says.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Controls } from '../../src/app/commands.js';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import { handleKey } from '../../src/app/dispatch.js';
import { displayLines } from '../../src/app/logview.js';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import { cockpitOperations, statusLine } from '../../src/app/operations/controls.js';
import type { Operation } from '../../src/app/operations/registry.js';
import { serviceRows } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, emptyData, type OpsStore } from '../../src/app/store.js';
import { followUnitLogs } from '../../src/app/unit-log.js';
import { formatMaintenanceNote } from '../../src/domain/maintenance.js';
import { isLiveStat, type ProcessSignal } from '../../src/domain/process-control.js';
import { auditTrail } from '../../src/services/audit.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import { testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';
import { testControls } from '../helpers/controls.js';

let workspace: Workspace;
let sshd: SshdHost;
let systemd: SystemdRoot;
let scratch: string;
let user: { uid: number; gid: number; name: string };
let config: OpsConfig;
let store: OpsStore;
let runtime: Runtime;
let auditLog: string;
let stopUnitLogs: () => void;
let connection: SshConnection;
const locals: ChildProcess[] = [];

const flagPath = () => join(systemd.dir, 'maintenance.flag');

function executor(readOnly = false) {
  return cockpitOperations(new OperationExecutor({ ports: runtime.operationPorts(), audit: auditTrail(auditLog), readOnly, say: statusLine(store), record: (event) => runtime.recordEvent(event) }), store);
}

const controls = (): Controls => testControls(executor());
const press = (key: string) => handleKey(store, config.keymap, key, key === 'enter' ? '\r' : key === 'escape' ? '\u001b' : key, controls(), {});
const ui = () => store.getState().ui;

async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && isLiveStat(stat);
}

beforeAll(async () => {
  user = await ensureTestUser();
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-cockpit-ops-'));
  auditLog = join(scratch, 'audit.jsonl');
  workspace = await Workspace.create();
  sshd = await SshdHost.start(workspace, 'delta');
  await workspace.trust(sshd);
  await workspace.writeSshConfig([{ alias: 'delta', port: sshd.port, user: user.name }]);
  // A unit that keeps writing numbered lines, as a service writes its log.
  const dir = join(sshd.dir, 'systemd');
  await mkdir(dir, { recursive: true });
  const chatty = join(dir, 'chatty.sh');
  await writeFile(chatty, '#!/bin/sh\nn=0\nwhile true; do n=$((n+1)); echo "chatty line $n"; sleep 0.2; done\n');
  await chmod(chatty, 0o755);
  systemd = await makeSystemdRoot(dir, { 'chatty.service': unitFile('Chatty', chatty), 'app.service': unitFile('App') }, user);
  await systemd.ctl('start', 'chatty.service');
  config = resolveConfig(
    { refresh: '1s', hosts: { delta: { ssh: 'delta', systemctl: systemd.systemctl, services: ['app.service', 'chatty.service'], logs: [], maintenance: flagPath() } } },
    null,
    loadDefaultBindings(),
  ).config;
  store = createOpsStore(emptyData(), { refreshMs: 1000 });
  runtime = new Runtime(config, store, { local: new LocalHostAdapter(), remote: new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000 }) });
  await runtime.prepare();
  runtime.start();
  stopUnitLogs = followUnitLogs(store, (host, unit) => runtime.openUnitLog(host, unit));
  connection = testConnection(workspace.sshConfig, workspace.dir, 'delta');
  await waitFor('units listed', () => store.getState().data.hosts.delta?.services?.units.length === 2, 20_000);
}, 120_000);

afterAll(async () => {
  stopUnitLogs?.();
  runtime?.stop();
  connection?.close();
  for (const child of locals) child.kill('SIGKILL');
  await systemd?.ctl('stop', 'chatty.service');
  await sshd?.stop();
  await workspace?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('Enter on a unit: its log in Logs', () => {
  const logFile = () => join(systemd.dir, 'root/var/log/journal/chatty.service.log');

  async function openChatty(): Promise<void> {
    store.setState((s) => ({ ...s, ui: { ...s.ui, host: 'delta', focus: 'services' } }));
    const index = serviceRows(store.getState().data, ui()).findIndex((r) => r.unit.name === 'chatty.service');
    store.setState((s) => ({ ...s, ui: { ...s.ui, cursor: { ...s.ui.cursor, services: index } } }));
    press('enter');
  }

  test('shows the unit\'s lines (the daemonless systemctl\'s log: no journald there), says which unit and from where; Esc goes back and ends the remote follower', { timeout: 60_000 }, async () => {
    await openChatty();
    expect(ui()).toMatchObject({ focus: 'logs', unitLog: { host: 'delta', unit: 'chatty.service' } });
    const shown = await waitFor('chatty lines in Logs', () => {
      const { lines, sources } = displayLines(store.getState().data, ui());
      return [...lines].some((l) => /^chatty line \d+$/.test(l.text)) ? { lines, sources } : undefined;
    }, 20_000);
    // Only that unit's log is in view, and it says where its lines come from.
    expect(shown.sources).toEqual([expect.objectContaining({ host: 'delta', unit: 'chatty.service', from: `no journal entries; the daemonless systemctl's log ${logFile()}` })]);
    const followers = await waitFor('the remote follower', async () => {
      const found = await processesMatching(logFile());
      return found.length > 0 ? found : undefined;
    });
    // New lines keep coming while the view is open.
    const newest = () => Math.max(...[...displayLines(store.getState().data, ui()).lines].map((l) => Number(/(\d+)$/.exec(l.text)?.[1] ?? 0)));
    const before = newest();
    await waitFor('newer lines', () => newest() > before + 2);

    press('escape');
    expect(ui()).toMatchObject({ focus: 'services', unitLog: null });
    await waitFor('remote tail gone', async () => (await processesMatching(logFile())).length === 0);
    // An exiting process's cmdline empties before its stat says so: wait for the end, not a sample.
    for (const pid of followers) await waitFor(`follower ${pid} ended`, async () => !(await alive(pid)));
    await waitFor('its lines dropped from the store', () => Object.values(store.getState().data.logs).every((l) => l.unit === undefined));
  });

  test('leaving Logs any other way (Tab) ends the view and its follower too', { timeout: 60_000 }, async () => {
    await openChatty();
    await waitFor('the remote follower', async () => (await processesMatching(logFile())).length > 0);
    press('tab');
    expect(ui().unitLog).toBeNull();
    expect(ui().focus).not.toBe('logs');
    await waitFor('remote tail gone', async () => (await processesMatching(logFile())).length === 0);
  });
});

describe('T and K over SSH', () => {
  /** A `sleep` started on the host as its login, left running when the channel closes. */
  async function remoteSleep(seconds: number, ignoreTerm = false): Promise<number> {
    const script = `${ignoreTerm ? 'trap "" TERM; ' : ''}sleep ${seconds} </dev/null >/dev/null 2>&1 & echo $!`;
    const { stdout } = await connection.exec(script, AbortSignal.timeout(10_000));
    const pid = Number(stdout.trim());
    expect(await alive(pid)).toBe(true);
    return pid;
  }

  const op = (signal: ProcessSignal, pid: number, host = 'delta', sudo = false): Operation => ({
    kind: signal === 'TERM' ? 'process.term' : 'process.kill',
    params: { host, local: false, pid, name: 'sleep', user: user.name, cpuPercent: 0, memBytes: 0, signal, sudo },
  });

  const records = async () => (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  test('TERM makes a remote sleep gone, on the audit record', { timeout: 30_000 }, async () => {
    const pid = await remoteSleep(7301);
    const result = await executor().start(op('TERM', pid));
    expect(result).toMatchObject({ outcome: 'ok', message: `delta: pid ${pid} (sleep) sent TERM, verified gone` });
    expect(await alive(pid)).toBe(false);
    expect((await records()).filter((r) => r.id === result.id).map((r) => r.outcome)).toEqual(['started', 'ok']);
  });

  test('a sleep that ignores TERM is reported still running; KILL makes it gone', { timeout: 30_000 }, async () => {
    const pid = await remoteSleep(7302, true);
    expect(await executor().start(op('TERM', pid))).toMatchObject({ outcome: 'failed', message: `delta: pid ${pid} (sleep) still running 5 s after TERM (it may ignore TERM; K sends KILL)` });
    expect(await alive(pid)).toBe(true);
    expect(await executor().start(op('KILL', pid))).toMatchObject({ outcome: 'ok', message: `delta: pid ${pid} (sleep) sent KILL, verified gone` });
    expect(await alive(pid)).toBe(false);
  });

  test('another user\'s process is refused by the host with a clear message, and lives on', { timeout: 30_000 }, async () => {
    const child = spawn('sleep', ['7303'], { stdio: 'ignore' });
    locals.push(child);
    const result = await executor().start(op('TERM', child.pid!));
    expect(result).toMatchObject({ outcome: 'failed', message: `TERM pid ${child.pid} (sleep) on delta failed: not permitted to signal pid ${child.pid} on delta: it belongs to another user (sudo: true on the host runs kill through sudo -n)` });
    expect(await alive(child.pid!)).toBe(true);
  });

  test('sudo: true without the right fails within 5 s, nothing killed', { timeout: 30_000 }, async () => {
    const pid = await remoteSleep(7304);
    // The same login, watched again as a sudo host.
    const sudoConfig = resolveConfig({ hosts: { 'delta-sudo': { ssh: 'delta', sudo: true, logs: [], services: [] } } }, null, loadDefaultBindings()).config;
    const sudoRuntime = new Runtime(sudoConfig, createOpsStore(), { local: new LocalHostAdapter(), remote: new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000 }) });
    await sudoRuntime.prepare();
    try {
      const sudoExecutor = new OperationExecutor({ ports: sudoRuntime.operationPorts(), audit: auditTrail(auditLog), readOnly: false, say: () => undefined, record: () => undefined });
      const began = Date.now();
      const result = await sudoExecutor.start(op('TERM', pid, 'delta-sudo', true));
      expect(Date.now() - began).toBeLessThan(5000);
      expect(result.outcome).toBe('failed');
      expect(result.message).toMatch(/^TERM pid \d+ \(sleep\) on delta-sudo failed: (sudo -n refused on delta-sudo: sudo: a password is required \(allow kill without a password in sudoers, or set sudo: false\)|kill -TERM \d+ on delta-sudo: .*sudo.*not found)/);
      expect(await alive(pid)).toBe(true);
    } finally {
      sudoRuntime.stop();
      await connection.exec(`kill ${pid}`, AbortSignal.timeout(10_000));
    }
  });

  test('--read-only refuses it on the audit record, nothing sent', { timeout: 30_000 }, async () => {
    const pid = await remoteSleep(7305);
    const result = await executor(true).start(op('KILL', pid));
    expect(result).toMatchObject({ outcome: 'refused', message: `read-only: "KILL pid ${pid} (sleep) on delta" refused` });
    expect((await records()).at(-1)).toMatchObject({ action: 'process.kill', host: 'delta', target: `process:delta/${pid}`, outcome: 'refused' });
    expect(await alive(pid)).toBe(true);
    await connection.exec(`kill ${pid}`, AbortSignal.timeout(10_000));
  });
});

describe('the maintenance source over SSH', () => {
  test('reads who, why and the expiry from the host\'s flag file into the host\'s view', { timeout: 30_000 }, async () => {
    const expiresAt = Date.now() + 3_600_000;
    await writeFile(flagPath(), formatMaintenanceNote({ who: 'alice', at: Date.now(), why: 'disk swap', expiresAt }));
    const host = await waitFor('the note read', () => {
      const view = store.getState().data.hosts.delta;
      return view?.maintenanceNote?.why === 'disk swap' ? view : undefined;
    });
    expect(host).toMatchObject({ maintenanceOn: true, maintenanceExpired: false, maintenanceNote: { who: 'alice', why: 'disk swap', expiresAt } });
    await rm(flagPath());
    await waitFor('cleared', () => store.getState().data.hosts.delta?.maintenanceOn === false);
  });
});
