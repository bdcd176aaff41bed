// Issue 3, acceptance 5 and the follower's life on the host: a 10 MB burst stays bounded, a stopped
// follower leaves nothing running remotely, and a follower that ends by itself says so and restarts.
// Many logs on one host (bundles, the journal, a second connection): log-bundles.test.ts.
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LogBuffer } from '../../src/services/logs/buffer.js';
import type { LogStream } from '../../src/services/logs/stream.js';
import { shJoin } from '../../src/services/shell-quote.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import { followerScript, singleLogFollower, systemLogFollower } from '../../src/services/ssh/follower.js';
import { sshHost, testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let host: SshdHost;
let user: string;
let logDir: string;
let adapter: SshHostAdapter;

beforeAll(async () => {
  user = (await ensureTestUser()).name;
  workspace = await Workspace.create();
  // Default sshd settings: MaxSessions 10.
  host = await SshdHost.start(workspace, 'logs');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'logs', port: host.port, user }]);
  logDir = join(host.dir, 'logs');
  await mkdir(logDir, { mode: 0o755 });
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 } });
});
afterAll(async () => {
  adapter?.close();
  await host?.stop();
  await workspace?.cleanup();
});

interface Recorded {
  lines: string[];
  marks: string[];
  states: { status: string; error?: string; hint?: string; absent?: string }[];
}

function record(stream: LogStream): Recorded {
  const recorded: Recorded = { lines: [], marks: [], states: [] };
  stream.start({
    line: (text) => recorded.lines.push(text),
    mark: (text) => recorded.marks.push(text),
    state: (status, error, hint, absent) => recorded.states.push({ status, error, hint, absent }),
  });
  return recorded;
}

async function logFile(name: string, content = ''): Promise<string> {
  const path = join(logDir, name);
  await writeFile(path, content, { mode: 0o644 });
  return path;
}

// A full collection on demand, to measure what is kept rather than what is not yet collected.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const connection = (): SshConnection => testConnection(workspace.sshConfig, workspace.dir, 'logs');

describe('remote log followers', () => {
  test('a 10 MB burst reaches the buffer whole and leaves memory bounded by the buffer, not the burst', async () => {
    const path = await logFile('burst.log');
    const watch = await adapter.watch(sshHost('logs', 'logs', { logs: [{ kind: 'file', path, label: 'burst' }] }), { timeoutMs: 5000 });
    const buffer = new LogBuffer(10_000, 2000);
    let last = '';
    const stream = watch.logStreams[0]!;
    stream.start({ line: (text) => ((last = text), buffer.append(text)), mark: () => {}, state: () => {} });
    await waitFor('follower running', async () => (await processesMatching(path)).length > 0);

    // What stays reachable once the garbage is collected, strings and Buffers alike (heapUsed alone
    // does not count Buffers, where a kept burst of chunks would sit).
    const retained = (): number => {
      // Twice: the first pass leaves what finalizers and weak references free for the second.
      collectGarbage();
      collectGarbage();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.external;
    };
    const baseline = retained();
    const lines = 100_000;
    let burstBytes = 0;
    const file = await open(path, 'a');
    const chunk: string[] = [];
    for (let i = 1; i <= lines; i++) {
      chunk.push(`2026-11-23T12:00:00 burst line ${String(i).padStart(7, '0')} ${'x'.repeat(66)}`);
      if (chunk.length === 5000) {
        const text = `${chunk.splice(0).join('\n')}\n`;
        burstBytes += text.length;
        await file.write(text);
      }
    }
    await file.close();
    await waitFor('last burst line', () => last.includes(`burst line ${String(lines).padStart(7, '0')}`), 60_000);
    // Measured while the follower still runs: what it and the buffer hold now.
    const kept = retained() - baseline;
    stream.stop();

    expect(buffer.size).toBe(10_000);
    expect(buffer.takeSnapshot()!.at(-1)!.text).toContain(`burst line ${String(lines).padStart(7, '0')}`);
    // The buffer's 10,000 lines of ~100 bytes (about 2 MB with their records), not the 10 MB that went through.
    expect(burstBytes).toBeGreaterThan(10_000_000);
    expect(kept).toBeLessThan(burstBytes / 2);
  });

  test('a line that never ends is cut, and the lines after it still arrive', async () => {
    const path = await logFile('long.log');
    const watch = await adapter.watch(sshHost('logs', 'logs', { logs: [{ kind: 'file', path, label: 'long' }] }), { timeoutMs: 5000 });
    const recorded = record(watch.logStreams[0]!);
    await waitFor('follower running', async () => (await processesMatching(path)).length > 0);
    await appendFile(path, `${'y'.repeat(3 * 1024 * 1024)}\nafter the long one\n`);
    await waitFor('line after the long one', () => recorded.lines.includes('after the long one'));
    watch.logStreams[0]!.stop();
    expect(Math.max(...recorded.lines.map((l) => l.length))).toBeLessThanOrEqual(128 * 1024);
  });

  test('stopping a follower ends tail on the host; so does closing the adapter', async () => {
    const path = await logFile('stop.log', 'one\n');
    const watch = await adapter.watch(sshHost('logs', 'logs', { logs: [{ kind: 'file', path, label: 'stop' }] }), { timeoutMs: 5000 });
    const recorded = record(watch.logStreams[0]!);
    await waitFor('first line', () => recorded.lines.includes('one'));
    expect((await processesMatching(`tail -F -n 200 -- ${path}`)).length).toBe(1);
    watch.logStreams[0]!.stop();
    await waitFor('remote tail gone after stop', async () => (await processesMatching(path)).length === 0, 5000);

    const path2 = await logFile('close.log', 'two\n');
    const other = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false });
    const watch2 = await other.watch(sshHost('logs', 'logs', { logs: [{ kind: 'file', path: path2, label: 'close' }] }), { timeoutMs: 5000 });
    const recorded2 = record(watch2.logStreams[0]!);
    await waitFor('first line', () => recorded2.lines.includes('two'));
    other.close();
    await waitFor('remote tail gone after close', async () => (await processesMatching(path2)).length === 0, 5000);
  });

  test('a follower whose command ends says why, and restarts with the gap marked', async () => {
    const conn = connection();
    const script = (): string => followerScript(shJoin(['sh', '-c', 'echo started; echo "it broke" >&2; exit 7']));
    const follower = singleLogFollower('logs', 'x', conn, script);
    const recorded = record(follower);
    await waitFor('ended and reported', () => recorded.states.some((s) => /follower ended \(exit code 7\): it broke/.test(s.error ?? '')));
    await waitFor('restarted', () => recorded.marks.some((m) => /follower restarted; lines written since \d\d:\d\d:\d\d may be missing/.test(m)), 5000);
    await waitFor('second run', () => recorded.lines.filter((l) => l === 'started').length >= 2);
    follower.stop();
    conn.close();
  });

  test('a missing program is "not found on HOST"', async () => {
    const conn = connection();
    const follower = singleLogFollower('logs', 'y', conn, () => followerScript(shJoin(['no-such-follower-program', '-f'])));
    const recorded = record(follower);
    await waitFor('not found', () => recorded.states.some((s) => /follower ended \(not found on logs\)/.test(s.error ?? '')));
    follower.stop();
    conn.close();
  });

  test('logs: auto follows the first system log the host has, or says once there is none and how to add one, without restarting every second', async () => {
    const syslog = await logFile('syslog', 'kernel: hello\n');
    const conn = connection();
    // This machine's journal has no entries (no journald running), so the file is chosen.
    const follower = systemLogFollower('logs', conn, false, [join(logDir, 'absent'), syslog]);
    const recorded = record(follower);
    await waitFor('syslog line', () => recorded.lines.includes('kernel: hello'));
    follower.stop();
    const none = systemLogFollower('logs', conn, false, [join(logDir, 'absent')]);
    const recordedNone = record(none);
    await waitFor('no system log', () => recordedNone.states.some((s) => s.status === 'error'));
    // The restarts of a failing follower (1 s, then 2 s) would have come and gone: none is seen.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(recordedNone.states).toEqual([
      {
        status: 'error',
        error: `logs: no system log found (no journal entries, no ${join(logDir, 'absent')})`,
        hint: 'Add one to the config: hosts: {logs: {logs: [{file: /var/log/app.log}]}} (looked for again every minute)',
        absent: 'no system log',
      },
    ]);
    expect(recordedNone.marks).toEqual([]);
    expect(recordedNone.lines).toEqual([]);
    none.stop();
    conn.close();
  });
});
