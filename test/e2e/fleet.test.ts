// The cockpit with real SSH hosts (OpenSSH sshd on loopback): a known host shows its figures and
// units, an unknown one is refused with its fingerprint until the operator trusts it in the dialog.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { ensureTestUser, fingerprintOf, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

let workspace: Workspace;
let hosts: SshdHost[] = [];
let systemd: SystemdRoot;
let configPath: string;
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-fleet-'));

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  hosts = await Promise.all(['web-1', 'web-2'].map((name) => SshdHost.start(workspace, name)));
  await workspace.trust(hosts[0]!);
  await workspace.writeSshConfig(['web-1', 'web-2'].map((alias, i) => ({ alias, port: hosts[i]!.port, user: user.name })));
  systemd = await makeSystemdRoot(join(hosts[0]!.dir, 'systemd'), { 'garden-backend.service': unitFile('Garden backend') }, user);
  await systemd.ctl('start', 'garden-backend.service');
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    configPath,
    [
      `ssh: {config: ${workspace.sshConfig}}`,
      'hosts:',
      `  web-1: {ssh: web-1, group: web, color: red, systemctl: ${systemd.systemctl}, services: [garden-backend.service], logs: []}`,
      '  web-2: {ssh: web-2, group: web, logs: []}',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await systemd?.ctl('stop', 'garden-backend.service');
  await Promise.all(hosts.map((h) => h.stop()));
  await workspace?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('opsdeck watching SSH hosts', () => {
  it('shows a known host live, refuses an unknown key with its fingerprint, and trusts it on a typed yes', { timeout: 120_000 }, async () => {
    const auditLog = join(scratch, 'audit.jsonl');
    const term = new TmuxTerminal(`SSH_AUTH_SOCK= OPSDECK_AUDIT_LOG=${auditLog} XDG_CONFIG_HOME=${scratch} ${LAUNCHER} --config ${configPath} --refresh 1s`, 200, 50, join(scratch, 'exit-code'));
    try {
      const fingerprint = await fingerprintOf(hosts[1]!.hostKeyPub);
      const screen = await term.waitForScreen((s) => /[●▲✖] web-1\s+\d+%/.test(s) && s.includes('host key refused'), 'web-1 live and web-2 refused', 30_000);
      expect(screen).toMatch(/○ web-2 .*host key refused since \d\d:\d\d:\d\d/);
      await term.waitForScreen((s) => /garden-backend\.service\s+active\s+running/.test(s), 'web-1 units');

      term.keys('j');
      await term.waitForScreen((s) => s.includes('web-2 (T: trust dialog): host key refused'), 'the hint for the selected host');
      term.keys('T');
      await term.waitForScreen((s) => s.includes('trust the SSH host key of web-2') && s.includes(fingerprint), 'the trust dialog with the fingerprint');
      // Typed fast, as tmux delivers it: the prompt must take the burst as three characters and Enter.
      term.keys('y', 'e', 's', 'Enter');
      await term.waitForScreen((s) => /[●▲✖] web-2\s+\d+%/.test(s), 'web-2 connected and measured after trusting', 30_000);
      expect(await readFile(workspace.knownHosts, 'utf8')).toContain(hosts[1]!.hostPub.split(' ')[1]!);
      // Trusting a key changes what opsdeck will believe about a host: it is on the audit record.
      const records = (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(records).toEqual([
        expect.objectContaining({ action: 'host.trust-key', target: 'web-2 host key', host: 'web-2', outcome: 'started', detail: expect.objectContaining({ offered: expect.stringContaining(fingerprint) }) }),
        expect.objectContaining({ action: 'host.trust-key', outcome: 'ok', id: records[0].id }),
      ]);
      term.keys('q');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
  });
});
