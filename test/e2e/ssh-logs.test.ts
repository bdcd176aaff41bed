// Issue 15, fault 1, as the operator sees it: the cockpit with one SSH host (real sshd, default
// MaxSessions) that has 12 log files and 3 journal units shows all 15 logs, each one's lines; after
// `q`, and after the runtime is killed with SIGKILL, nothing of theirs is left running on the host.
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { PrivateJournal } from '../harness/journald.js';
import { childOf } from '../harness/processes.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';

const UNITS = ['garden-web.service', 'garden-worker.service', 'garden-mail.service'];
let workspace: Workspace;
let journal: PrivateJournal;
let host: SshdHost;
let logDir: string;
let configPath: string;
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-logs-'));

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  journal = await PrivateJournal.start(join(workspace.dir, 'journald'));
  host = await SshdHost.start(workspace, 'web-1', { extra: journal.sshdConfig });
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'web-1', port: host.port, user: user.name }]);
  logDir = join(host.dir, 'logs');
  await mkdir(logDir, { mode: 0o755 });
  const files = Array.from({ length: 12 }, (_, i) => join(logDir, `vhost-${i}.log`));
  for (const [i, file] of files.entries()) await writeFile(file, `vhost ${i} started\n`, { mode: 0o644 });
  await journal.send(UNITS.map((unit) => ({ unit, message: `${unit} ready`, via: 'cgroup' as const })));
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    configPath,
    [
      `ssh: {config: ${workspace.sshConfig}}`,
      'hosts:',
      '  web-1:',
      '    ssh: web-1',
      '    services: []',
      '    logs:',
      ...files.map((file, i) => `      - {file: ${file}, label: vhost-${i}}`),
      ...UNITS.map((unit) => `      - {journal: ${unit}}`),
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await journal?.stop();
  await workspace?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** What opsdeck runs on the host for these logs: the bundle's shells, tails and awks, and journalctl. */
async function followersOnHost(): Promise<number[]> {
  return [...(await processesMatching(logDir)), ...(await processesMatching(`journalctl --directory=${journal.dir}`))];
}

async function cockpitWithAllLogs(): Promise<TmuxTerminal> {
  const term = new TmuxTerminal(`SSH_AUTH_SOCK= XDG_CONFIG_HOME=${scratch} ${LAUNCHER} --config ${configPath} --refresh 1s`, 100, 40, join(scratch, `exit-code-${Date.now()}`));
  try {
    // Any level mark: a loaded machine puts the host's CPU at warn, and the row is still connected.
    await term.waitForScreen((s) => /[●▲✖] web-1 .* ok/.test(s), 'web-1 connected', 30_000);
    term.keys('4');
    await term.waitForScreen((s) => s.includes('all 15'), 'the Logs pane over all 15 logs', 30_000);
    return term;
  } catch (error) {
    term.kill();
    throw error;
  }
}

describe('a host with more logs than sshd has sessions for follower channels', () => {
  it('shows every log\'s lines, and q leaves no follower on the host', { timeout: 120_000 }, async () => {
    const term = await cockpitWithAllLogs();
    try {
      await appendFile(join(logDir, 'vhost-11.log'), 'vhost 11 GET /cart 503\n');
      await journal.send([{ unit: 'garden-mail.service', message: 'mail queue stuck', via: 'cgroup' }]);
      const screen = await term.waitForScreen((s) => s.includes('vhost 11 GET /cart 503') && s.includes('garden[') && s.includes('mail queue stuck'), 'new lines of the twelfth file and the third unit', 15_000);
      expect(screen).not.toMatch(/waiting for a channel/);
      // Each log on its own: `s` steps through the sources.
      for (let i = 0; i < 12; i++) term.keys('s');
      await term.waitForScreen((s) => s.includes('vhost-11 FOLLOW') && s.includes('vhost 11 GET /cart 503') && !s.includes('vhost 10 started'), 'vhost-11 alone');
      for (let i = 0; i < 3; i++) term.keys('s');
      await term.waitForScreen((s) => s.includes('journal:garden-mail.service FOLLOW') && s.includes('mail queue stuck') && !s.includes('garden-web.service ready'), 'garden-mail alone');
      expect((await followersOnHost()).length).toBeGreaterThan(0);
      term.keys('q');
      expect(await term.exitCode(20_000)).toBe(0);
      await waitFor('no follower left after q', async () => (await followersOnHost()).length === 0, 5000);
    } finally {
      term.kill();
    }
  });

  it('after the runtime is killed with SIGKILL no follower is left on the host either', { timeout: 120_000 }, async () => {
    const term = await cockpitWithAllLogs();
    try {
      await waitFor('followers running', async () => (await processesMatching(`tail -F -n 200 -- ${logDir}`)).length === 12);
      const launcher = await waitFor('the launcher in the pane', () => childOf(term.panePid(), 'bin/opsdeck'));
      const runtime = await waitFor('the runtime under the launcher', () => childOf(launcher, 'dist/main.js'));
      process.kill(runtime, 'SIGKILL');
      expect(await term.exitCode(20_000)).toBe(137);
      await waitFor('no follower left after SIGKILL', async () => (await followersOnHost()).length === 0, 5000);
    } finally {
      term.kill();
    }
  });
});
