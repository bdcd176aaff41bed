// Issue 8, acceptance 7: in a real terminal, the operator restarts a unit on an SSH host from the
// Services pane, confirms, and reads the verified result while the other panes keep updating.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShow } from '../../src/services/systemd/units.js';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const run = promisify(execFile);
let workspace: Workspace;
let host: SshdHost;
let systemd: SystemdRoot;
let configPath: string;
let logFile: string;
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-restart-'));

const mainPid = async (): Promise<number | undefined> => parseShow((await run(systemd.systemctl, ['show', 'garden-backend.service'])).stdout, ['garden-backend.service'])[0]?.mainPid;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'web-1');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'web-1', port: host.port, user: user.name }]);
  systemd = await makeSystemdRoot(join(host.dir, 'systemd'), { 'garden-backend.service': unitFile('Garden backend') }, user);
  await systemd.ctl('start', 'garden-backend.service');
  logFile = join(systemd.dir, 'app.log');
  await writeFile(logFile, 'app started\n', { mode: 0o644 });
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(configPath, [`ssh: {config: ${workspace.sshConfig}}`, 'hosts:', `  web-1: {ssh: web-1, systemctl: ${systemd.systemctl}, services: [garden-backend.service], logs: [{file: ${logFile}}]}`].join('\n'));
}, 120_000);

afterAll(async () => {
  await systemd?.ctl('stop', 'garden-backend.service');
  await host?.stop();
  await workspace?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('restarting a unit from the cockpit', () => {
  it('r, y: the unit gets a new MainPID, the verdict is on screen and on the record, the host keeps updating', { timeout: 120_000 }, async () => {
    const auditLog = join(scratch, 'audit.jsonl');
    const term = new TmuxTerminal(`SSH_AUTH_SOCK= OPSDECK_AUDIT_LOG=${auditLog} XDG_CONFIG_HOME=${scratch} ${LAUNCHER} --config ${configPath} --refresh 1s`, 200, 50, join(scratch, 'exit-code'));
    try {
      await term.waitForScreen((s) => /garden-backend\.service\s+active\s+running/.test(s), 'the unit running', 30_000);
      const before = await mainPid();
      term.keys('3', 'r');
      await term.waitForScreen((s) => s.includes('restart garden-backend.service on web-1?') && s.includes(`${systemd.systemctl} restart -- garden-backend.service`), 'the confirmation with the command');
      term.keys('y');
      // The restart runs in the background: a line written meanwhile reaches the Logs pane.
      await appendFile(logFile, 'written during the restart\n');
      await term.waitForScreen((s) => s.includes('written during the restart'), 'the Logs pane still following', 30_000);
      const screen = await term.waitForScreen((s) => /web-1: garden-backend\.service restarted, verified active \(running\) for 5 s, MainPID \d+ → \d+/.test(s), 'the verified result', 30_000);
      const after = await mainPid();
      expect(after).not.toBe(before);
      expect(screen).toContain(`MainPID ${before} → ${after}`);
      await term.waitForScreen((s) => /[●▲✖] web-1\s+\d+%/.test(s), 'web-1 still measured');
      const records = (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
      expect(records).toEqual([
        expect.objectContaining({ action: 'unit.restart', target: 'unit:web-1/garden-backend.service', outcome: 'started' }),
        expect.objectContaining({ action: 'unit.restart', outcome: 'ok', id: records[0].id }),
      ]);
      term.keys('q');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
  });
});
