// A poll source's long-lived shell, against real sshd: each script answers as a channel of its own
// would (output, stderr, exit code), in one shell process while nothing goes wrong, and a deadline
// or a flood ends the shell and what it ran without losing the next poll.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import type { ProbeShell } from '../../src/services/ssh/probe-shell.js';
import { testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let host: SshdHost;
let connection: SshConnection;
let shell: ProbeShell;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'shell');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'shell', port: host.port, user: user.name }]);
  connection = testConnection(workspace.sshConfig, workspace.dir, 'shell');
  shell = connection.probeShell();
});
afterAll(async () => {
  connection?.close();
  await host?.stop();
  await workspace?.cleanup();
});

const run = (script: string, ms = 10_000) => shell.run(script, AbortSignal.timeout(ms));

describe('a poll source shell', () => {
  test('exit codes, stdout and stderr come back exactly, with or without a last newline', async () => {
    await expect(run('echo out; echo err >&2; exit 3')).resolves.toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
    await expect(run('printf "no newline"; printf "e" >&2')).resolves.toEqual({ stdout: 'no newline', stderr: 'e', code: 0 });
    await expect(run('true')).resolves.toEqual({ stdout: '', stderr: '', code: 0 });
    await expect(run("printf '\\n\\n'")).resolves.toEqual({ stdout: '\n\n', stderr: '', code: 0 });
  });

  test('scripts run one after another in the same shell, and nothing one sets reaches the next', async () => {
    const shells = new Set<string>();
    for (let i = 0; i < 50; i++) shells.add((await run('echo $$')).stdout);
    expect(shells.size).toBe(1);
    await run('cd /tmp; X=set; exit 0');
    await expect(run('pwd; echo "${X-unset}"')).resolves.toMatchObject({ stdout: expect.stringMatching(/\nunset\n$/) });
    expect((await run('pwd')).stdout).not.toBe('/tmp\n');
  });

  test('polls sent together are answered in turn, each with its own output', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(`echo ${i}; echo e${i} >&2; exit ${i % 4}`)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => ({ stdout: `${i}\n`, stderr: `e${i}\n`, code: i % 4 })));
  });

  test('a megabyte on stderr does not stall the shell, and only the first 64 KiB are kept', async () => {
    const result = await run('head -c 1048576 /dev/zero | tr "\\0" e >&2; echo done');
    expect(result).toMatchObject({ stdout: 'done\n', code: 0 });
    expect(result.stderr).toBe('e'.repeat(64 * 1024));
  });

  test('output past the limit is refused, even by a byte, and the next poll is answered', async () => {
    await expect(shell.run('head -c 2000000 /dev/zero', AbortSignal.timeout(10_000), 1_000_000)).rejects.toThrow(/output larger than 1000000 bytes/);
    await expect(run('echo next')).resolves.toMatchObject({ stdout: 'next\n', code: 0 });
    await expect(shell.run('head -c 101 /dev/zero', AbortSignal.timeout(10_000), 100)).rejects.toThrow(/output larger than 100 bytes/);
    await expect(shell.run('head -c 100 /dev/zero', AbortSignal.timeout(10_000), 100)).resolves.toMatchObject({ stdout: '\0'.repeat(100), code: 0 });
  });

  test("a script that does not parse fails as it would under sh -c, and the shell goes on", async () => {
    const before = (await run('echo $$')).stdout;
    const broken = await run("echo 'unbalanced");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/unterminated|Syntax error|EOF/i);
    expect((await run('echo $$')).stdout).toBe(before);
  });

  test('a script that reads stdin gets nothing, not the polls after it', async () => {
    await expect(run('cat; echo after')).resolves.toMatchObject({ stdout: 'after\n', code: 0 });
    await expect(run('echo next')).resolves.toMatchObject({ stdout: 'next\n' });
  });

  test('the deadline holds for a script that never ends: it fails as timed out, the script is gone from the host, the next poll runs in a new shell', async () => {
    const before = (await run('echo $$')).stdout;
    const started = Date.now();
    await expect(run('sleep 619; echo never', 500)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor('the remote sleep to end', async () => (await processesMatching('sleep 619')).length === 0, 5000);
    const after = await run('echo $$');
    expect(after.code).toBe(0);
    expect(after.stdout).not.toBe(before);
  });
});

describe('channel slots', () => {
  test("an idle shell gives its slot back to an operation's channel instead of keeping it waiting", async () => {
    // Two channels: a log follower holds one, the shell the other.
    const tight = testConnection(workspace.sshConfig, workspace.dir, 'shell', { maxChannels: 2, followerChannels: 1 });
    const follower = await tight.openFollower('sleep 60');
    try {
      const polls = tight.probeShell();
      await expect(polls.run('echo polled', AbortSignal.timeout(10_000))).resolves.toMatchObject({ stdout: 'polled\n' });
      await expect(tight.exec('echo operation', AbortSignal.timeout(3000))).resolves.toMatchObject({ stdout: 'operation\n' });
      // And the shell opens again for the next poll once the operation is done.
      await expect(polls.run('echo polled again', AbortSignal.timeout(10_000))).resolves.toMatchObject({ stdout: 'polled again\n' });
    } finally {
      follower.channel.close();
      tight.close();
    }
  });
});

describe('shells that wait for a slot', () => {
  test('two shells asking at once while an idle one holds the last slot both get their answers', async () => {
    const tight = testConnection(workspace.sshConfig, workspace.dir, 'shell', { maxChannels: 2, followerChannels: 1 });
    const follower = await tight.openFollower('sleep 60');
    try {
      const idle = tight.probeShell();
      await idle.run('echo idle', AbortSignal.timeout(10_000));
      const [p, q] = [tight.probeShell(), tight.probeShell()];
      const answers = await Promise.all([p.run('echo p', AbortSignal.timeout(10_000)), q.run('echo q', AbortSignal.timeout(10_000))]);
      expect(answers.map((a) => a.stdout)).toEqual(['p\n', 'q\n']);
    } finally {
      follower.channel.close();
      tight.close();
    }
  });
});

describe('a server with fewer sessions than opsdeck counts on', () => {
  test('with MaxSessions 2 and a log followed, both poll sources and an operation still get their answers', async () => {
    const narrow = await SshdHost.start(workspace, 'narrow-shell', { extra: ['MaxSessions 2'] });
    await workspace.trust(narrow);
    const user = await ensureTestUser();
    await workspace.writeSshConfig([{ alias: 'shell', port: host.port, user: user.name }, { alias: 'narrow', port: narrow.port, user: user.name }]);
    const tight = testConnection(workspace.sshConfig, workspace.dir, 'narrow');
    const follower = await tight.openFollower('sleep 60');
    try {
      const resources = tight.probeShell();
      const services = tight.probeShell();
      for (let tick = 0; tick < 3; tick++) {
        const [r, s] = await Promise.all([resources.run('echo resources', AbortSignal.timeout(10_000)), services.run('echo services', AbortSignal.timeout(10_000))]);
        expect([r.stdout, s.stdout]).toEqual(['resources\n', 'services\n']);
      }
      await expect(tight.exec('echo operation', AbortSignal.timeout(10_000))).resolves.toMatchObject({ stdout: 'operation\n' });
      await expect(resources.run('echo again', AbortSignal.timeout(10_000))).resolves.toMatchObject({ stdout: 'again\n' });
    } finally {
      follower.channel.close();
      tight.close();
      await narrow.stop();
    }
  });
});
