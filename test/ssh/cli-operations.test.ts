// Issue 8, the scriptable subcommands: `opsdeck restart|start|stop HOST UNIT...` and `opsdeck maintenance
// on|off`, run as the built CLI against real sshd hosts whose units the daemonless systemctl really
// starts and stops, with a real audit file: confirmation, read-only refusal, ordered restarts that stop
// at the first failure, a group fan-out with a dead host, exit codes and the JSON for scripts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseShow } from '../../src/services/systemd/units.js';
import { runCliAsync } from '../helpers/cli.js';
import { silentListener, type Listener } from '../harness/listeners.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const run = promisify(execFile);
const CONNECT_TIMEOUT_MS = 2000;
const UNITS = {
  'app.service': unitFile('App'),
  'worker.service': unitFile('Worker'),
  'broken.service': unitFile('Broken', '/bin/sh -c "echo cannot bind 0.0.0.0:8080 >&2; echo giving up; exit 3"'),
};

let workspace: Workspace;
let scratch: string;
/** Where the test user's commands write (and where a canary would appear). */
let drops: string;
let silent: Listener;
let config: string;
const sshd: SshdHost[] = [];
const systemd: Record<string, SystemdRoot> = {};
let sequence = 0;

async function mainPid(host: string, unit: string): Promise<number | undefined> {
  return parseShow((await run(systemd[host]!.systemctl, ['show', unit])).stdout, [unit])[0]?.mainPid;
}

type AuditLine = { at: string; action: string; host: string; target: string; outcome: string; id: string; error?: string; detail?: Record<string, unknown> };

/** The CLI as a script runs it (no terminal), with an audit file of its own; the test config unless the args name one. */
async function opsdeck(...args: string[]) {
  const auditLog = join(scratch, `audit-${sequence++}.jsonl`);
  const began = performance.now();
  const result = await runCliAsync(args.includes('--config') ? args : [...args, '--config', config], { SSH_AUTH_SOCK: '', OPSDECK_AUDIT_LOG: auditLog, NO_COLOR: '1' }, 90_000);
  const audit = async (): Promise<AuditLine[]> =>
    (await readFile(auditLog, 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditLine);
  return { ...result, audit, elapsedMs: performance.now() - began };
}

beforeAll(async () => {
  const user = await ensureTestUser();
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-cli-ops-'));
  drops = join(scratch, 'drops');
  await mkdir(drops);
  await chmod(scratch, 0o755);
  await chmod(drops, 0o777);
  workspace = await Workspace.create();
  for (const name of ['web-1', 'web-2']) {
    const host = await SshdHost.start(workspace, name);
    await workspace.trust(host);
    sshd.push(host);
    systemd[name] = await makeSystemdRoot(join(host.dir, 'systemd'), UNITS, user);
    await systemd[name].ctl('start', 'app.service');
    await systemd[name].ctl('start', 'worker.service');
  }
  // web-3 accepts TCP and never speaks SSH: a host that is down behind a live port.
  silent = await silentListener();
  await workspace.writeSshConfig([
    { alias: 'web-1', port: sshd[0]!.port, user: user.name },
    { alias: 'web-2', port: sshd[1]!.port, user: user.name },
    { alias: 'web-3', port: silent.port, user: user.name },
  ]);
  config = join(workspace.dir, 'opsdeck.yaml');
  const s1 = systemd['web-1']!;
  const s2 = systemd['web-2']!;
  await writeFile(
    config,
    [
      `ssh: {config: ${workspace.sshConfig}, connectTimeout: ${CONNECT_TIMEOUT_MS}ms}`,
      'hosts:',
      `  web-1: {ssh: web-1, group: web, systemctl: ${s1.systemctl}, services: [app.service, broken.service, worker.service], maintenance: ${join(s1.dir, 'maintenance.flag')}, logs: []}`,
      '  web-3: {ssh: web-3, group: web, services: [app.service], logs: []}',
      `  web-2: {ssh: web-2, group: web, systemctl: ${s2.systemctl}, services: [app.service, worker.service], logs: []}`,
      `  web-1-ro: {ssh: web-1, systemctl: ${s1.systemctl}, services: [app.service], readOnly: true, logs: []}`,
      `  here: {local: true, maintenance: ${join(scratch, "flag with 'quote'")}, services: [], logs: []}`,
      // Operator commands for `opsdeck run`; the test user writes in drops/, where a canary would land.
      'actions:',
      '  greet:',
      '    key: ctrl+g',
      '    hosts: web-1',
      `    run: echo hello from {host} && touch ${drops}/greeted-{host}`,
      '  touch-canary:',
      '    key: ctrl+o',
      '    hosts: web-1',
      `    run: touch ${drops}/CANARY`,
      '  show-unit:',
      '    key: ctrl+y',
      '    hosts: web',
      "    run: printf '<%s>\\n' {unit}",
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  for (const root of Object.values(systemd)) for (const unit of Object.keys(UNITS)) await root.ctl('stop', unit);
  for (const host of sshd) await host.stop();
  await silent?.close();
  await workspace?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('opsdeck restart|start|stop', () => {
  test('restart --yes --format json: each unit in the order given gets a new MainPID, verified, on the audit record', { timeout: 90_000 }, async () => {
    const before = { worker: await mainPid('web-1', 'worker.service'), app: await mainPid('web-1', 'app.service') };
    const result = await opsdeck('restart', 'web-1', 'worker', 'app.service', '--yes', '--format', 'json');
    expect(result.stderr).toContain('restart worker.service on web-1…');
    expect(result.code).toBe(0);
    const after = { worker: await mainPid('web-1', 'worker.service'), app: await mainPid('web-1', 'app.service') };
    expect(after.worker).not.toBe(before.worker);
    expect(after.app).not.toBe(before.app);
    const audit = await result.audit();
    expect(JSON.parse(result.stdout)).toEqual({
      command: 'restart',
      ok: true,
      results: [
        { host: 'web-1', unit: 'worker.service', outcome: 'ok', message: `web-1: worker.service restarted, verified active (running) for 5 s, MainPID ${before.worker} → ${after.worker}`, auditId: audit[0]!.id },
        { host: 'web-1', unit: 'app.service', outcome: 'ok', message: `web-1: app.service restarted, verified active (running) for 5 s, MainPID ${before.app} → ${after.app}`, auditId: audit[2]!.id },
      ],
    });
    expect(audit.map((a) => [a.action, a.target, a.outcome])).toEqual([
      ['unit.restart', 'unit:web-1/worker.service', 'started'],
      ['unit.restart', 'unit:web-1/worker.service', 'ok'],
      ['unit.restart', 'unit:web-1/app.service', 'started'],
      ['unit.restart', 'unit:web-1/app.service', 'ok'],
    ]);
  });

  test('without a terminal and without --yes: exit 2, nothing runs, nothing on the audit record', { timeout: 60_000 }, async () => {
    const before = await mainPid('web-1', 'app.service');
    const result = await opsdeck('restart', 'web-1', 'app');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('opsdeck: restart asks for a yes and there is no terminal to ask on: add --yes (nothing was done)');
    expect(await mainPid('web-1', 'app.service')).toBe(before);
    expect(await result.audit()).toEqual([]);
  });

  test('--read-only, readOnly: true in the config and a readOnly host refuse, on the audit record, and nothing runs', { timeout: 180_000 }, async () => {
    const before = await mainPid('web-1', 'app.service');
    const readOnlyConfig = join(scratch, 'read-only.yaml');
    await writeFile(readOnlyConfig, `readOnly: true\n${await readFile(config, 'utf8')}`);
    for (const [args, refusal] of [
      [['restart', 'web-1', 'app', '--read-only'], 'read-only: "restart app.service on web-1" refused'],
      [['--read-only', 'stop', 'web-1', 'app'], 'read-only: "stop app.service on web-1" refused'],
      [['restart', 'web-1-ro', 'app'], 'read-only host web-1-ro: "restart app.service on web-1-ro" refused'],
      [['restart', 'web-1', 'app', '--config', readOnlyConfig], 'read-only: "restart app.service on web-1" refused'],
    ] as const) {
      // No --yes, no terminal: a refusal is not put to anyone, it is refused at once.
      const result = await opsdeck(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^HOST +UNIT +RESULT +MESSAGE\\n\\S+ +app\\.service +refused +${refusal.replace(/[.*"()]/g, '\\$&')}\\n$`));
      expect(await result.audit()).toEqual([expect.objectContaining({ action: (args as readonly string[]).includes('stop') ? 'unit.stop' : 'unit.restart', outcome: 'refused', error: refusal })]);
    }
    expect(await mainPid('web-1', 'app.service')).toBe(before);
  });

  test("without units, the host's services: in order, stopping at the first that fails verification; the rest skipped", { timeout: 90_000 }, async () => {
    const worker = await mainPid('web-1', 'worker.service');
    const result = await opsdeck('restart', 'web-1', '--yes');
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST +UNIT +RESULT +MESSAGE$/);
    expect(lines[1]).toMatch(/^web-1 +app\.service +ok +app\.service restarted, verified active \(running\) for 5 s, MainPID \d+ → \d+$/);
    // The failure carries the unit's last log lines.
    expect(lines[2]).toMatch(/^web-1 +broken\.service +failed +restart broken\.service FAILED: now failed \(failed\).*last log lines \([^)]*\): cannot bind 0\.0\.0\.0:8080 \| giving up$/);
    expect(lines[3]).toMatch(/^web-1 +worker\.service +skipped +not reached: stopped after restart broken\.service on web-1 \(failed\)$/);
    expect(lines).toHaveLength(4);
    expect(await mainPid('web-1', 'worker.service')).toBe(worker);
    expect((await result.audit()).map((a) => [a.target, a.outcome])).toEqual([
      ['unit:web-1/app.service', 'started'],
      ['unit:web-1/app.service', 'ok'],
      ['unit:web-1/broken.service', 'started'],
      ['unit:web-1/broken.service', 'failed'],
    ]);
  });

  test('a group, host by host in config order: the dead host is reported with its reason within its connect timeout, the next skipped (or, with --keep-going, restarted)', { timeout: 180_000 }, async () => {
    for (const keepGoing of [false, true]) {
      const before = await mainPid('web-2', 'app.service');
      const result = await opsdeck('restart', 'web', 'app', '--yes', '--format', 'json', ...(keepGoing ? ['--keep-going'] : []));
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; results: { host: string; unit: string; outcome: string; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.results.map((r) => [r.host, r.unit, r.outcome])).toEqual([
        ['web-1', 'app.service', 'ok'],
        ['web-3', 'app.service', 'failed'],
        ['web-2', 'app.service', keepGoing ? 'ok' : 'skipped'],
      ]);
      expect(report.results[1]!.message).toBe(`restart app.service on web-3 failed: no SSH banner within ${CONNECT_TIMEOUT_MS / 1000} s (is this port an SSH server?)`);
      if (keepGoing) expect(await mainPid('web-2', 'app.service')).not.toBe(before);
      else expect(await mainPid('web-2', 'app.service')).toBe(before);
      // The dead host's step, from its record before to its outcome, takes no longer than its connect timeout (plus the handshake's second).
      const dead = (await result.audit()).filter((a) => a.host === 'web-3');
      expect(dead.map((a) => a.outcome)).toEqual(['started', 'failed']);
      expect(Date.parse(dead[1]!.at) - Date.parse(dead[0]!.at)).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS + 1000);
    }
  });

  test('stop is verified inactive, start active again', { timeout: 60_000 }, async () => {
    const stopped = await opsdeck('stop', 'web-2', 'worker', '--yes');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/^web-2 +worker\.service +ok +worker\.service stopped, verified inactive \(dead\)$/m);
    expect(await mainPid('web-2', 'worker.service')).toBeUndefined();
    const started = await opsdeck('start', 'web-2', 'worker', '--yes');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^web-2 +worker\.service +ok +worker\.service started, verified active \(running\) for 5 s, MainPID \d+$/m);
  });

  test('a name the config does not know is a usage error (exit 2) that says what there is, and nothing runs', { timeout: 180_000 }, async () => {
    const cases: [string[], string][] = [
      [['restart', 'web-9', 'app'], 'opsdeck: no host or group "web-9" in '],
      [['restart', 'web-2', 'broken'], 'opsdeck: web-2 does not watch broken.service (its services: app.service, worker.service)'],
      [['restart', 'web', 'worker'], 'opsdeck: web-3 does not watch worker.service (its services: app.service)'],
      [['restart', 'web-1', 'app;reboot'], 'opsdeck: "app;reboot" is not a systemd unit name'],
      [['maintenance', 'on', 'web-2'], 'opsdeck: no maintenance flag configured for web-2 (hosts.web-2.maintenance: PATH)'],
      [['maintenance', 'on', 'web-1', '--expires', 'soon'], "option '--expires <duration>' argument 'soon' is invalid. expected a duration such as 30m or 2h"],
      [['maintenance', 'off', 'web-1', '--reason', 'done'], 'opsdeck: --reason and --expires are for maintenance on'],
    ];
    for (const [args, message] of cases) {
      const result = await opsdeck(...args, '--yes');
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
      expect(await result.audit()).toEqual([]);
    }
  });
});

describe('opsdeck maintenance on|off', () => {
  test('on --reason --expires writes who, when, why and until when over SSH; off removes it; both audited', { timeout: 60_000 }, async () => {
    const path = join(systemd['web-1']!.dir, 'maintenance.flag');
    const before = Date.now();
    const on = await opsdeck('maintenance', 'on', 'web-1', '--reason', 'DB migration #42', '--expires', '2h', '--yes', '--format', 'json');
    expect(on.code).toBe(0);
    const content = await readFile(path, 'utf8');
    expect(content).toMatch(/^who: root\nwhen: (\S+)\nwhy: DB migration #42\nexpires: (\S+)\n$/);
    const [, when, expires] = /when: (\S+)\nwhy: .*\nexpires: (\S+)/.exec(content)!;
    expect(Date.parse(when!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(expires!) - Date.parse(when!)).toBeGreaterThanOrEqual(2 * 3600_000 - 5000);
    expect(Date.parse(expires!) - Date.parse(when!)).toBeLessThanOrEqual(2 * 3600_000);
    expect(JSON.parse(on.stdout)).toEqual({
      command: 'maintenance on',
      ok: true,
      results: [{ host: 'web-1', path, outcome: 'ok', message: expect.stringMatching(new RegExp(`^web-1: maintenance flag set \\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, verified\\), until \\d\\d:\\d\\d:\\d\\d \\(2h00m\\)$`)), auditId: expect.any(String) }],
    });
    expect((await on.audit()).at(-1)).toMatchObject({ action: 'host.maintenance-on', outcome: 'ok', detail: { path, why: 'DB migration #42', expiresInMs: 7_200_000 } });

    const off = await opsdeck('maintenance', 'off', 'web-1', '--yes');
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^web-1 +\S+maintenance\.flag +ok +maintenance flag cleared \(\S+, verified absent\)$/m);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect((await off.audit()).map((a) => [a.action, a.outcome])).toEqual([
      ['host.maintenance-off', 'started'],
      ['host.maintenance-off', 'ok'],
    ]);
  });

  test('on without --yes and without a terminal: exit 2, no flag written, nothing on the audit record', { timeout: 60_000 }, async () => {
    const path = join(scratch, "flag with 'quote'");
    const result = await opsdeck('maintenance', 'on', 'here', '--reason', 'DB migration', '--expires', '2h');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('opsdeck: maintenance on asks for a yes and there is no terminal to ask on: add --yes (nothing was done)');
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect(await result.audit()).toEqual([]);
  });

  test('on and off on the local host, without a reason: the command line says it set it', { timeout: 60_000 }, async () => {
    const path = join(scratch, "flag with 'quote'");
    expect((await opsdeck('maintenance', 'on', 'here', '--yes')).code).toBe(0);
    expect(await readFile(path, 'utf8')).toMatch(/^who: root\nwhen: \S+\nwhy: set from the opsdeck command line\n$/);
    expect((await opsdeck('maintenance', 'off', 'here', '--yes')).code).toBe(0);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});

describe('opsdeck run ACTION', () => {
  const canary = () => join(drops, 'CANARY');

  test("runs the action's command over SSH, its output on stdout, then the host's exit status; started and outcome on the audit record", { timeout: 60_000 }, async () => {
    const result = await opsdeck('run', 'greet', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hello from web-1\nHOST {3}RESULT {2}STATUS\nweb-1 {2}ok {6}exit 0 in \d+ms\n$/);
    expect(existsSync(join(drops, 'greeted-web-1'))).toBe(true);
    const audit = await result.audit();
    expect(audit.map((a) => [a.action, a.target, a.host, a.outcome])).toEqual([
      ['action.run', 'action:greet', 'web-1', 'started'],
      ['action.run', 'action:greet', 'web-1', 'ok'],
    ]);
    expect(audit[0]!.detail).toMatchObject({ commands: { 'web-1': `echo hello from 'web-1' && touch ${drops}/greeted-'web-1'` } });
  });

  test('fanned out with --hosts and --format json: each line prefixed by its host on stderr, one JSON object with each host\'s result on stdout', { timeout: 60_000 }, async () => {
    const result = await opsdeck('run', 'greet', '--hosts', 'web-2,web-1', '--yes', '--format', 'json');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('web-2: hello from web-2\n');
    expect(result.stderr).toContain('web-1: hello from web-1\n');
    const json = JSON.parse(result.stdout) as { ok: boolean; outcome: string; auditId: string; results: { host: string; exit: number; durationMs: number; tail: string[] }[] };
    expect(json).toMatchObject({ command: 'run', action: 'greet', ok: true, outcome: 'ok', auditId: (await result.audit())[1]!.id });
    expect(json.results.map((r) => [r.host, r.exit, r.tail])).toEqual([
      ['web-2', 0, ['hello from web-2']],
      ['web-1', 0, ['hello from web-1']],
    ]);
    expect(existsSync(join(drops, 'greeted-web-2'))).toBe(true);
  });

  test('without a terminal and without --yes: exit 2, the command does not run, nothing on the audit record', { timeout: 60_000 }, async () => {
    const result = await opsdeck('run', 'touch-canary');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('opsdeck: run touch-canary asks for a yes and there is no terminal to ask on: add --yes (nothing was done)');
    expect(existsSync(canary())).toBe(false);
    expect(await result.audit()).toEqual([]);
  });

  test('--read-only refuses, on the audit record, and the command does not run', { timeout: 60_000 }, async () => {
    const result = await opsdeck('run', 'touch-canary', '--yes', '--read-only');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('read-only: "run touch-canary on web-1" refused');
    expect(existsSync(canary())).toBe(false);
    expect((await result.audit()).map((a) => [a.action, a.target, a.outcome])).toEqual([['action.run', 'action:touch-canary', 'refused']]);
  });

  test('--set unit=VALUE reaches the command as one word: a command substitution in it is text, on every host of the group; a dead host fails alone', { timeout: 90_000 }, async () => {
    const value = `$(touch ${canary()}); touch ${canary()} '`;
    const result = await opsdeck('run', 'show-unit', '--set', `unit=${value}`, '--yes');
    expect(existsSync(canary())).toBe(false);
    expect(result.stdout).toContain(`web-1: <${value}>\n`);
    expect(result.stdout).toContain(`web-2: <${value}>\n`);
    expect(result.stdout).toMatch(/\nweb-1 {2}ok {6}exit 0 in /);
    expect(result.stdout).toMatch(/\nweb-3 {2}failed {2}did not run: /);
    expect(result.code).toBe(1);
  });

  test('an unknown action, an unknown host or a placeholder without --set is a usage error (exit 2) that says what there is; nothing runs', { timeout: 60_000 }, async () => {
    const unknown = await opsdeck('run', 'reboot-all', '--yes');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`opsdeck: no action "reboot-all" in ${config} (actions: greet, touch-canary, show-unit)`);
    const host = await opsdeck('run', 'touch-canary', '--hosts', 'db-9', '--yes');
    expect(host.code).toBe(2);
    expect(host.stderr).toContain('opsdeck: touch-canary: no host or group "db-9" (hosts: web-1, web-3, web-2, web-1-ro, here)');
    const missing = await opsdeck('run', 'show-unit', '--yes');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('opsdeck: show-unit needs {unit}: give it with --set unit=VALUE');
    for (const r of [unknown, host, missing]) expect(await r.audit()).toEqual([]);
    expect(existsSync(canary())).toBe(false);
  });
});
