// Issue 3, acceptance 1 and 2: two real sshd hosts give resources, services and log tails; one host
// dies and comes back while the other keeps going. Both log in as a plain user: root's login shell
// on this machine runs `pyenv rehash` from .bashrc, whose lock a killed session leaves behind.
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostWatch } from '../../src/services/host-adapter.js';
import type { ConnectionState, ResourceSample, ServicesSample } from '../../src/domain/model.js';
import { Scheduler, type PollSource } from '../../src/services/scheduler.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const REFRESH_MS = 1000;
const BACKOFF = { initialMs: 200, maxMs: 2000 };

interface PollEvent {
  id: string;
  ok: boolean;
  value?: unknown;
  error?: string;
  at: number;
}

let workspace: Workspace;
let alpha: SshdHost;
let beta: SshdHost;
let systemd: Record<'alpha' | 'beta', SystemdRoot>;
let logFiles: Record<'alpha' | 'beta', string>;
let adapter: SshHostAdapter;
let scheduler: Scheduler;
const events: PollEvent[] = [];
const states: Record<string, ConnectionState[]> = { alpha: [], beta: [] };
const logs = new Map<string, string[]>();
const watches: HostWatch[] = [];

const last = (id: string, ok = true): PollEvent | undefined => events.findLast((e) => e.id === id && e.ok === ok);
const lines = (id: string): string[] => logs.get(id)!;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  [alpha, beta] = await Promise.all([SshdHost.start(workspace, 'alpha'), SshdHost.start(workspace, 'beta')]);
  await workspace.trust(alpha);
  await workspace.trust(beta);
  await workspace.writeSshConfig([
    { alias: 'alpha', port: alpha.port, user: user.name },
    { alias: 'beta', port: beta.port, user: user.name },
  ]);
  const units = { 'garden-backend.service': unitFile('Garden backend'), 'garden-worker.service': unitFile('Garden worker') };
  systemd = {
    alpha: await makeSystemdRoot(join(alpha.dir, 'systemd'), units, user),
    beta: await makeSystemdRoot(join(beta.dir, 'systemd'), units, user),
  };
  await systemd.alpha.ctl('start', 'garden-backend.service');
  await systemd.beta.ctl('start', 'garden-backend.service');
  logFiles = { alpha: join(alpha.dir, 'systemd', 'app.log'), beta: join(beta.dir, 'systemd', 'app.log') };
  await writeFile(logFiles.alpha, 'alpha old line\n', { mode: 0o644 });
  await writeFile(logFiles.beta, 'beta old line\n', { mode: 0o644 });

  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: BACKOFF, connectTimeoutMs: 3000, keepaliveIntervalMs: 1000, keepaliveCountMax: 2 });
  scheduler = new Scheduler(REFRESH_MS);
  // Each result is recorded under HOST:KIND (and each log under HOST:log:N), as these tests name them.
  const record = <T>(id: string, source: PollSource<T> | undefined) =>
    source &&
    scheduler.add(source, {
      ok: (value, at) => events.push({ id, ok: true, value, at }),
      fail: (error, at) => events.push({ id, ok: false, error: error.message, at }),
    });
  for (const name of ['alpha', 'beta'] as const) {
    const watch = await adapter.watch(
      sshHost(name, name, {
        services: ['garden-backend.service', 'garden-worker.service'],
        systemctl: systemd[name].systemctl,
        logs: [{ kind: 'file', path: logFiles[name], label: 'app' }],
        maintenance: join(systemd[name].dir, 'maintenance'),
      }),
      { timeoutMs: 2 * REFRESH_MS },
    );
    watches.push(watch);
    record(`${name}:resources`, watch.resources);
    record(`${name}:processes`, watch.processes);
    record(`${name}:services`, watch.services);
    record(`${name}:maintenance`, watch.maintenance);
    watch.onConnection!((state) => states[name]!.push(state));
    watch.logStreams.forEach((stream, index) => {
      const received: string[] = [];
      logs.set(`${name}:log:${index}`, received);
      stream.start({ line: (text) => received.push(text), mark: (text) => received.push(text), state: () => {} });
    });
  }
  scheduler.start();
});

afterAll(async () => {
  scheduler?.stop();
  for (const watch of watches) for (const stream of watch.logStreams) stream.stop();
  adapter?.close();
  await systemd?.alpha.ctl('stop', 'garden-backend.service');
  await systemd?.beta.ctl('stop', 'garden-backend.service');
  await Promise.all([alpha?.stop(), beta?.stop()]);
  await workspace?.cleanup();
});

describe('two SSH hosts', () => {
  test('both connect, as a plain user', async () => {
    await waitFor('both hosts connected', () => states.alpha!.at(-1)?.status === 'ok' && states.beta!.at(-1)?.status === 'ok');
    expect(states.alpha![0]!.status).toBe('connecting');
  });

  test('resources arrive in the local collector\'s shape, with CPU and network rates from the second tick on', async () => {
    for (const host of ['alpha', 'beta']) {
      await waitFor(`${host} resources twice`, () => events.filter((e) => e.id === `${host}:resources` && e.ok).length >= 2);
      const sample = last(`${host}:resources`)!.value as ResourceSample;
      expect(sample.memory.totalBytes).toBeGreaterThan(0);
      expect(sample.cpu.perCorePercent.length).toBeGreaterThan(0);
      expect(sample.cpu.totalPercent).toBeGreaterThanOrEqual(0);
      expect(sample.cpu.totalPercent).toBeLessThanOrEqual(100);
      expect(sample.disks.some((d) => d.mount === '/')).toBe(true);
      expect(sample.uptimeSec).toBeGreaterThan(0);
      expect(sample.load).toHaveLength(3);
    }
  });

  test('services come from the host\'s systemctl (daemonless, real unit files), through the configured path', async () => {
    for (const host of ['alpha', 'beta']) {
      const sample = (await waitFor(`${host} services`, () => last(`${host}:services`)?.value)) as ServicesSample;
      const byName = Object.fromEntries(sample.units.map((u) => [u.name, u]));
      expect(byName['garden-backend.service']).toMatchObject({ description: 'Garden backend', load: 'loaded', active: 'active', sub: 'running' });
      expect(byName['garden-backend.service']!.mainPid).toBeGreaterThan(0);
      expect(byName['garden-worker.service']).toMatchObject({ load: 'loaded', active: 'inactive' });
    }
  });

  test('a unit stopped on the host shows as inactive on the next tick, and active once started again', async () => {
    const backend = (state: string) => () => (last('beta:services')?.value as ServicesSample | undefined)?.units.some((u) => u.name === 'garden-backend.service' && u.active === state);
    await systemd.beta.ctl('stop', 'garden-backend.service');
    await waitFor('beta garden-backend inactive', backend('inactive'));
    await systemd.beta.ctl('start', 'garden-backend.service');
    await waitFor('beta garden-backend active again', backend('active'));
  });

  test('processes and the maintenance flag', async () => {
    await waitFor('alpha processes', () => last('alpha:processes'));
    expect(last('beta:maintenance')?.value ?? (await waitFor('beta maintenance', () => last('beta:maintenance'))).value).toBe(null);
    await writeFile(join(systemd.alpha.dir, 'maintenance'), 'who: alice\nwhy: disk swap\n');
    const since = Date.now();
    await waitFor('alpha maintenance flag seen, with what it says', () => events.some((e) => e.id === 'alpha:maintenance' && e.at > since && e.value === 'who: alice\nwhy: disk swap\n'));
  });

  test('log tails: the backlog, then new lines as they are written', async () => {
    await waitFor('backlogs', () => lines('alpha:log:0').includes('alpha old line') && lines('beta:log:0').includes('beta old line'));
    await appendFile(logFiles.alpha, 'alpha new line 1\n');
    await appendFile(logFiles.beta, 'beta new line 1\n');
    await waitFor('new lines', () => lines('alpha:log:0').includes('alpha new line 1') && lines('beta:log:0').includes('beta new line 1'));
  });

  // One story, in one test: the host that dies is the one that comes back.
  test('one host\'s sshd killed: unreachable within two ticks while the other keeps updating, "since" kept across retries, back after a restart with the log gap marked', { timeout: 60_000 }, async () => {
    await waitFor('both hosts connected', () => states.alpha!.at(-1)?.status === 'ok' && states.beta!.at(-1)?.status === 'ok');
    await waitFor('alpha following its log', () => lines('alpha:log:0').includes('alpha old line'));
    await alpha.kill();
    // Timed from when the sshd is gone: finding its whole process tree first takes a while on a busy
    // machine, and results that arrive meanwhile came from a live host.
    const killedAt = Date.now();
    await waitFor('alpha unreachable', () => states.alpha!.at(-1)?.status === 'unreachable');
    expect(states.alpha!.at(-1)!.error).toMatch(/connection (lost|reset|refused)|no exit status/);
    // Every source of alpha fails within its next two runs after the kill.
    for (const kind of ['resources', 'services', 'maintenance']) {
      const id = `alpha:${kind}`;
      await waitFor(`${id} failing`, () => events.some((e) => e.id === id && e.at > killedAt && !e.ok));
      const after = events.filter((e) => e.id === id && e.at > killedAt);
      expect(after.findIndex((e) => !e.ok), id).toBeLessThan(2);
    }
    // Meanwhile beta goes on: fresh results keep coming, none of them failures.
    const betaBefore = events.filter((e) => e.id === 'beta:resources' && e.ok).length;
    await waitFor('beta still updating', () => events.filter((e) => e.id === 'beta:resources' && e.ok).length >= betaBefore + 2);
    expect(events.filter((e) => e.id.startsWith('beta:') && e.at > killedAt && !e.ok)).toEqual([]);
    await appendFile(logFiles.beta, 'beta during outage\n');
    await waitFor('beta log during outage', () => lines('beta:log:0').includes('beta during outage'));

    // The lost connection, then a retry refused at the closed port: one outage, one "since".
    const down = () => states.alpha!.filter((s) => s.status === 'unreachable');
    await waitFor('a retry refused', () => down().length >= 2 && /connection refused/.test(down().at(-1)!.error ?? ''));
    expect(new Set(down().map((s) => s.since)).size).toBe(1);

    await appendFile(logFiles.alpha, 'alpha written while unreachable\n');
    await alpha.restart();
    const restartedAt = Date.now();
    await waitFor('alpha back', () => states.alpha!.at(-1)?.status === 'ok', BACKOFF.maxMs + 5000);
    await waitFor('alpha resources again', () => events.some((e) => e.id === 'alpha:resources' && e.ok && e.at > restartedAt));
    await waitFor('gap marked', () => lines('alpha:log:0').some((l) => /reconnected to alpha; lines written since \d\d:\d\d:\d\d may be missing/.test(l)));
    await appendFile(logFiles.alpha, 'alpha after reconnect\n');
    await waitFor('alpha log resumed', () => lines('alpha:log:0').includes('alpha after reconnect'));
    // Resumed with -n 0: the backlog is not shown twice.
    expect(lines('alpha:log:0').filter((l) => l === 'alpha old line')).toHaveLength(1);
  });
});
