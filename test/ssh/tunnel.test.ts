// `via: HOST`: TCP streams opened from the SSH host over its shared connection (direct-tcpip
// channels, which OpenSSH does not count against MaxSessions).
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import type { HostWatch } from '../../src/services/host-adapter.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let host: SshdHost;
let echo: Server;
let echoPort: number;
let adapter: SshHostAdapter;
let watch: HostWatch;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'bastion');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'bastion', port: host.port, user: user.name }]);
  echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 } });
  watch = await adapter.watch(sshHost('bastion', 'bastion'), { timeoutMs: 5000 });
});
afterAll(async () => {
  adapter?.close();
  echo?.close();
  await host?.stop();
  await workspace?.cleanup();
});

async function roundTrip(stream: Duplex, text: string): Promise<string> {
  stream.write(text);
  const [chunk] = (await once(stream, 'data')) as [Buffer];
  return chunk.toString();
}

describe('tunnels through a watched host', () => {
  test('bytes go to host:port as the SSH host sees it, and come back', async () => {
    const stream = await adapter.tunnel('bastion')({ host: '127.0.0.1', port: echoPort }, AbortSignal.timeout(5000));
    expect(await roundTrip(stream, 'ping')).toBe('ping');
    stream.end();
  });

  test('a dozen tunnels and the probes share the connection: tunnels are not sessions', async () => {
    const streams = await Promise.all(Array.from({ length: 12 }, () => adapter.tunnel('bastion')({ host: '127.0.0.1', port: echoPort }, AbortSignal.timeout(5000))));
    expect(await Promise.all(streams.map((s, i) => roundTrip(s, `n${i}`)))).toEqual(streams.map((_, i) => `n${i}`));
    await expect(collectWithDeadline(watch.resources)).resolves.toMatchObject({ uptimeSec: expect.any(Number) });
    for (const stream of streams) stream.end();
  });

  test('nothing listening there, a bad target, an unknown host: clear errors', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as { port: number }).port;
    closed.close();
    await expect(adapter.tunnel('bastion')({ host: '127.0.0.1', port }, AbortSignal.timeout(5000))).rejects.toThrow(`bastion could not reach 127.0.0.1:${port}`);
    await expect(adapter.tunnel('bastion')({ host: '-oProxyCommand=x', port: 22 }, AbortSignal.timeout(5000))).rejects.toThrow(/not a host and port/);
    await expect(adapter.tunnel('nowhere')({ host: '127.0.0.1', port: echoPort }, AbortSignal.timeout(5000))).rejects.toThrow(/not an SSH host being watched/);
  });

  test('the host down: the tunnel fails at once with the reason, and works again when it is back', async () => {
    await host.kill();
    await waitFor('unreachable', () => adapter.connectionState('bastion')?.status === 'unreachable');
    await expect(adapter.tunnel('bastion')({ host: '127.0.0.1', port: echoPort }, AbortSignal.timeout(5000))).rejects.toThrow(/connection (lost|reset|refused)/);
    await host.restart();
    await waitFor('back', () => adapter.connectionState('bastion')?.status === 'ok');
    const stream = await adapter.tunnel('bastion')({ host: '127.0.0.1', port: echoPort }, AbortSignal.timeout(5000));
    expect(await roundTrip(stream, 'again')).toBe('again');
    stream.end();
  });
});
