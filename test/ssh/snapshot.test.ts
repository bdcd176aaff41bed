// Issue 3, acceptance 1 end to end: the built CLI's `snapshot --format json`, with a config naming
// two sshd hosts by ~/.ssh/config alias, reports their resources, services, logs and connection
// next to each other, and a host with an unknown key as refused, with its fingerprint.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { ensureTestUser, fingerprintOf, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

let workspace: Workspace;
let hosts: SshdHost[] = [];
let systemd: SystemdRoot[] = [];
let configPath: string;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  hosts = await Promise.all(['alpha', 'beta', 'stranger'].map((name) => SshdHost.start(workspace, name)));
  await workspace.trust(hosts[0]!);
  await workspace.trust(hosts[1]!);
  await workspace.writeSshConfig(['alpha', 'beta', 'stranger'].map((alias, i) => ({ alias, port: hosts[i]!.port, user: user.name })));
  systemd = await Promise.all(hosts.slice(0, 2).map((h) => makeSystemdRoot(join(h.dir, 'systemd'), { 'garden-backend.service': unitFile('Garden backend') }, user)));
  await Promise.all(systemd.map((s) => s.ctl('start', 'garden-backend.service')));
  const logs = await Promise.all(
    hosts.slice(0, 2).map(async (h, i) => {
      const path = join(systemd[i]!.dir, 'app.log');
      await writeFile(path, `INFO ${['alpha', 'beta'][i]} started\nERROR ${['alpha', 'beta'][i]} lost its database\n`, { mode: 0o644 });
      return path;
    }),
  );
  const yaml = [
    `ssh: {config: ${workspace.sshConfig}}`,
    'hosts:',
    ...['alpha', 'beta'].map((name, i) => `  ${name}: {ssh: ${name}, group: web, systemctl: ${systemd[i]!.systemctl}, services: [garden-backend.service], logs: [{file: ${logs[i]}}]}`),
    '  stranger: {ssh: stranger}',
  ].join('\n');
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(configPath, `${yaml}\n`);
});
afterAll(async () => {
  await Promise.all(systemd.map((s) => s.ctl('stop', 'garden-backend.service')));
  await Promise.all(hosts.map((h) => h.stop()));
  await workspace?.cleanup();
});

describe('opsdeck snapshot with SSH hosts', () => {
  test('both hosts appear with resources, units, log lines and an ok connection; the unknown one is refused', async () => {
    const { code, stdout, stderr } = await runCliAsync(['snapshot', '--format', 'json', '--config', configPath], { SSH_AUTH_SOCK: '' }, 60_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    for (const name of ['alpha', 'beta']) {
      const host = report.hosts[name];
      expect(host.connection).toMatchObject({ status: 'ok' });
      expect(host.resources.memory.totalBytes).toBeGreaterThan(0);
      expect(host.resources.disks.some((d: { mount: string }) => d.mount === '/')).toBe(true);
      expect(host.services).toContainEqual(expect.objectContaining({ name: 'garden-backend.service', active: 'active', sub: 'running' }));
      expect(host.logs[0].recent).toContainEqual({ level: 'error', text: `ERROR ${name} lost its database`, count: 1 });
      expect(report.sources[`${name}:resources`].status).toBe('ok');
    }
    const stranger = report.hosts.stranger;
    expect(stranger.connection).toMatchObject({ status: 'hostkey-refused', fingerprint: { offered: await fingerprintOf(hosts[2]!.hostKeyPub) } });
    expect(report.sources['stranger:resources'].status).toBe('error');
    expect(hosts[2]!.output).not.toMatch(/Accepted publickey/);
  });
});
