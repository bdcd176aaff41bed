// One remote command on its own channel, against real sshd: exit codes are answers, stderr is
// drained, output is bounded, a signal or a missing exit status is a failure, deadlines hold.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import { testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let host: SshdHost;
let connection: SshConnection;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'exec');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'exec', port: host.port, user: user.name }]);
  connection = testConnection(workspace.sshConfig, workspace.dir, 'exec');
});
afterAll(async () => {
  connection?.close();
  await host?.stop();
  await workspace?.cleanup();
});

const run = (script: string, ms = 10_000) => connection.exec(script, AbortSignal.timeout(ms));

describe('remote exec', () => {
  test('exit codes, stdout and stderr come back as they are', async () => {
    await expect(run('echo out; echo err >&2; exit 3')).resolves.toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
  });

  test('a fast command never loses its exit status, however the packets arrive', async () => {
    // Output, exit status and close of a command this short often come in one read with the open
    // confirmation; the status must still be seen.
    for (let i = 0; i < 200; i++) await expect(run(`printf x; exit ${i % 7}`)).resolves.toMatchObject({ code: i % 7 });
  });

  test('a megabyte on stderr does not stall the channel', async () => {
    const result = await run('head -c 1048576 /dev/zero | tr "\\0" e >&2; echo done');
    expect(result.stdout).toBe('done\n');
    expect(result.code).toBe(0);
  });

  test('output past the limit is refused, not buffered without end', async () => {
    await expect(connection.exec('head -c 2000000 /dev/zero', AbortSignal.timeout(10_000), 1_000_000)).rejects.toThrow(/output larger than 1000000 bytes/);
  });

  test('a command killed by a signal is a failure', async () => {
    await expect(run('kill -TERM $$')).rejects.toThrow(/killed by SIGTERM/);
  });

  test('the deadline holds for a command that never ends: it fails as timed out, the command is gone from the host, the connection stays usable', async () => {
    // A script of two commands, so the shell itself waits on the sleep rather than becoming it.
    const started = Date.now();
    await expect(run('sleep 617; echo never', 500)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor('the remote sleep to end', async () => (await processesMatching('sleep 617')).length === 0, 5000);
    await expect(run('echo still here')).resolves.toMatchObject({ stdout: 'still here\n' });
  });

  test('stdin is closed at once: a command that reads it does not wait for us', async () => {
    await expect(run('cat; echo after')).resolves.toMatchObject({ stdout: 'after\n', code: 0 });
  });

  test('commands run under sh whatever the login shell, with empty and odd arguments kept', async () => {
    await expect(run('printf "[%s]" "" "a  b" "-n"; echo')).resolves.toMatchObject({ stdout: '[][a  b][-n]\n' });
  });
});

describe('a server with fewer sessions than opsdeck counts on', () => {
  test('a channel sshd refuses for want of a session is opened again once one is free, so no command fails', async () => {
    // sshd frees a session only after reaping its child, which can trail the close that gave opsdeck's
    // slot back; here the gap is made wide: sshd allows 2, opsdeck counts on 3.
    const narrow = await SshdHost.start(workspace, 'narrow', { extra: ['MaxSessions 2'] });
    await workspace.trust(narrow);
    await workspace.writeSshConfig([{ alias: 'exec', port: host.port, user: (await ensureTestUser()).name }, { alias: 'narrow', port: narrow.port, user: (await ensureTestUser()).name }]);
    const tight = testConnection(workspace.sshConfig, workspace.dir, 'narrow', { maxChannels: 3, followerChannels: 1 });
    try {
      const results = await Promise.all([1, 2, 3].map((n) => tight.exec(`sleep 0.3; echo ${n}`, AbortSignal.timeout(10_000))));
      expect(results.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n']);
      expect(narrow.output).toMatch(/no more sessions/);
    } finally {
      tight.close();
      await narrow.stop();
    }
  });
});
