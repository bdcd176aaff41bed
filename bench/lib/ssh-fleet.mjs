// Loopback SSH hosts for the fleet scenarios: a few real OpenSSH servers (test/harness/sshd.ts), and
// as many host entries as asked spread over them, each its own connection from opsdeck. Each host
// has a cheap stand-in for systemctl (the real `show` output of two units: opsdeck parses what it
// always parses while the host spends nothing) and one quiet log file to follow.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import './ts-harness.mjs';
const { ensureTestUser, SshdHost, Workspace } = await import('../../test/harness/sshd.ts');

export const UNITS = ['garden-backend.service', 'garden-worker.service'];

/** `servers` sshd processes; `config(n)` gives opsdeck's config YAML for n hosts spread over them. */
export async function startFleet(servers) {
  if (process.getuid?.() !== 0) throw new Error('the fleet scenarios run as root: they start sshd and log in as a test user');
  const user = await ensureTestUser();
  const workspace = await Workspace.create();
  const hosts = [];
  for (let i = 0; i < servers; i++) {
    // Many connections arrive at once when opsdeck starts: more unauthenticated ones than the default 10.
    const host = await SshdHost.start(workspace, `bench-${i}`, { extra: ['MaxStartups 1000', 'MaxSessions 64'] });
    await workspace.trust(host);
    hosts.push(host);
  }
  const show = join(workspace.dir, 'show.txt');
  await writeFile(show, UNITS.map((u) => `Id=${u}\nDescription=${u}\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nNRestarts=0\nActiveEnterTimestamp=Mon 2026-11-23 11:49:31 UTC\n`).join('\n'), { mode: 0o644 });
  const systemctl = join(workspace.dir, 'systemctl');
  await writeFile(systemctl, `#!/bin/sh\nexec cat ${show}\n`);
  await chmod(systemctl, 0o755);
  const quietLog = join(workspace.dir, 'quiet.log');
  await writeFile(quietLog, 'one line\n', { mode: 0o644 });
  return {
    dir: workspace.dir,
    /** Writes the ssh config for n aliases (h0..h{n-1}, round robin over the servers) and returns opsdeck's config. */
    async config(n, extra = '') {
      await workspace.writeSshConfig(Array.from({ length: n }, (_, i) => ({ alias: `h${i}`, port: hosts[i % hosts.length].port, user: user.name })));
      const lines = [`ssh: {config: ${JSON.stringify(workspace.sshConfig)}, knownHosts: [${JSON.stringify(workspace.knownHosts)}]}`, 'databases: {}', 'hosts:'];
      for (let i = 0; i < n; i++) lines.push(`  h${i}: {ssh: h${i}, services: [${UNITS.join(', ')}], systemctl: ${JSON.stringify(systemctl)}, logs: [{file: ${JSON.stringify(quietLog)}}]}`);
      return `${lines.join('\n')}\n${extra}`;
    },
    async stop() {
      await Promise.all(hosts.map((h) => h.stop()));
      await workspace.cleanup();
    },
  };
}
