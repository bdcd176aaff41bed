// Issue 15, fault 3, through the built CLI: an ssh host whose port accepts TCP and never speaks SSH
// is named as such in `snapshot --format json`, for the host itself and not only for its sources.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { silentListener, type Listener } from '../harness/listeners.js';
import { ensureTestUser, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let silent: Listener;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  silent = await silentListener();
  await workspace.writeSshConfig([{ alias: 'mute', port: silent.port, user: user.name }]);
});
afterAll(async () => {
  await silent?.close();
  await workspace?.cleanup();
});

async function snapshot(connectTimeout: string) {
  const path = join(workspace.dir, `opsdeck-${connectTimeout}.yaml`);
  await writeFile(path, `ssh: {config: ${workspace.sshConfig}, connectTimeout: ${connectTimeout}}\nhosts:\n  mute: {ssh: mute, logs: []}\ndatabases: {}\n`);
  const started = Date.now();
  const { code, stdout, stderr } = await runCliAsync(['snapshot', '--format', 'json', '--config', path], { SSH_AUTH_SOCK: '' }, 60_000);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return { host: JSON.parse(stdout).hosts.mute, elapsedMs: Date.now() - started };
}

describe('snapshot of an ssh host that never speaks SSH', () => {
  test('a connect timeout within the snapshot: the host is unreachable, "no SSH banner", since when', async () => {
    const { host } = await snapshot('1s');
    const error = 'no SSH banner within 1 s (is this port an SSH server?)';
    expect(host.status).toBe('error');
    expect(host.problem).toBe(error);
    expect(host.connection).toMatchObject({ status: 'unreachable', error, since: expect.any(Number) });
    expect(host.connection.hint).toContain(`127.0.0.1:${silent.port} accepts TCP connections but says nothing`);
  });

  test('a connect timeout longer than the snapshot: still pending, saying it waits for the banner, and the run does not wait it out', async () => {
    const { host, elapsedMs } = await snapshot('40s');
    const stage = `TCP connected to 127.0.0.1:${silent.port}, waiting for its SSH banner`;
    expect(host.status).toBe('pending');
    expect(host.problem).toBe(stage);
    expect(host.connection).toMatchObject({ status: 'connecting', stage });
    expect(elapsedMs).toBeLessThan(30_000);
  });
});
