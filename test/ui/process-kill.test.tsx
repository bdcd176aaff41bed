// Issue 8, process kill on this machine (the htop habit): real `sleep` children in the Resources pane's
// top list, T and K through the real executor and the real local door (process.kill, /proc), verified
// by the process being gone; pid 1 and opsdeck itself refused; read-only refused on the record.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import type { DataState } from '../../src/app/store.js';
import type { ProcessStat } from '../../src/domain/model.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { localProcessControl } from '../../src/services/process-signal.js';
import { deliver, hostsData, sample, withPendingSource } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';
import { running } from '../harness/processes.js';

let app: AppHarness | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  app?.unmount();
  app = undefined;
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const { text, plainLine } = screenReader(() => app!.frame());

const config = (): OpsConfig => resolveConfig({ hold: 1, hosts: { local: { local: true, logs: [], services: [] } } }, '/etc/opsdeck/config.yaml', loadDefaultBindings()).config;

/** A real child: `sleep`, or one that ignores TERM (an ignored signal stays ignored across exec). */
function sleeper(ignoreTerm = false): number {
  const child = ignoreTerm ? spawn('sh', ['-c', 'trap "" TERM; exec sleep 1000'], { stdio: 'ignore' }) : spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** The local host's top list as the processes source delivers it, with these processes in it. */
function withProcesses(rows: ProcessStat[]): DataState {
  const tracker = new ThresholdTracker(1);
  const at = Date.now();
  let data = deliver(hostsData(config()), hostSourceId('local', 'resources'), sample(5, 10, 22, at), tracker, at);
  data = withPendingSource(data, hostSourceId('local', 'processes'), 'processes', at);
  return deliver(data, hostSourceId('local', 'processes'), { at, byCpu: rows, byMemory: rows }, tracker, at);
}

const row = (pid: number, name: string, cpuPercent: number): ProcessStat => ({ pid, name, user: 'root', cpuPercent, memBytes: 1024 * 1024 });

async function open(rows: ProcessStat[], options: { readOnly?: boolean } = {}) {
  app = await renderApp(config(), withProcesses(rows), { columns: 80, rows: 24, ui: { host: 'local', focus: 'resources' }, ports: { processes: (host) => (host === 'local' ? localProcessControl() : undefined) }, ...options });
}

describe('T and K on the Resources pane\'s top processes', () => {
  it('T sends TERM to the highlighted process after a yes, and it is gone', async () => {
    const first = sleeper();
    const second = sleeper();
    await open([row(first, 'sleep', 9), row(second, 'sleep', 3)]);
    await app!.press('j');
    expect(plainLine(String(second))).toMatch(/sleep/);
    await app!.press('T');
    expect(text()).toContain(`TERM pid ${second} (sleep) on local?`);
    expect(text()).toContain(`sends: kill -TERM ${second}`);
    await app!.press('y');
    await expect.poll(() => app!.store.getState().ui.message?.text, { timeout: 10_000 }).toBe(`local: pid ${second} (sleep) sent TERM, verified gone`);
    expect(running(second)).toBe(false);
    expect(running(first)).toBe(true);
    expect(app!.audit.map((a) => [a.action, a.target, a.outcome])).toEqual([
      ['process.term', `process:local/${second}`, 'started'],
      ['process.term', `process:local/${second}`, 'ok'],
    ]);
  });

  it('the selection follows the pid when the list is re-sorted', async () => {
    const a = sleeper();
    const b = sleeper();
    await open([row(a, 'sleep', 9), row(b, 'sleep', 3)]);
    await app!.press('j');
    // The next sample puts b first: T still means b.
    const at = Date.now();
    app!.store.setState((s) => ({ ...s, data: deliver(s.data, hostSourceId('local', 'processes'), { at, byCpu: [row(b, 'sleep', 20), row(a, 'sleep', 1)], byMemory: [] }, new ThresholdTracker(1), at) }));
    await app!.press('T');
    expect(text()).toContain(`TERM pid ${b} (sleep) on local?`);
  });

  it('TERM ignored: "still running after 5 s"; K then asks for the pid typed, and KILL makes it gone', { timeout: 30_000 }, async () => {
    const stubborn = sleeper(true);
    await expect.poll(async () => (await readFile(`/proc/${stubborn}/comm`, 'utf8')).trim()).toBe('sleep');
    await open([row(stubborn, 'sleep', 50)]);
    await app!.press('T', 'y');
    await expect.poll(() => app!.store.getState().ui.message?.text, { timeout: 15_000 }).toBe(`local: pid ${stubborn} (sleep) still running 5 s after TERM (it may ignore TERM; K sends KILL)`);
    expect(running(stubborn)).toBe(true);

    await app!.press('K');
    expect(text()).toContain(`KILL pid ${stubborn} (sleep) on local?`);
    expect(text()).toMatch(new RegExp(`type ${stubborn} and Enter to go`));
    // y is no answer to a typed confirmation, nor is the wrong number.
    await app!.press('y', KEYS.enter);
    expect(app!.store.getState().ui.message?.text).toBe(`type "${stubborn}" to confirm, Esc to cancel`);
    expect(running(stubborn)).toBe(true);
    await app!.press(KEYS.backspace, ...String(stubborn).split(''), KEYS.enter);
    await expect.poll(() => app!.store.getState().ui.message?.text, { timeout: 10_000 }).toBe(`local: pid ${stubborn} (sleep) sent KILL, verified gone`);
    expect(running(stubborn)).toBe(false);
    expect(app!.audit.filter((a) => a.outcome !== 'started').map((a) => [a.action, a.outcome])).toEqual([
      ['process.term', 'failed'],
      ['process.kill', 'ok'],
    ]);
  });

  it('refuses pid 1 and opsdeck\'s own pid with a clear message, asking nothing', async () => {
    await open([row(1, 'init', 5), row(process.pid, 'node', 4)]);
    await app!.press('T');
    expect(app!.store.getState().ui.message).toMatchObject({ level: 'error', text: 'pid 1 is the init process: opsdeck never signals it' });
    await app!.press('j', 'K');
    expect(app!.store.getState().ui.message).toMatchObject({ level: 'error', text: `pid ${process.pid} is opsdeck itself: quit with q instead` });
    expect(app!.store.getState().ui.overlay).toBe('none');
    expect(app!.audit).toEqual([]);
  });

  it('read-only refuses without asking, on the audit record, and the process lives on', async () => {
    const pid = sleeper();
    await open([row(pid, 'sleep', 5)], { readOnly: true });
    await app!.press('K');
    await expect.poll(() => app!.store.getState().ui.message?.text).toBe(`read-only: "KILL pid ${pid} (sleep) on local" refused`);
    expect(app!.store.getState().ui.overlay).toBe('none');
    expect(app!.audit).toEqual([expect.objectContaining({ action: 'process.kill', target: `process:local/${pid}`, outcome: 'refused', detail: expect.objectContaining({ pid, signal: 'KILL' }) })]);
    expect(running(pid)).toBe(true);
  });
});
