// Readings from an SSH host that must mean what they say wherever the host is: a unit's "since" on a
// host whose zone is JST (its sessions get TZ=Asia/Tokyo from sshd, as /etc/localtime would give them),
// and a process's CPU % as it is now, the same figure the local list gives (the host is this machine).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostWatch } from '../../src/services/host-adapter.js';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import type { ProcessSample } from '../../src/domain/model.js';
import { sshHost, testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

let workspace: Workspace;
let tokyo: SshdHost;
let systemd: SystemdRoot;
let adapter: SshHostAdapter;
let watch: HostWatch;
let direct: SshConnection;
let local: HostWatch;
let busy: ChildProcess | undefined;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  tokyo = await SshdHost.start(workspace, 'tokyo', { extra: ['SetEnv TZ=Asia/Tokyo'] });
  await workspace.trust(tokyo);
  await workspace.writeSshConfig([{ alias: 'tokyo', port: tokyo.port, user: user.name }]);
  systemd = await makeSystemdRoot(join(tokyo.dir, 'systemd'), { 'garden-backend.service': unitFile('Garden DX バックエンド') }, user);
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 200, maxMs: 2000 }, connectTimeoutMs: 3000 });
  watch = await adapter.watch(sshHost('tokyo', 'tokyo', { services: ['garden-backend.service'], systemctl: systemd.systemctl }), { timeoutMs: 10_000 });
  direct = testConnection(workspace.sshConfig, workspace.dir, 'tokyo');
  local = await new LocalHostAdapter().watch(sshHost('local', '', { local: true, ssh: undefined, services: [], logs: [] }), { timeoutMs: 10_000 });
});

afterAll(async () => {
  busy?.kill('SIGKILL');
  direct?.close();
  adapter?.close();
  await systemd?.ctl('stop', 'garden-backend.service');
  await tokyo?.stop();
  await workspace?.cleanup();
});

describe('a host whose clock zone is JST', () => {
  test('its sessions are on JST, and its systemctl prints times in JST when left to itself', async () => {
    const zone = await waitFor('a shell on the host', async () => (await direct.exec('date +%Z', AbortSignal.timeout(5000)).catch(() => undefined))?.stdout.trim());
    expect(zone).toBe('JST');
    await systemd.ctl('start', 'garden-backend.service');
    const shown = await direct.exec(`${systemd.systemctl} show --no-pager -- garden-backend.service`, AbortSignal.timeout(10_000));
    expect(shown.stdout).toMatch(/^ActiveEnterTimestamp=\w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST$/m);
  });

  test('a unit started there shows the right "since"', async () => {
    await systemd.ctl('stop', 'garden-backend.service');
    const before = Date.now();
    await systemd.ctl('start', 'garden-backend.service');
    const after = Date.now();
    const unit = await waitFor('the started unit', async () => {
      const sample = await watch.services.collect(AbortSignal.timeout(10_000)).catch(() => undefined);
      return sample?.units.find((u) => u.name === 'garden-backend.service' && u.active === 'active');
    });
    // systemd prints whole seconds, and the boot time it counts from is whole seconds too: up to 2 s early.
    expect(unit.since).toBeGreaterThanOrEqual(before - 2000);
    expect(unit.since).toBeLessThanOrEqual(after);
    expect(unit.description).toBe('Garden DX バックエンド');
  });
});

/** The CPU % a sample gives `pid`, or undefined when it is in neither top list. */
const cpuOf = (sample: ProcessSample, pid: number): number | undefined => [...sample.byCpu, ...sample.byMemory].find((p) => p.pid === pid)?.cpuPercent;

describe('a busy process on the host', () => {
  test('shows the CPU % it uses now, the same as the local list (within 5 points), and 0 once it stops', { timeout: 60_000 }, async () => {
    busy = spawn('/bin/sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    const pid = busy.pid!;
    // The first sample of each reads twice, a quarter second apart; then both measure the same interval.
    await Promise.all([watch.processes.collect(AbortSignal.timeout(10_000)), local.processes.collect(AbortSignal.timeout(10_000))]);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [remote, here] = await Promise.all([watch.processes.collect(AbortSignal.timeout(10_000)), local.processes.collect(AbortSignal.timeout(10_000))]);
    const remoteCpu = cpuOf(remote, pid);
    const localCpu = cpuOf(here, pid);
    // About 50 on an idle machine of two cores; far less while other work saturates it.
    expect(remoteCpu).toBeGreaterThan(1);
    expect(Math.abs(remoteCpu! - localCpu!)).toBeLessThanOrEqual(5);

    // ps's pcpu would still average the busy seconds over its whole life; the current figure drops.
    busy.kill('SIGSTOP');
    await watch.processes.collect(AbortSignal.timeout(10_000));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(cpuOf(await watch.processes.collect(AbortSignal.timeout(10_000)), pid) ?? 0).toBeLessThan(1);
  });

  test('this machine lists processes under the names, users and memory ps gives them on an SSH host', { timeout: 60_000 }, async () => {
    // The local list reads /proc itself; the SSH host (this machine) runs ps: the same processes, named
    // alike. The local read comes between two reads over SSH, so a process whose memory moved meanwhile
    // (a node starting up) is judged against both.
    const before = await watch.processes.collect(AbortSignal.timeout(10_000));
    const here = await local.processes.collect(AbortSignal.timeout(10_000));
    const after = await watch.processes.collect(AbortSignal.timeout(10_000));
    const common = before.byMemory.flatMap((r) => {
      const h = here.byMemory.find((p) => p.pid === r.pid);
      const later = after.byMemory.find((p) => p.pid === r.pid);
      return h && later ? [{ r, h, later, low: Math.min(r.memBytes, later.memBytes), high: Math.max(r.memBytes, later.memBytes) }] : [];
    });
    expect(common.length).toBeGreaterThanOrEqual(5);
    for (const { r, h, later, low, high } of common) {
      // A process that exec'd between the reads (a shell becoming its command) has either name.
      expect([r.name, later.name], `name of pid ${r.pid}`).toContain(h.name);
      expect(h.user, `user of pid ${r.pid} (${r.name})`).toBe(r.user);
      expect(h.memBytes, `RSS of pid ${r.pid} (${r.name}), ps read ${low} and ${high} around it`).toBeGreaterThanOrEqual(low * 0.9);
      expect(h.memBytes, `RSS of pid ${r.pid} (${r.name}), ps read ${low} and ${high} around it`).toBeLessThanOrEqual(high * 1.1);
    }
  });
});
