// Issue 8: on a terminal the operation subcommands show the plan and ask, a y or the typed word the
// strictest step asks for; anything else does nothing. Run in tmux as an operator would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseShow } from '../../src/services/systemd/units.js';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-cli-confirm-'));
let systemd: SystemdRoot;
let config: string;

const state = async (unit: string) => parseShow((await run(systemd.systemctl, ['show', unit])).stdout, [unit])[0]!;

beforeAll(async () => {
  systemd = await makeSystemdRoot(join(scratch, 'systemd'), { 'app.service': unitFile('App'), 'worker.service': unitFile('Worker') });
  await systemd.ctl('start', 'app.service');
  await systemd.ctl('start', 'worker.service');
  config = join(scratch, 'opsdeck.yaml');
  await writeFile(config, `hosts:\n  box: {local: true, systemctl: ${systemd.systemctl}, services: [app.service, worker.service], logs: []}\n`);
}, 60_000);

afterAll(async () => {
  await systemd?.ctl('stop', 'app.service');
  await systemd?.ctl('stop', 'worker.service');
  rmSync(scratch, { recursive: true, force: true });
});

function terminal(args: string, name: string): TmuxTerminal {
  return new TmuxTerminal(`OPSDECK_AUDIT_LOG=${join(scratch, `${name}.jsonl`)} ${LAUNCHER} ${args} --config ${config}`, 200, 30, join(scratch, `${name}.exit`));
}

describe('operation subcommands on a terminal', () => {
  it('stop shows each step with its command and wants the word typed: y does nothing, "stop" stops and verifies', { timeout: 90_000 }, async () => {
    const before = await state('worker.service');
    const declined = terminal('stop box worker', 'declined');
    try {
      await declined.waitForScreen((s) => s.includes(`1. stop worker.service on box: ${systemd.systemctl} stop -- worker.service`) && s.includes('type "stop" to go on:'), 'the plan and the question', 30_000);
      declined.keys('y', 'Enter');
      await declined.waitForScreen((s) => s.includes('not confirmed: nothing was done'), 'the refusal to go on');
      expect(await declined.exitCode()).toBe(1);
      expect((await state('worker.service')).mainPid).toBe(before.mainPid);
      await expect(readFile(join(scratch, 'declined.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      declined.kill();
    }

    const confirmed = terminal('stop box worker', 'confirmed');
    try {
      await confirmed.waitForScreen((s) => s.includes('type "stop" to go on:'), 'the question', 30_000);
      confirmed.keys('stop', 'Enter');
      const screen = await confirmed.waitForScreen((s) => /^box +worker\.service +ok +worker\.service stopped, verified inactive \(dead\)$/m.test(s), 'the verified result', 60_000);
      expect(screen).toMatch(/^HOST +UNIT +RESULT +MESSAGE$/m);
      expect(await confirmed.exitCode()).toBe(0);
      expect((await state('worker.service')).active).toBe('inactive');
    } finally {
      confirmed.kill();
    }
  });

  it("restart without units asks one y for all the host's services:, in order", { timeout: 90_000 }, async () => {
    const before = await state('app.service');
    const term = terminal('restart box', 'restart');
    try {
      const plan = await term.waitForScreen((s) => s.includes('go on? [y/N]'), 'the question', 30_000);
      expect(plan).toContain('2 steps on 1 host, in this order, stopping at the first that does not succeed:');
      expect(plan.indexOf('1. restart app.service on box')).toBeLessThan(plan.indexOf('2. restart worker.service on box'));
      expect(plan).toContain('then verified: active with a new MainPID, still after 5 s; on failure, its last log lines');
      term.keys('y', 'Enter');
      await term.waitForScreen((s) => /^box +worker\.service +ok +worker\.service restarted/m.test(s), 'both results', 60_000);
      expect(await term.exitCode()).toBe(0);
      expect((await state('app.service')).mainPid).not.toBe(before.mainPid);
    } finally {
      term.kill();
    }
  });
});

describe('opsdeck run on a terminal', () => {
  it('asks with the command and how it runs, and says nothing of the cockpit\'s output panel: its output comes here', { timeout: 60_000 }, async () => {
    const actions = join(scratch, 'actions.yaml');
    await writeFile(actions, 'hosts:\n  local: {local: true, logs: []}\nactions:\n  danger: {key: X, run: "echo hello from {host}", confirm: typed}\n');
    const term = new TmuxTerminal(`OPSDECK_AUDIT_LOG=${join(scratch, 'run.jsonl')} ${LAUNCHER} run danger --hosts local --config ${actions}`, 200, 30, join(scratch, 'run.exit'));
    try {
      const plan = await term.waitForScreen((s) => s.includes('type "danger" to go on:'), 'the question', 30_000);
      expect(plan).toContain("1. run danger on local: echo hello from 'local'");
      expect(plan).toContain('each host at once, timeout');
      expect(plan).not.toContain('panel');
      term.keys('danger', 'Enter');
      await term.waitForScreen((s) => s.includes('hello from local'), 'the output, on the terminal');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
  });
});
