// Issue 8, unit operations and the maintenance flag on a real sshd host whose units the daemonless
// systemctl really starts and stops, run by the real executor with a real audit file.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import type { Operation } from '../../src/app/operations/registry.js';
import type { HostConfig, OpsEvent } from '../../src/domain/model.js';
import { auditTrail } from '../../src/services/audit.js';
import type { HostWatch } from '../../src/services/host-adapter.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { parseShow } from '../../src/services/systemd/units.js';
import { sshHost } from '../harness/hosts.js';
import { running } from '../harness/processes.js';
import { ensureTestUser, SshdHost, TEST_USER, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const run = promisify(execFile);

let workspace: Workspace;
let sshd: SshdHost;
let systemd: SystemdRoot;
let adapter: SshHostAdapter;
let scratch: string;
const watches = new Map<string, HostWatch>();
const hosts = new Map<string, HostConfig>();

/** The unit as the host's systemctl says, read beside opsdeck rather than through it. */
async function unitState(unit: string) {
  const { stdout } = await run(systemd.systemctl, ['show', unit]);
  return parseShow(stdout, [unit])[0]!;
}

function executor(options: { readOnly?: boolean; readOnlyHosts?: string[] } = {}) {
  const events: OpsEvent[] = [];
  const auditLog = join(scratch, `audit-${Math.random().toString(36).slice(2)}.jsonl`);
  let status: string | undefined;
  const exec = new OperationExecutor({
    ports: { database: () => undefined, sshHost: () => undefined, units: (h) => watches.get(h)?.units, maintenance: (h) => watches.get(h)?.maintenanceFlag, processes: (h) => watches.get(h)?.processControl, shell: (h) => watches.get(h)?.shell, backup: () => undefined },
    audit: auditTrail(auditLog),
    readOnly: options.readOnly ?? false,
    readOnlyHosts: new Set(options.readOnlyHosts ?? []),
    say: (text) => (status = text),
    record: (event) => events.push(event),
  });
  const records = async () => (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { exec, events, records, status: () => status };
}

const unitOp = (host: string, verb: 'restart' | 'stop' | 'start', unit: string): Operation => {
  const h = hosts.get(host)!;
  return { kind: `unit.${verb}`, params: { host, unit, verb, systemctl: h.systemctl, sudo: h.sudo } } as Operation;
};

beforeAll(async () => {
  const user = await ensureTestUser();
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-ops-'));
  workspace = await Workspace.create();
  sshd = await SshdHost.start(workspace, 'gamma');
  await workspace.trust(sshd);
  await workspace.writeSshConfig([{ alias: 'gamma', port: sshd.port, user: user.name }]);
  systemd = await makeSystemdRoot(
    join(sshd.dir, 'systemd'),
    {
      'app.service': unitFile('App'),
      'broken.service': unitFile('Broken', '/bin/sh -c "echo config line 12: unknown key >&2; echo giving up; exit 3"'),
      // Up for two seconds, then gone: a crash on its first request, a port taken, a config read late.
      'dies-soon.service': unitFile('Dies soon', '/bin/sh -c "echo listening; sleep 2; echo bind: address already in use >&2; exit 3"'),
      // ExecStop ends the main process itself: the daemonless systemctl waits for it, as systemd would.
      'slow-stop.service': unitFile('Slow to stop').replace('[Install]', 'ExecStop=/bin/sh -c "sleep 4; kill $MAINPID"\n[Install]'),
    },
    user,
  );
  await systemd.ctl('start', 'app.service');
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000 });
  for (const config of [
    sshHost('gamma', 'gamma', { systemctl: systemd.systemctl, maintenance: join(systemd.dir, 'maintenance.flag'), readOnly: false }),
    // The same login with sudo: true; it has no sudo right.
    sshHost('gamma-sudo', 'gamma', { systemctl: systemd.systemctl, sudo: true, readOnly: false }),
  ]) {
    hosts.set(config.name, config);
    watches.set(config.name, await adapter.watch(config, { timeoutMs: 5000 }));
  }
}, 120_000);

afterAll(async () => {
  adapter?.close();
  await systemd?.ctl('stop', 'app.service');
  await sshd?.stop();
  await workspace?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('unit operations over SSH and locally, verified by the unit\'s state', () => {
  test('restart gives the unit a new MainPID, said on the status line, in Events and in the audit file', { timeout: 60_000 }, async () => {
    const before = await unitState('app.service');
    expect(before.active).toBe('active');
    const { exec, events, records, status } = executor();
    const result = await exec.start(unitOp('gamma', 'restart', 'app.service'));
    expect(status()).toBe(result.message);
    const after = await unitState('app.service');
    expect(after.active).toBe('active');
    expect(after.mainPid).toBeGreaterThan(0);
    expect(after.mainPid).not.toBe(before.mainPid);
    expect(result).toMatchObject({ outcome: 'ok', message: `gamma: app.service restarted, verified active (running) for 5 s, MainPID ${before.mainPid} → ${after.mainPid}` });
    expect(events).toEqual([expect.objectContaining({ host: 'gamma', kind: 'action', message: result.message })]);
    expect(await records()).toEqual([
      expect.objectContaining({ action: 'unit.restart', host: 'gamma', target: 'unit:gamma/app.service', outcome: 'started' }),
      expect.objectContaining({ action: 'unit.restart', outcome: 'ok', id: result.id }),
    ]);
  });

  test('a unit whose start command fails is reported failed, with its last log lines', { timeout: 60_000 }, async () => {
    const { exec, records } = executor();
    const result = await exec.start(unitOp('gamma', 'start', 'broken.service'));
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/^gamma: start broken\.service FAILED: now failed \(failed\)/);
    // No journald on the test host: the lines come from the daemonless systemctl's log, and it says so.
    expect(result.message).toMatch(/last log lines \(no journal entries; the daemonless systemctl's log [^)]*broken\.service\.log\): config line 12: unknown key \| giving up/);
    expect((await records()).at(-1)).toMatchObject({ action: 'unit.start', outcome: 'failed', error: result.message });
  });

  test('a unit that runs and then dies two seconds after starting is reported failed, not verified', { timeout: 60_000 }, async () => {
    const { exec, status } = executor();
    const result = await exec.start(unitOp('gamma', 'start', 'dies-soon.service'));
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/^gamma: start dies-soon\.service FAILED: now failed \(failed\)/);
    expect(result.message).toContain('bind: address already in use');
    expect(status()).toBe(result.message);
  });

  test('stop is verified inactive and the process is gone', { timeout: 60_000 }, async () => {
    const before = await unitState('app.service');
    const result = await executor().exec.start(unitOp('gamma', 'stop', 'app.service'));
    expect(result).toMatchObject({ outcome: 'ok', message: 'gamma: app.service stopped, verified inactive (dead)' });
    expect((await unitState('app.service')).active).toBe('inactive');
    expect(running(before.mainPid!)).toBe(false);
    const started = await executor().exec.start(unitOp('gamma', 'start', 'app.service'));
    expect(started.message).toMatch(/^gamma: app\.service started, verified active \(running\) for 5 s, MainPID \d+$/);
  });

  test('a stop that takes longer than the probes\' deadline is waited for, not cut off', { timeout: 60_000 }, async () => {
    await systemd.ctl('start', 'slow-stop.service');
    const impatient = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000, execTimeoutMs: 2500 });
    try {
      const config = sshHost('gamma-impatient', 'gamma', { systemctl: systemd.systemctl, readOnly: false });
      hosts.set(config.name, config);
      watches.set(config.name, await impatient.watch(config, { timeoutMs: 2500 }));
      const began = Date.now();
      const result = await executor().exec.start(unitOp('gamma-impatient', 'stop', 'slow-stop.service'));
      expect(Date.now() - began).toBeGreaterThan(4000);
      expect(result).toMatchObject({ outcome: 'ok', message: 'gamma-impatient: slow-stop.service stopped, verified inactive (dead)' });
    } finally {
      impatient.close();
      await systemd.ctl('stop', 'slow-stop.service');
    }
  });

  test('locally, through execFile: restart and stop verified the same way', { timeout: 60_000 }, async () => {
    const root = await makeSystemdRoot(join(scratch, 'local-systemd'), { 'local-app.service': unitFile('Local app') });
    try {
      await root.ctl('start', 'local-app.service');
      const show = async () => parseShow((await run(root.systemctl, ['show', 'local-app.service'])).stdout, ['local-app.service'])[0]!;
      const config = { ...sshHost('here-units', ''), local: true, ssh: undefined, systemctl: root.systemctl, readOnly: false };
      hosts.set(config.name, config);
      watches.set(config.name, await new LocalHostAdapter().watch(config, { timeoutMs: 5000 }));
      const before = await show();
      const { exec } = executor();
      const restarted = await exec.start(unitOp('here-units', 'restart', 'local-app.service'));
      const after = await show();
      expect(after.mainPid).not.toBe(before.mainPid);
      expect(restarted).toMatchObject({ outcome: 'ok', message: `here-units: local-app.service restarted, verified active (running) for 5 s, MainPID ${before.mainPid} → ${after.mainPid}` });
      expect(await exec.start(unitOp('here-units', 'stop', 'local-app.service'))).toMatchObject({ outcome: 'ok', message: 'here-units: local-app.service stopped, verified inactive (dead)' });
    } finally {
      await root.ctl('stop', 'local-app.service');
    }
  });

  test('sudo: true without the right fails within 5 s with a clear message, and the unit is untouched', { timeout: 30_000 }, async () => {
    const before = await unitState('app.service');
    const began = Date.now();
    const result = await executor().exec.start(unitOp('gamma-sudo', 'restart', 'app.service'));
    expect(Date.now() - began).toBeLessThan(5000);
    expect(result.outcome).toBe('failed');
    // The test host is this machine: where sudo is installed the login has no right to it, else it says sudo is missing.
    expect(result.message).toMatch(
      existsSync('/usr/bin/sudo')
        ? /^restart app\.service on gamma-sudo failed: sudo -n refused on gamma-sudo: sudo: a password is required \(allow \S+\/systemctl without a password in sudoers, or set sudo: false\)$/
        : /^restart app\.service on gamma-sudo failed: sudo: not found on gamma-sudo/,
    );
    expect((await unitState('app.service')).mainPid).toBe(before.mainPid);
  });
});

describe('the maintenance flag', () => {
  const flagPath = () => join(systemd.dir, 'maintenance.flag');
  const flagOp = (host: string, on: boolean, path: string): Operation => ({ kind: on ? 'host.maintenance-on' : 'host.maintenance-off', params: { host, path, why: 'set from the opsdeck cockpit' } });

  test('on and off over SSH create the file with who, when and why, then remove it; twice is no error', { timeout: 30_000 }, async () => {
    const { exec } = executor();
    const before = Date.now();
    for (let i = 0; i < 2; i++) expect(await exec.start(flagOp('gamma', true, flagPath()))).toMatchObject({ outcome: 'ok', message: `gamma: maintenance flag set (${flagPath()}, verified), no expiry` });
    const content = await readFile(flagPath(), 'utf8');
    expect(content).toMatch(/^who: root\nwhen: \d{4}-\d\d-\d\dT[\d:.]+Z\nwhy: set from the opsdeck cockpit\n$/);
    expect(Date.parse(content.split('\n')[1]!.slice(6))).toBeGreaterThanOrEqual(before - 1000);
    // Written by the host's login, as a file its other tools can read.
    expect((await stat(flagPath())).mode & 0o777).toBe(0o644);
    for (let i = 0; i < 2; i++) expect(await exec.start(flagOp('gamma', false, flagPath()))).toMatchObject({ outcome: 'ok', message: `gamma: maintenance flag cleared (${flagPath()}, verified absent)` });
    await expect(stat(flagPath())).rejects.toThrow(/ENOENT/);
  });

  test('a flag path with a quote, a space and $(...) is one word on the remote shell: that file, nothing run', { timeout: 30_000 }, async () => {
    // A path holds no "/" inside the $(...): the canary lands in the login's home, where a command runs.
    const name = `CANARY-${process.pid}`;
    const canary = join('/home', TEST_USER, name);
    const path = join(systemd.dir, `odd '$(touch ${name})' ; flag`);
    const config = sshHost('gamma-odd', 'gamma', { systemctl: systemd.systemctl, maintenance: path, readOnly: false });
    watches.set(config.name, await adapter.watch(config, { timeoutMs: 5000 }));
    const { exec } = executor();
    expect((await exec.start(flagOp('gamma-odd', true, path))).outcome).toBe('ok');
    expect(await readFile(path, 'utf8')).toContain('why: set from the opsdeck cockpit\n');
    expect((await exec.start(flagOp('gamma-odd', false, path))).outcome).toBe('ok');
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    await expect(stat(canary)).rejects.toThrow(/ENOENT/);
  });

  test('on and off locally', { timeout: 30_000 }, async () => {
    const path = join(scratch, "flag with 'quote'");
    const local = new LocalHostAdapter();
    watches.set('here', await local.watch({ ...sshHost('here', ''), local: true, ssh: undefined, maintenance: path, readOnly: false }, { timeoutMs: 5000 }));
    const { exec } = executor();
    expect((await exec.start(flagOp('here', true, path))).outcome).toBe('ok');
    expect(await readFile(path, 'utf8')).toContain('why: set from the opsdeck cockpit\n');
    expect((await exec.start(flagOp('here', false, path))).outcome).toBe('ok');
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  test('--read-only and a readOnly host refuse it, on the audit record, and nothing is written', { timeout: 30_000 }, async () => {
    for (const options of [{ readOnly: true }, { readOnlyHosts: ['gamma'] }]) {
      const { exec, records, events } = executor(options);
      const result = await exec.start(flagOp('gamma', true, flagPath()));
      expect(result.outcome).toBe('refused');
      expect(result.message).toMatch(/read-only.*"set maintenance on gamma" refused/);
      expect(await records()).toEqual([expect.objectContaining({ action: 'host.maintenance-on', host: 'gamma', outcome: 'refused' })]);
      expect(events.at(-1)?.message).toBe(result.message);
      await expect(stat(flagPath())).rejects.toThrow(/ENOENT/);
    }
  });
});
