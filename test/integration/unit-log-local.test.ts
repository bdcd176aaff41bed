// Enter on a unit of this machine: the same unit log view as over SSH (test/ssh/cockpit-ops.test.ts),
// through the local follower; a unit run by the daemonless systemctl, whose log is its own file, which
// opsdeck reads itself (services/logs/file-follower.ts).
import { chmod, mkdir, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { handleKey } from '../../src/app/dispatch.js';
import { displayLines } from '../../src/app/logview.js';
import { OperationExecutor } from '../../src/app/operations/executor.js';
import { cockpitOperations, statusLine } from '../../src/app/operations/controls.js';
import { serviceRows } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, emptyData } from '../../src/app/store.js';
import { followUnitLogs } from '../../src/app/unit-log.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { waitFor } from '../helpers/wait.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';
import { testControls } from '../helpers/controls.js';

/** How many of this process's file descriptors are open on `path`: the follower's, while it follows. */
async function openHere(path: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target === path).length;
}

let scratch: string;
let systemd: SystemdRoot;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'opsdeck-unit-log-'));
  const dir = join(scratch, 'systemd');
  await mkdir(dir, { recursive: true });
  const script = join(dir, 'ticker.sh');
  await writeFile(script, '#!/bin/sh\nn=0\nwhile true; do n=$((n+1)); echo "tick $n"; sleep 0.2; done\n');
  await chmod(script, 0o755);
  systemd = await makeSystemdRoot(dir, { 'ticker.service': unitFile('Ticker', script) });
  await systemd.ctl('start', 'ticker.service');
}, 120_000);

afterAll(async () => {
  await systemd?.ctl('stop', 'ticker.service');
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('Enter on a local unit follows its log; Esc stops the local follower', { timeout: 60_000 }, async () => {
  const config = resolveConfig({ refresh: '1s', hosts: { here: { local: true, systemctl: systemd.systemctl, services: ['ticker.service'], logs: [] } } }, null, loadDefaultBindings()).config;
  const store = createOpsStore(emptyData(), { refreshMs: 1000, host: 'here', focus: 'services' });
  const runtime = new Runtime(config, store, { local: new LocalHostAdapter() });
  await runtime.prepare();
  runtime.start();
  const stop = followUnitLogs(store, (host, unit) => runtime.openUnitLog(host, unit));
  const operations = cockpitOperations(new OperationExecutor({ ports: runtime.operationPorts(), audit: { location: 'memory', append: async () => undefined }, readOnly: true, say: statusLine(store), record: () => undefined }), store);
  const press = (key: string) => handleKey(store, config.keymap, key, key === 'enter' ? '\r' : '\u001b', testControls(operations), {});
  const logFile = join(systemd.dir, 'root/var/log/journal/ticker.service.log');
  try {
    await waitFor('ticker listed', () => serviceRows(store.getState().data, store.getState().ui).length === 1, 20_000);
    press('enter');
    const { sources } = await waitFor('tick lines', () => {
      const view = displayLines(store.getState().data, store.getState().ui);
      return [...view.lines].some((l) => /^tick \d+$/.test(l.text)) ? view : undefined;
    }, 20_000);
    expect(sources).toEqual([expect.objectContaining({ host: 'here', unit: 'ticker.service', from: `no journal entries; the daemonless systemctl's log ${logFile}` })]);
    expect(await openHere(logFile)).toBeGreaterThan(0);
    press('escape');
    expect(store.getState().ui).toMatchObject({ focus: 'services', unitLog: null });
    await waitFor('the log file closed', async () => (await openHere(logFile)) === 0);
  } finally {
    stop();
    runtime.stop();
  }
});
