// The Hosts row of a real SSH host (OpenSSH sshd on loopback, the daemonless systemctl), read in tmux
// as the operator reads it: F once a watched unit has failed, M while the maintenance flag file is
// there, and "stale Ns" with the age growing while the host stops answering (its last figures kept).
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

let workspace: Workspace;
let host: SshdHost;
let systemd: SystemdRoot;
let configPath: string;
let flag: string;
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-rows-'));

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'web-1');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'web-1', port: host.port, user: user.name }]);
  systemd = await makeSystemdRoot(join(host.dir, 'systemd'), { 'garden-backend.service': unitFile('Garden backend'), 'garden-worker.service': unitFile('Garden worker', '/bin/sh -c "exit 3"') }, user);
  await systemd.ctl('start', 'garden-backend.service');
  flag = join(systemd.dir, 'maintenance.flag');
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    configPath,
    [`ssh: {config: ${workspace.sshConfig}}`, 'hosts:', `  web-1: {ssh: web-1, systemctl: ${systemd.systemctl}, services: [garden-backend.service, garden-worker.service], maintenance: ${flag}, logs: []}`].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await host?.signalAll('SIGCONT');
  await systemd?.ctl('stop', 'garden-backend.service');
  await host?.stop();
  await workspace?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** The web-1 row of the Hosts pane: its level's mark (● ▲ ✖ ○ ⚠ …), name, CPU, MEM, DISK, LOAD (each with its mark past a threshold, or a space: a busy machine's CPU and load), then FLAGS and STATUS. */
const ROW = /[●▲✖○⚠…] web-1 +\d+%[▲✖ ] +\d+%[▲✖ ] +\d+%[▲✖ ] +[\d.]+[▲✖ ] (.{5}) (.*?) *│/;

describe('a host row', () => {
  it('shows F for a failed unit, M for the maintenance flag, and "stale Ns" while the host does not answer', { timeout: 120_000 }, async () => {
    const term = new TmuxTerminal(`SSH_AUTH_SOCK= XDG_CONFIG_HOME=${scratch} ${LAUNCHER} --config ${configPath} --refresh 1s`, 200, 50, join(scratch, 'exit-code'));
    const row = (screen: string) => ROW.exec(screen);
    try {
      const first = await term.waitForScreen((s) => row(s)?.[2] === 'ok', 'web-1 ok', 30_000);
      // Selected (◀), nothing flagged yet.
      expect(row(first)![1]).toBe('  ◀  ');

      await systemd.ctl('start', 'garden-worker.service');
      await term.waitForScreen((s) => row(s)?.[1] === ' F◀  ', 'F once garden-worker has failed', 20_000);
      await writeFile(flag, 'who: oncall\n', { mode: 0o644 });
      await term.waitForScreen((s) => row(s)?.[1] === 'MF◀  ', 'M while the flag file is there', 20_000);
      await rm(flag);
      await term.waitForScreen((s) => row(s)?.[1] === ' F◀  ', 'M gone with the flag file', 20_000);

      // The host stops answering (sshd and its sessions stopped): its probes time out, the row keeps
      // the last figures and says for how long they have been stale, counting up.
      await host.signalAll('SIGSTOP');
      const staleFor = (screen: string) => Number(/^stale (\d+(?:\.\d)?)s: timed out after \d+ ms/.exec(row(screen)?.[2] ?? '')?.[1] ?? NaN);
      const stale = staleFor(await term.waitForScreen((s) => staleFor(s) >= 0, 'the row stale', 20_000));
      await term.waitForScreen((s) => staleFor(s) >= stale + 2, 'the stale age counting up', 10_000);
      await host.signalAll('SIGCONT');
      await term.waitForScreen((s) => row(s)?.[2] === 'ok', 'web-1 ok again', 30_000);
      term.keys('q');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
  });

  it('of a host without systemd or a system log says so beside "ok", records it once as information, and tells how to add a log', { timeout: 60_000 }, async () => {
    // The test before leaves the host answering, unless it failed while the host was stopped.
    await host.signalAll('SIGCONT');
    // What systemd's systemctl prints in a container (in the workspace: the test user runs it); this
    // machine's journal has no entries, and it has no syslog file.
    const systemctl = join(workspace.dir, 'no-systemd');
    await writeFile(systemctl, `#!/bin/sh\necho "System has not been booted with systemd as init system (PID 1). Can't operate." >&2\nexit 1\n`, { mode: 0o755 });
    const bare = join(scratch, 'bare.yaml');
    await writeFile(bare, [`ssh: {config: ${workspace.sshConfig}}`, 'hosts:', `  bare: {ssh: web-1, systemctl: ${systemctl}}`].join('\n'));
    const term = new TmuxTerminal(`SSH_AUTH_SOCK= XDG_CONFIG_HOME=${scratch} XDG_STATE_HOME=${scratch} ${LAUNCHER} --config ${bare} --refresh 1s`, 200, 50, join(scratch, 'exit-bare'));
    try {
      const screen = await term.waitForScreen((s) => /[●▲✖] bare .* ok · no systemd, no system log/.test(s) && s.includes('Add one to the config'), 'the bare host ok, lacking both', 30_000);
      expect(screen).not.toContain('failing');
      // Not marked down in Services; the way to add a log in Logs, whole.
      expect(screen).toContain(`│bare: no systemd: ${systemctl} on bare: System has not been`);
      expect(screen, 'no unit columns without units to list').not.toMatch(/UNIT +ACTIVE +SUB/);
      expect(screen).toContain('│bare: no system log found (no journal entries, no /var/log/syslog or /var/log/messages). Add one to the config:');
      expect(screen).toContain('│hosts: {bare: {logs: [{file: /var/log/app.log}]}} (looked for again every minute)');
      // The follower's quick retries would have come and gone by now: nothing flaps in Events.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const later = await term.waitForScreen((s) => s.includes('╭─ Events'), 'the screen 4 s later');
      // (A busy machine may time the first reads out: those are warnings of their own.)
      expect(later).toMatch(/INFO bare +log system log not watched \(no system log\)/);
      expect(later).not.toMatch(/system log (down|back)|(WARN|CRIT) bare +(services|log).*(systemd|system log)/);
      term.keys('q');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
  });
});
