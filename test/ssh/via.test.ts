// Issue 4, acceptance 6 through the app: a database named with `via: HOST` is reached through that
// host's SSH connection (a forwarded channel), and `snapshot` reports its figures.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let bastion: SshdHost;
let configPath: string;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  bastion = await SshdHost.start(workspace, 'bastion');
  await workspace.trust(bastion);
  await workspace.writeSshConfig([{ alias: 'bastion', port: bastion.port, user: user.name }]);
  configPath = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    configPath,
    [
      `ssh: {config: ${workspace.sshConfig}}`,
      'hosts:',
      '  bastion: {ssh: bastion, logs: [], services: []}',
      'databases:',
      '  main: {postgres: "postgres://postgres@127.0.0.1:5432/test", via: bastion}',
      '  cache: {redis: "redis://127.0.0.1:6379", via: bastion}',
    ].join('\n'),
  );
});
afterAll(async () => {
  await bastion?.stop();
  await workspace?.cleanup();
});

describe('databases via an SSH host', () => {
  test('are read through the host\'s connection and appear in snapshot json', async () => {
    const { code, stdout, stderr } = await runCliAsync(['snapshot', '--format', 'json', '--config', configPath], { SSH_AUTH_SOCK: '' }, 60_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.hosts.bastion.connection).toMatchObject({ status: 'ok' });
    expect(report.databases.main).toMatchObject({ kind: 'postgres', status: 'ok' });
    expect(report.databases.main.target).toContain('via bastion');
    expect(report.databases.main.sample.connections.max).toBeGreaterThan(0);
    expect(report.databases.cache).toMatchObject({ kind: 'redis', status: 'ok' });
    expect(report.databases.cache.sample.pingMs).toBeGreaterThan(0);
  });
});
