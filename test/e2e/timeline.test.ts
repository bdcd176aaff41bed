// Issue 11, acceptance 1 and 2, in a real terminal against a real sshd test host with the daemonless
// systemctl: a unit stopped on the host lands in the day's timeline file at the time it was seen and
// is on screen again after a restart; with an incident open (from the CLI: the cockpit shows it), a
// restart from the keys is in the report's timeline with who ran it and what it verified, and the
// report holds each pane's state and the log's error lines.
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER, runCliAsync } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';
import { waitFor } from '../helpers/wait.js';

let workspace: Workspace;
let host: SshdHost;
let systemd: SystemdRoot;
let configPath: string;
let logFile: string;
const scratch = mkdtempSync(join(tmpdir(), 'opsdeck-timeline-'));
const state = join(scratch, 'state');
const auditLog = join(scratch, 'audit.jsonl');
const env = { XDG_STATE_HOME: state, OPSDECK_AUDIT_LOG: auditLog, SSH_AUTH_SOCK: '' };
const timelineDir = join(state, 'opsdeck', 'timeline');

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'web-1');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'web-1', port: host.port, user: user.name }]);
  systemd = await makeSystemdRoot(join(host.dir, 'systemd'), { 'app.service': unitFile('App'), 'worker.service': unitFile('Worker') }, user);
  await systemd.ctl('start', 'app.service');
  await systemd.ctl('start', 'worker.service');
  logFile = join(systemd.dir, 'app.log');
  await writeFile(logFile, 'app started\n', { mode: 0o644 });
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(configPath, [`ssh: {config: ${workspace.sshConfig}}`, 'hosts:', `  web-1: {ssh: web-1, systemctl: ${systemd.systemctl}, services: [app.service, worker.service], logs: [{file: ${logFile}, label: app}]}`].join('\n'));
}, 120_000);

afterAll(async () => {
  await systemd?.ctl('stop', 'app.service');
  await systemd?.ctl('stop', 'worker.service');
  await host?.stop();
  await workspace?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

function cockpit(columns: number, rows: number): TmuxTerminal {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
  return new TmuxTerminal(`${vars} XDG_CONFIG_HOME=${scratch} ${LAUNCHER} --config ${configPath} --refresh 1s`, columns, rows, join(scratch, `exit-${Date.now()}`));
}

async function timelineLines(): Promise<Record<string, unknown>[]> {
  const files = (await readdir(timelineDir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl')).sort();
  const texts = await Promise.all(files.map((f) => readFile(join(timelineDir, f), 'utf8')));
  // The first test tears a line on purpose: it is skipped here as opsdeck skips it.
  const parsed = (line: string): Record<string, unknown>[] => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  };
  return texts.flatMap((t) => t.split('\n').filter(Boolean).flatMap(parsed));
}

describe('the lasting timeline', () => {
  it('a unit stopped on the host is in the day\'s file at the time it was seen, and on screen again after a restart', { timeout: 150_000 }, async () => {
    const first = cockpit(200, 50);
    try {
      await first.waitForScreen((s) => /worker\.service\s+active\s+running/.test(s), 'the worker running', 30_000);
      const stoppedAt = Date.now();
      await systemd.ctl('stop', 'worker.service');
      await first.waitForScreen((s) => s.includes('worker.service active → inactive'), 'the transition in Events', 30_000);
      const seenAt = Date.now();
      const line = (await waitFor('the transition in the timeline file', async () => (await timelineLines()).find((l) => String(l.message).startsWith('worker.service active → inactive')), 10_000))!;
      expect(line).toMatchObject({ host: 'web-1', kind: 'unit', level: 'warn' });
      // Its time is when the sample that saw it was taken: after the stop began (less the refresh it may have started in), before it was on screen.
      const at = Date.parse(String(line.at));
      expect(at).toBeGreaterThanOrEqual(stoppedAt - 1000);
      expect(at).toBeLessThanOrEqual(seenAt);
      expect(line.at).toBe(new Date(at).toISOString());
      first.keys('q');
      expect(await first.exitCode()).toBe(0);
    } finally {
      first.kill();
    }
    // A bad line (a torn write) is skipped with one notice, never a crash.
    const [day] = (await readdir(timelineDir)).filter((f) => f.endsWith('.jsonl'));
    await appendFile(join(timelineDir, day!), '{"at": "torn\nnot json at all\n');
    // An event of yesterday evening (local time), within the 24 hours restored: Events gives its day.
    const evening = new Date();
    evening.setDate(evening.getDate() - 1);
    evening.setHours(23, 59, 58, 0);
    const two = (n: number) => String(n).padStart(2, '0');
    await appendFile(join(timelineDir, `${evening.toISOString().slice(0, 10)}.jsonl`), `${JSON.stringify({ at: evening.toISOString(), host: 'web-1', kind: 'threshold', level: 'crit', message: 'disk / crit: 96% (crit 90%)' })}\n`);
    const second = cockpit(80, 24);
    try {
      await second.waitForScreen((s) => s.includes('2 unreadable lines skipped'), 'the notice of the bad lines', 30_000);
      second.keys('5');
      const events = await second.waitForScreen((s) => s.includes('worker.service active → inactive') && s.includes('disk / crit'), 'the transition and yesterday\'s event back in Events', 30_000);
      expect(events).toContain(`${two(evening.getMonth() + 1)}-${two(evening.getDate())} 23:59:58 CRIT web-1`);
      expect(events).toMatch(/│ {6}\d\d:\d\d:\d\d WARN web-1 +worker\.service active → inactive/);
      second.keys('C-t');
      const screen = await second.waitForScreen((s) => s.includes('Timeline') && s.includes('worker.service active → inactive'), 'the full-screen timeline');
      expect(screen).toMatch(/\d\d-\d\d \d\d:\d\d:\d\d ▲ WARN +web-1/);
      second.keys('q', 'q');
      expect(await second.exitCode()).toBe(0);
    } finally {
      second.kill();
    }
    await systemd.ctl('start', 'worker.service');
  });
});

describe('an incident and its report', () => {
  it('opened from the CLI, shown in the cockpit; a restart from the keys is in the report with who and its verified result, with each pane\'s state and the log errors', { timeout: 180_000 }, async () => {
    await appendFile(logFile, 'ERROR upstream timed out after 30s\n');
    const term = cockpit(200, 50);
    try {
      await term.waitForScreen((s) => /app\.service\s+active\s+running/.test(s) && s.includes('ERROR upstream timed out'), 'the unit running and the error in Logs', 30_000);
      const opened = await runCliAsync(['incident', 'start', '--title', 'checkout failing', '--severity', 'P2', '--config', configPath], env, 60_000);
      expect(opened.stderr).toBe('');
      expect(opened.code).toBe(0);
      const id = /incident (inc-[\d-]+) open: P2 checkout failing/.exec(opened.stdout)?.[1];
      expect(id).toBeDefined();
      await term.waitForScreen((s) => s.includes(`INCIDENT P2 (major function down) checkout failing`) && s.includes(id!), 'the incident banner', 15_000);
      await appendFile(logFile, 'ERROR payment gateway refused the connection\n');
      await term.waitForScreen((s) => s.includes('payment gateway refused'), 'the new error in Logs', 30_000);
      term.keys('3', 'r');
      await term.waitForScreen((s) => s.includes('restart app.service on web-1?'), 'the confirmation');
      term.keys('y');
      await term.waitForScreen((s) => /web-1: app\.service restarted, verified active \(running\)/.test(s), 'the verified result', 30_000);
      term.keys('P');
      const screen = await term.waitForScreen((s) => /report written to \S+\.md/.test(s), 'where the report went', 30_000);
      const path = /report written to (\S+\.md)/.exec(screen)![1]!;
      expect(path.startsWith(join(state, 'opsdeck', 'reports'))).toBe(true);
      const report = await readFile(path, 'utf8');
      const operator = userInfo().username;
      // Garden DX's template: its sections, the placeholders left for people.
      expect(report).toContain('# Postmortem: checkout failing');
      for (const section of ['## Basic information', '## Summary', '## Timeline', '## Root cause', '## Impact', '## Response', '## State at start', '## State at end', '## Prevention', '## Action items', '## Lessons learned']) expect(report).toContain(section);
      expect(report).toContain(`- **Incident ID**: ${id}`);
      expect(report).toContain('- **Severity**: P2: major function down');
      // Done, with who and the verified result, tagged with the incident in the audit log.
      expect(report).toMatch(new RegExp(`\\| done \\| ${operator} \\| unit\\.restart unit:web-1/app\\.service → ok: web-1: app\\.service restarted, verified active \\(running\\)`));
      const audit = (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(audit.filter((r) => r.action === 'unit.restart')).toEqual([expect.objectContaining({ outcome: 'started', incident: id }), expect.objectContaining({ outcome: 'ok', incident: id, user: operator })]);
      // Seen: the incident opening in the timeline.
      expect(report).toMatch(new RegExp(`\\| incident \\| ${operator} \\| incident ${id} opened: P2 checkout failing`));
      // Each pane's state at the start (the CLI's snapshot) and at the report (the cockpit's screen): hosts, resources, units.
      const [, atStart = '', atEnd = ''] = report.split(/^## State at (?:start|end).*$/m);
      for (const part of [atStart, atEnd]) {
        expect(part).toMatch(/\| web-1 \| ok \|/);
        expect(part).toContain('#### web-1');
        expect(part).toMatch(/CPU \d+\.\d% on \d+ cores/);
        expect(part).toMatch(/\| app\.service \| active \| running \|/);
        expect(part).toContain('#### Error lines in the logs');
      }
      // The error lines around the start: the one before it at the start, both by the end.
      expect(atStart).toContain('ERROR upstream timed out after 30s');
      expect(atEnd).toContain('ERROR upstream timed out after 30s');
      expect(atEnd).toContain('ERROR payment gateway refused the connection');
      // The operation's event in the timeline file carries its audit id and the incident.
      const event = (await timelineLines()).find((l) => String(l.message).startsWith('web-1: app.service restarted'));
      expect(event).toMatchObject({ kind: 'action', incident: id, auditId: audit.find((r) => r.action === 'unit.restart')!.id });
      // Opened from a shell: recorded once, by the command, though the cockpit saw it too.
      expect((await timelineLines()).filter((l) => String(l.message).startsWith(`incident ${id} opened`))).toEqual([expect.objectContaining({ kind: 'incident', message: `incident ${id} opened: P2 checkout failing` })]);
      // I, then Enter on the filled-in line, closes it.
      term.keys('I');
      await term.waitForScreen((s) => s.includes(':incident stop'), 'the close on the command line');
      term.keys('Enter');
      await term.waitForScreen((s) => s.includes(`incident ${id} closed`) && !s.includes('INCIDENT P2'), 'the incident closed');
      term.keys('q');
      expect(await term.exitCode()).toBe(0);
    } finally {
      term.kill();
    }
    // Closed, its report from the CLI has an end: the state the cockpit captured as it closed.
    const closed = await runCliAsync(['report', '--incident', /inc-[\d-]+/.exec(await readFile(join(state, 'opsdeck', 'incidents.jsonl'), 'utf8'))![0], '--format', 'markdown'], env, 30_000);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toMatch(/- \*\*Resolved\*\*: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(closed by /);
    expect(closed.stdout).toContain('_As the cockpit saw it at');
  });
});
