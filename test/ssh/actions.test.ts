// Issue 8, operator commands (`actions:`): run by the real executor with a real audit file, on this
// machine (sh -c) and on real sshd hosts through their shared connections. Acceptance 4: a hostile
// placeholder value runs nothing but the intended command; 5: fan-out with a dead host reports each
// host and waits on the dead one no longer than its timeout; the deadline ends the remote command;
// read-only refuses with an audit record.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildAction, type ActionSpec } from '../../src/app/operations/action.js';
import { statusLine } from '../../src/app/operations/controls.js';
import { OperationExecutor, type OperationResult } from '../../src/app/operations/executor.js';
import { OutputPanelWriter } from '../../src/app/output-panel.js';
import { createOpsStore, type OpsStore } from '../../src/app/store.js';
import type { HostConfig, OpsEvent } from '../../src/domain/model.js';
import { auditTrail } from '../../src/services/audit.js';
import type { HostWatch } from '../../src/services/host-adapter.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { silentListener, type Listener } from '../harness/listeners.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let alpha: SshdHost;
let beta: SshdHost;
let dead: Listener;
let adapter: SshHostAdapter;
let scratch: string;
const watches = new Map<string, HostWatch>();

const LOCAL: HostConfig = { ...sshHost('local', ''), local: true, ssh: undefined };

function executor(options: { readOnly?: boolean; readOnlyHosts?: string[] } = {}) {
  const events: OpsEvent[] = [];
  const auditLog = join(scratch, `audit-${Math.random().toString(36).slice(2)}.jsonl`);
  const store = createOpsStore();
  const exec = new OperationExecutor({
    ports: { database: () => undefined, sshHost: () => undefined, units: () => undefined, maintenance: () => undefined, processes: () => undefined, backup: () => undefined, shell: (h) => watches.get(h)?.shell },
    audit: auditTrail(auditLog),
    readOnly: options.readOnly ?? false,
    readOnlyHosts: new Set(options.readOnlyHosts ?? []),
    say: statusLine(store),
    record: (event) => events.push(event),
    output: () => new OutputPanelWriter(store),
  });
  const records = async () => (await readFile(auditLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown> & { detail: Record<string, unknown>; result: { results: unknown[] } });
  return { exec, events, records, store };
}

function action(run: string, timeoutMs = 10_000): ActionSpec {
  return { name: 'probe', key: 'X', hosts: [], run, confirm: 'yes', timeoutMs };
}

function start(exec: OperationExecutor, spec: ActionSpec, hosts: string[], values: Record<string, string> = {}): Promise<OperationResult> {
  const built = buildAction(spec, hosts, values);
  if ('error' in built) throw new Error(built.error);
  return exec.start({ kind: 'action.run', params: built.params });
}

const panelStatus = (store: OpsStore, host: string) => store.getState().ui.output?.sections.find((s) => s.host === host)?.status;

beforeAll(async () => {
  const user = await ensureTestUser();
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-actions-'));
  // The SSH hosts log in as the test user: it writes its files here too.
  await chmod(scratch, 0o777);
  workspace = await Workspace.create();
  alpha = await SshdHost.start(workspace, 'alpha');
  beta = await SshdHost.start(workspace, 'beta');
  dead = await silentListener();
  for (const host of [alpha, beta]) await workspace.trust(host);
  await workspace.writeSshConfig([
    { alias: 'alpha', port: alpha.port, user: user.name },
    { alias: 'beta', port: beta.port, user: user.name },
    { alias: 'dead', port: dead.port, user: user.name },
  ]);
  // The connect timeout is longer than the actions' deadlines: the dead host is ended by the action's own.
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 20_000 });
  for (const name of ['alpha', 'beta', 'dead']) watches.set(name, await adapter.watch(sshHost(name, name), { timeoutMs: 5000 }));
  watches.set('local', await new LocalHostAdapter().watch({ ...LOCAL, logs: [] }, { timeoutMs: 5000 }));
}, 120_000);

afterAll(async () => {
  adapter?.close();
  await alpha?.stop();
  await beta?.stop();
  await dead?.close();
  await workspace?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a placeholder value is one word, whatever it holds (acceptance 4)', () => {
  const canary = () => join(scratch, 'CANARY');
  const hostile = () => [`$(touch ${canary()})`, `\`touch ${canary()}\``, `; touch ${canary()}`, `'; touch ${canary()}; '`, `"; touch ${canary()}; "`, "'", `line one\ntouch ${canary()}`];

  test.each(['local', 'alpha'])('on %s: the command receives each value exactly and the canary stays absent', { timeout: 60_000 }, async (host) => {
    const { exec, records } = executor();
    for (const [i, value] of hostile().entries()) {
      const out = join(scratch, `out-${host}-${i}`);
      const result = await start(exec, action(`printf '%s' {unit} > ${out}`), [host], { unit: value });
      expect(result).toMatchObject({ outcome: 'ok', message: expect.stringMatching(new RegExp(`^probe on ${host}: exit 0 in `)) });
      expect(await readFile(out, 'utf8')).toBe(value);
      expect(existsSync(canary())).toBe(false);
    }
    const audit = await records();
    // Started and outcome for each: the exact command the host got, its exit status and duration.
    expect(audit).toHaveLength(hostile().length * 2);
    expect(audit[0]).toMatchObject({ action: 'action.run', host, target: 'action:probe', outcome: 'started', detail: { commands: { [host]: expect.stringContaining('touch') } } });
    expect(audit[1]).toMatchObject({ outcome: 'ok', result: { results: [expect.objectContaining({ host, ended: 'exit', exit: 0, durationMs: expect.any(Number) })] } });
  });
});

describe('fan-out over three hosts, one of them dead (acceptance 5)', () => {
  test('each host reports; the live ones at once, the dead one at its own deadline and not later', { timeout: 60_000 }, async () => {
    const { exec, store, records, events } = executor();
    const timeoutMs = 3000;
    const started = performance.now();
    const running = start(exec, action('echo hello from {host}; echo to stderr >&2; exit 0', timeoutMs), ['alpha', 'dead', 'beta']);
    // The panel shows the live hosts' results while the dead one still waits.
    await waitFor('alpha and beta done', () => panelStatus(store, 'alpha') && panelStatus(store, 'beta'));
    const liveDone = performance.now() - started;
    expect(panelStatus(store, 'dead')).toBeNull();
    expect(liveDone).toBeLessThan(timeoutMs);
    const result = await running;
    const total = performance.now() - started;
    expect(total).toBeGreaterThanOrEqual(timeoutMs - 50);
    // Its deadline, plus the time to write the audit record: not the 20 s connect timeout.
    expect(total).toBeLessThan(timeoutMs + 1500);
    expect(result.outcome).toBe('failed');
    expect(result.message).toBe('probe: 2 of 3 hosts ok; dead timed out after 3s: no connection within 3 s');
    const sections = store.getState().ui.output!.sections;
    expect(sections.map((s) => [s.host, s.status?.ok, s.lines])).toEqual([
      ['alpha', true, expect.arrayContaining(['hello from alpha', 'to stderr'])],
      ['dead', false, []],
      ['beta', true, expect.arrayContaining(['hello from beta', 'to stderr'])],
    ]);
    expect(sections[0]!.status!.text).toMatch(/^exit 0 in /);
    const outcome = (await records())[1]!;
    expect(outcome).toMatchObject({ host: 'alpha,dead,beta', outcome: 'failed' });
    expect(outcome.result.results).toEqual([
      expect.objectContaining({ host: 'alpha', ended: 'exit', exit: 0, tail: ['hello from alpha', 'to stderr'] }),
      expect.objectContaining({ host: 'dead', ended: 'timeout' }),
      expect.objectContaining({ host: 'beta', ended: 'exit', exit: 0 }),
    ]);
    expect(events).toEqual([expect.objectContaining({ host: 'alpha,dead,beta', kind: 'action', level: 'warn', message: result.message })]);
  });
});

describe('the deadline ends the command and what it started', () => {
  test.each(['alpha', 'local'])('on %s: the sleeps are gone afterwards, and the header says it timed out', { timeout: 60_000 }, async (host) => {
    const marker = `${4000 + Math.floor(Math.random() * 900)}.${host === 'local' ? 1 : 2}`;
    const { exec, store } = executor();
    const result = await start(exec, action(`echo started; sleep ${marker} & sleep ${marker}; echo never`, 1500), [host]);
    expect(result.outcome).toBe('failed');
    // Over SSH the wrapper's shell reports the TERM as exit 143; here sh itself was the one signalled.
    expect(result.message).toBe(`probe on ${host}: timed out after 1.5s, ended (${host === 'local' ? 'killed by SIGTERM' : 'exit 143'})`);
    expect(store.getState().ui.output!.sections[0]!.lines).toEqual(['started']);
    await waitFor(`no sleep ${marker} left on ${host}`, async () => (await processesMatching(`sleep ${marker}`)).length === 0, 10_000);
  });

  test(':abort ends a run on every host the same way, and the run is recorded cancelled', { timeout: 60_000 }, async () => {
    const marker = `${7000 + Math.floor(Math.random() * 900)}.5`;
    const { exec, store, records } = executor();
    const running = start(exec, action(`echo started; sleep ${marker}`, 60_000), ['alpha', 'local']);
    await waitFor('both started', () => store.getState().ui.output?.sections.every((s) => s.lines.includes('started')));
    expect(exec.abortAll()).toBe(1);
    const result = await running;
    expect(result.outcome).toBe('cancelled');
    expect(result.message).toMatch(/^probe: 0 of 2 hosts ok; alpha stopped \(:abort or quit\) in [\d.]+m?s \(exit 143\); local stopped \(:abort or quit\) in [\d.]+m?s \(killed by SIGTERM\)$/);
    expect((await records())[1]).toMatchObject({ outcome: 'cancelled', result: { results: [expect.objectContaining({ ended: 'aborted' }), expect.objectContaining({ ended: 'aborted' })] } });
    await waitFor(`no sleep ${marker} left`, async () => (await processesMatching(`sleep ${marker}`)).length === 0, 10_000);
  });

  test('a command that ignores TERM gets KILL', { timeout: 60_000 }, async () => {
    const marker = `${5000 + Math.floor(Math.random() * 900)}.3`;
    const { exec } = executor();
    const result = await start(exec, action(`trap '' TERM; sleep ${marker}; echo never`, 1000), ['alpha']);
    expect(result.message).toBe('probe on alpha: timed out after 1s, ended (exit 137)');
    await waitFor(`no sleep ${marker} left`, async () => (await processesMatching(`sleep ${marker}`)).length === 0, 10_000);
  });

  test('what the command started on purpose in the background is left alone when it ends by itself', { timeout: 60_000 }, async () => {
    const marker = `${6000 + Math.floor(Math.random() * 900)}.4`;
    const { exec } = executor();
    const result = await start(exec, action(`nohup sleep ${marker} >/dev/null 2>&1 & echo started`), ['alpha']);
    expect(result.outcome).toBe('ok');
    const [pid] = await waitFor('the background sleep', async () => {
      const found = await processesMatching(`sleep ${marker}`);
      return found.length > 0 ? found : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await processesMatching(`sleep ${marker}`)).toEqual([pid]);
    process.kill(pid!, 'SIGKILL');
  });
});

describe('read-only', () => {
  test('a read-only host among the targets refuses the whole run, audited, nothing sent', { timeout: 30_000 }, async () => {
    const { exec, records, store } = executor({ readOnlyHosts: ['beta'] });
    const out = join(scratch, 'read-only-host');
    const result = await start(exec, action(`touch ${out}-{host}`), ['alpha', 'beta']);
    expect(result).toMatchObject({ outcome: 'refused', message: 'read-only host beta: "run probe on 2 hosts (alpha, beta)" refused' });
    expect(await records()).toEqual([expect.objectContaining({ action: 'action.run', outcome: 'refused', host: 'alpha,beta', detail: expect.objectContaining({ commands: expect.any(Object) }) })]);
    expect(existsSync(`${out}-alpha`)).toBe(false);
    expect(store.getState().ui.output).toBeNull();
  });

  test('--read-only refuses it on every host', { timeout: 30_000 }, async () => {
    const { exec, records } = executor({ readOnly: true });
    const out = join(scratch, 'read-only');
    const result = await start(exec, action(`touch ${out}`), ['local']);
    expect(result).toMatchObject({ outcome: 'refused', message: 'read-only: "run probe on local" refused' });
    expect(await records()).toEqual([expect.objectContaining({ outcome: 'refused', error: result.message })]);
    expect(existsSync(out)).toBe(false);
  });
});
