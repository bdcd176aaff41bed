// Issue 10, acceptance 4 and 5 over SSH: the same measures on logs followed through an SSH host's
// file bundle (one `tail -F` per file on the host), judged by the same runtime.
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { hostRows } from '../../src/app/rows.js';
import { Runtime } from '../../src/app/runtime.js';
import { createOpsStore, initialUi, type OpsStore } from '../../src/app/store.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { TEN_PERCENT_5XX, within1Percent, writeTraffic } from '../helpers/access-traffic.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let sshd: SshdHost;
let runtime: Runtime;
let store: OpsStore;
let accessLog: string;
let authLog: string;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  sshd = await SshdHost.start(workspace, 'edge');
  await workspace.trust(sshd);
  await workspace.writeSshConfig([{ alias: 'edge', port: sshd.port, user: user.name }]);
  accessLog = join(sshd.dir, 'access.log');
  authLog = join(sshd.dir, 'auth.log');
  await writeFile(accessLog, '', { mode: 0o644 });
  await writeFile(authLog, '', { mode: 0o644 });
  const config = resolveConfig(
    {
      refresh: '2s',
      hosts: { edge: { ssh: 'edge', services: [], logs: [{ file: accessLog, label: 'nginx', format: 'nginx', window: '10s' }, { file: authLog, label: 'auth' }] } },
      rules: { 'ssh-bruteforce': { log: 'auth', match: 'Failed password for (?:invalid user )?\\S+ from (?<key>\\S+)', window: '5m', threshold: 20 } },
    },
    null,
    loadDefaultBindings(),
  ).config;
  store = createOpsStore();
  runtime = new Runtime(config, store, { local: new LocalHostAdapter(), remote: new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 3000 }) });
  await runtime.prepare();
  runtime.start();
}, 60_000);

afterAll(async () => {
  runtime?.stop();
  await sshd?.stop();
  await workspace?.cleanup();
});

const view = (label: string) => Object.values(store.getState().data.logs).find((l) => l.label === label);
const logEvents = () => store.getState().data.events.filter((e) => e.kind === 'log');

test('an nginx log on the host: 20 req/s with 10 % 5xx shown as such, and the crossing is an event', { timeout: 90_000 }, async () => {
  await waitFor('the access log measured', () => view('nginx')?.access?.metrics, 30_000);
  const writing = writeTraffic(accessLog, 12, TEN_PERCENT_5XX);
  const m = await waitFor(
    'a full 10 s window of traffic',
    () => {
      const metrics = view('nginx')?.access?.metrics;
      return metrics && metrics.window.requests >= 200 && within1Percent(metrics.requestsPerSec, 20) && within1Percent(metrics.window.errorRate ?? 0, 10) ? metrics : undefined;
    },
    30_000,
  );
  expect(m.window.judged).toBe(true);
  await writing;
  await waitFor('every request of the minute', () => view('nginx')?.access?.metrics?.lastMinute.requests === 240, 10_000);
  expect(view('nginx')!.access!.metrics!.lastMinute).toEqual({ requests: 240, clientErrors: 48, serverErrors: 24, unparsed: 0 });
  expect(logEvents().find((e) => e.level === 'crit')?.message).toMatch(/^nginx: 5xx rate crit: 10% /);
});

test('30 failed logins from one address in the host\'s auth log raise the alert naming it', { timeout: 60_000 }, async () => {
  // sshd's own words (test/integration/access-log.test.ts has a real sshd write them) as rsyslog files them.
  const stamp = () => {
    const d = new Date();
    return `${d.toString().slice(4, 7)} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
  };
  const lines = Array.from({ length: 30 }, (_, i) => `${stamp()} edge sshd[${4000 + i}]: Failed password for invalid user admin from 203.0.113.9 port ${50000 + i} ssh2\n`);
  await appendFile(authLog, `${stamp()} edge sshd[3999]: Failed password for root from 198.51.100.7 port 49999 ssh2\n`);
  for (const line of lines) await appendFile(authLog, line);
  const rule = await waitFor('the 30 failures counted', () => {
    const r = view('auth')?.rules?.[0];
    return r?.alerts[0]?.count === 30 ? r : undefined;
  }, 20_000);
  expect(rule.alerts).toEqual([{ key: '203.0.113.9', count: 30, level: 'crit' }]);
  expect(rule.top).toEqual([
    { key: '203.0.113.9', count: 30 },
    { key: '198.51.100.7', count: 1 },
  ]);
  expect(logEvents().some((e) => e.level === 'crit' && /^ssh-bruteforce: \d+ matches from 203\.0\.113\.9 in 5m on auth \(threshold 20\)$/.test(e.message))).toBe(true);
  expect(hostRows(store.getState().data, initialUi())[0]!.logAlerts.map((a) => a.short)).toContain('ssh-bruteforce 203.0.113.9');
});
