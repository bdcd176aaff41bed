// Issue 10, acceptance 3: a check with `from: HOST` runs through that host's SSH connection. sshd
// (LogLevel DEBUG) logs each forwarded channel with its target, and it permits forwarding to the
// health endpoint's port only: a check from the host to any other port is refused by sshd, while
// the same check from here connects. The check is listed with its host.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hostRows } from '../../src/app/rows.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { startChecks, type RunningChecks } from '../helpers/checks.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let sshd: SshdHost;
let health: Server;
let other: Server;
let running: RunningChecks;
let closedPort: number;
const port = (server: Server) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  const user = await ensureTestUser();
  health = createServer((_req, res) => res.writeHead(200).end('{"status":"healthy"}')).listen(0, '127.0.0.1');
  other = createServer((_req, res) => res.writeHead(200).end('other')).listen(0, '127.0.0.1');
  await Promise.all([once(health, 'listening'), once(other, 'listening')]);
  const closed = createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  closedPort = port(closed);
  closed.close();
  workspace = await Workspace.create();
  sshd = await SshdHost.start(workspace, 'app', { logLevel: 'DEBUG', extra: [`PermitOpen 127.0.0.1:${port(health)} 127.0.0.1:${closedPort}`] });
  await workspace.trust(sshd);
  await workspace.writeSshConfig([{ alias: 'app', port: sshd.port, user: user.name }]);
  const yaml = [
    'refresh: 1s',
    `ssh: {config: ${workspace.sshConfig}}`,
    'hosts: {app: {ssh: app, logs: [], services: []}}',
    'checks:',
    `  health: {http: "http://127.0.0.1:${port(health)}/health", expect: healthy, from: app}`,
    `  blocked: {tcp: "127.0.0.1:${port(other)}", from: app}`,
    `  direct: {tcp: "127.0.0.1:${port(other)}"}`,
    `  refused: {tcp: "127.0.0.1:${closedPort}", from: app}`,
  ].join('\n');
  running = await startChecks(yaml, { local: new LocalHostAdapter(), remote: new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, connectTimeoutMs: 5000 }) });
}, 60_000);
afterAll(async () => {
  running?.runtime.stop();
  health?.close();
  other?.close();
  await sshd?.stop();
  await workspace?.cleanup();
});

describe('checks from an SSH host', () => {
  test('go through the host\'s connection: sshd logs the forwarded channel to the endpoint', async () => {
    const row = await running.until('health', 'ok', undefined, 30_000);
    expect(row.check.result).toMatchObject({ status: 200 });
    const forwarded = new RegExp(`direct_tcpip: originator \\S+ port \\d+, target 127\\.0\\.0\\.1 port ${port(health)}\\b`);
    await waitFor('sshd to log the forwarded channel', () => forwarded.test(sshd.output));
  });

  test('a port sshd does not let the host forward to fails from the host, named, and connects from here', async () => {
    const blocked = await running.until('blocked', 'failing', undefined, 30_000);
    expect(blocked.reason).toBe("the host's sshd does not allow forwarding there (administratively prohibited)");
    await running.until('direct', 'ok');
    expect(sshd.output).toMatch(new RegExp(`port ${port(other)}.*denied|denied.*port ${port(other)}`));
  });

  test('nothing listening where the host forwards to: connection refused, as from here', async () => {
    await running.until('refused', 'failing', /^connection refused$/, 30_000);
  });

  test('are listed with their host, whose row names a failing one', () => {
    const row = hostRows(running.store.getState().data, { filters: { hosts: '' } }).find((r) => r.host.name === 'app')!;
    expect(row.checks.map((c) => `${c.check.name} ${c.state}`)).toEqual(['blocked failing', 'refused failing']);
    expect(row.level).toBe('crit');
  });
});
