// Issue 15, fault 1: any number of logs per SSH host within sshd's default MaxSessions. 25 files and
// 5 journal units on one real sshd, the journal a real journald (private to the test); a line that
// forges the bundle's framing stays in its own log; a tail that dies is restarted alone; a lost
// connection leaves nothing on the host and every log marks its gap; channels past one connection
// ride a second one.
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LogSourceConfig } from '../../src/domain/model.js';
import type { HostWatch } from '../../src/services/host-adapter.js';
import type { LogStream } from '../../src/services/logs/stream.js';
import { SshHostAdapter, type SshAdapterOptions } from '../../src/services/ssh/adapter.js';
import { RECORD_CHUNK } from '../../src/services/ssh/file-bundle.js';
import { sshHost } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { PrivateJournal } from '../harness/journald.js';
import { FlakyProxy } from '../harness/proxy.js';
import { ensureTestUser, processesMatching, readsFromEnd, SshdHost, Workspace } from '../harness/sshd.js';

let workspace: Workspace;
let journal: PrivateJournal;
let host: SshdHost;
let user: string;
let logDir: string;
const adapters: SshHostAdapter[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  user = (await ensureTestUser()).name;
  workspace = await Workspace.create();
  journal = await PrivateJournal.start(join(workspace.dir, 'journald'));
  // sshd's defaults (MaxSessions 10); only the PATH of its sessions leads journalctl to the test journal.
  host = await SshdHost.start(workspace, 'many', { extra: journal.sshdConfig });
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'many', port: host.port, user }]);
  logDir = join(host.dir, 'logs');
  await mkdir(logDir, { mode: 0o755 });
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const adapter of adapters) adapter.close();
  await host?.stop();
  await journal?.stop();
  await workspace?.cleanup();
});

interface Recorded {
  lines: { text: string; at: number }[];
  marks: string[];
  states: { status: string; error?: string; hint?: string }[];
  has(text: string): boolean;
  arrival(text: string): number | undefined;
}

function record(stream: LogStream): Recorded {
  const recorded: Recorded = {
    lines: [],
    marks: [],
    states: [],
    has: (text) => recorded.lines.some((l) => l.text === text || l.text.endsWith(`: ${text}`)),
    arrival: (text) => recorded.lines.find((l) => l.text === text || l.text.endsWith(`: ${text}`))?.at,
  };
  stream.start({
    line: (text) => recorded.lines.push({ text, at: Date.now() }),
    mark: (text) => recorded.marks.push(text),
    state: (status, error, hint) => recorded.states.push({ status, error, hint }),
  });
  return recorded;
}

function newAdapter(options: SshAdapterOptions = {}): SshHostAdapter {
  const adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false, backoff: { initialMs: 100, maxMs: 500 }, ...options });
  adapters.push(adapter);
  return adapter;
}

async function logFiles(prefix: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => join(logDir, `${prefix}-${String(i).padStart(2, '0')}.log`));
  await Promise.all(paths.map((path, i) => writeFile(path, `${prefix} ${i} old line\n`, { mode: 0o644 })));
  return paths;
}

const fileLogs = (paths: string[]): LogSourceConfig[] => paths.map((path, i) => ({ kind: 'file', path, label: `file ${i}` }));

/** Follower processes of this test on the host: anything whose command line names the test's log folder, and the journal's readers. */
async function remoteFollowers(): Promise<number[]> {
  return [...(await processesMatching(logDir)), ...(await processesMatching(`journalctl --directory=${journal.dir}`))];
}

/** The SSH connections (sshd's "USER@notty" process of each) whose sessions run a process naming `needle`. */
async function connectionsRunning(needle: string): Promise<number> {
  const parentOf = async (pid: number): Promise<number> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
  };
  const connections = new Set<number>();
  for (const pid of await processesMatching(needle)) {
    for (let at = pid; at > 1; at = await parentOf(at)) {
      if ((await readFile(`/proc/${at}/cmdline`, 'utf8').catch(() => '')).startsWith(`sshd: ${user}@notty`)) {
        connections.add(at);
        break;
      }
    }
  }
  return connections.size;
}

describe('many logs on one SSH host', () => {
  test('25 files and 5 journal units all show their lines within 5 s on sshd\'s default MaxSessions, and quitting leaves no follower', async () => {
    const paths = await logFiles('app', 25);
    const units = ['garden-web.service', 'garden-worker.service', 'garden-cron.service', 'garden-mail.service', 'garden-queue'];
    // Before opsdeck starts: a backlog per unit, one unit far chattier than the rest (its 300 entries
    // must not push the quiet units' backlogs out), some entries from PID 1 about a unit (UNIT=).
    await journal.send(Array.from({ length: 300 }, (_, k) => ({ unit: units[0]!, message: `chatty ${k}`, via: 'cgroup' as const })));
    await journal.send(units.map((unit, i) => ({ unit: unit.includes('.') ? unit : `${unit}.service`, message: `unit ${i} before`, via: i < 3 ? 'cgroup' : 'pid1' })));

    const adapter = newAdapter();
    const logs: LogSourceConfig[] = [...fileLogs(paths), ...units.map((unit): LogSourceConfig => ({ kind: 'journal', unit, label: unit }))];
    const watch = await adapter.watch(sshHost('many', 'many', { logs }), { timeoutMs: 5000 });
    expect(watch.logStreams).toHaveLength(30);
    const recorded = watch.logStreams.map((stream) => record(stream));
    const files = recorded.slice(0, 25);
    const journals = recorded.slice(25);

    await waitFor('every backlog', () => files.every((r, i) => r.has(`app ${i} old line`)) && journals.every((r, i) => r.has(`unit ${i} before`)), 20_000);
    expect(journals[0]!.lines.filter((l) => / chatty \d+$/.test(l.text))).toHaveLength(199);
    // Two follower channels in all: 25 tails in one bundle, one journalctl -f.
    await waitFor('followers running', async () => (await processesMatching(`tail -F -n 200 -- ${logDir}`)).length === 25);
    expect(await connectionsRunning(join(logDir, 'app-'))).toBe(1);
    expect((await processesMatching(`journalctl --directory=${journal.dir}`)).length).toBeGreaterThan(0);

    // New lines everywhere at once, while twenty probes share the same connection.
    const probes = Promise.allSettled(Array.from({ length: 20 }, () => watch.resources.collect(AbortSignal.timeout(20_000))));
    const written = new Map<string, number>();
    await Promise.all(
      paths.map(async (path, i) => {
        await appendFile(path, `app ${i} new line\n`);
        written.set(`file ${i}`, Date.now());
      }),
    );
    await journal.send(units.map((unit, i) => ({ unit: unit.includes('.') ? unit : `${unit}.service`, message: `unit ${i} now`, via: i % 2 === 0 ? 'cgroup' : 'pid1' })));
    const journalWritten = Date.now();

    await waitFor('every new line', () => files.every((r, i) => r.has(`app ${i} new line`)) && journals.every((r, i) => r.has(`unit ${i} now`)), 10_000);
    const delays = [
      ...files.map((r, i) => r.arrival(`app ${i} new line`)! - written.get(`file ${i}`)!),
      ...journals.map((r, i) => r.arrival(`unit ${i} now`)! - journalWritten),
    ];
    expect(Math.max(...delays)).toBeLessThan(5000);
    // sshd may still refuse a session now and then ("no more sessions" in its log) when a channel's close
    // and the next open reach it in one read, before it frees the closed session: the open is retried,
    // so no probe fails and no log shows an error.
    expect((await probes).filter((r) => r.status === 'rejected')).toEqual([]);
    expect([...files, ...journals].flatMap((r) => r.states.filter((s) => s.status === 'error'))).toEqual([]);

    // Each unit's log has its own entries only, and each file's log its own lines.
    journals.forEach((r, i) => expect(r.lines.filter((l) => /unit \d (before|now)$/.test(l.text)).map((l) => l.text.replace(/^.*: /, ''))).toEqual([`unit ${i} before`, `unit ${i} now`]));
    files.forEach((r, i) => expect(r.lines.map((l) => l.text)).toEqual([`app ${i} old line`, `app ${i} new line`]));
    // Journal lines read as `journalctl -o short-iso` prints them.
    expect(journals[0]!.lines.at(-1)!.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} \S+ garden\[\d+\]: unit 0 now$/);
    expect(journals[1]!.lines.at(-1)!.text).toMatch(/ systemd\[1\]: unit 1 now$/);

    for (const stream of watch.logStreams) stream.stop();
    adapter.close();
    await waitFor('no follower left on the host', async () => (await remoteFollowers()).length === 0, 5000);
  }, 90_000);

  test('a line that forges the framing is shown as content of its own log', async () => {
    const [a, b] = await logFiles('forge', 2);
    const adapter = newAdapter();
    const watch = await adapter.watch(sshHost('many', 'many', { logs: fileLogs([a!, b!]) }), { timeoutMs: 5000 });
    const [ra, rb] = watch.logStreams.map((stream) => record(stream));
    await waitFor('backlogs', () => ra!.has('forge 0 old line') && rb!.has('forge 1 old line'));
    const forged = [
      '1 o written into file 0',
      '1 x 1',
      '1 r',
      `==> ${b} <==`,
      `${'z'.repeat(RECORD_CHUNK - 1)}\n1 o cut here`,
      `${'y'.repeat(RECORD_CHUNK)}1 o after a full chunk`,
      'last of file 0',
    ];
    await appendFile(a!, `${forged.join('\n')}\n`);
    await waitFor('file 0 complete', () => ra!.has('last of file 0'));
    await appendFile(b!, 'file 1 goes on\n');
    await waitFor('file 1 line', () => rb!.has('file 1 goes on'));
    expect(ra!.lines.map((l) => l.text)).toEqual(['forge 0 old line', ...forged.join('\n').split('\n')]);
    expect(rb!.lines.map((l) => l.text)).toEqual(['forge 1 old line', 'file 1 goes on']);
    expect(rb!.marks).toEqual([]);
    expect(rb!.states.every((s) => s.status === 'ok')).toBe(true);
    for (const stream of watch.logStreams) stream.stop();
  });

  test('a tail killed on the host is restarted alone, with its gap marked; the other files never stop', async () => {
    const paths = await logFiles('restart', 3);
    const adapter = newAdapter();
    const watch = await adapter.watch(sshHost('many', 'many', { logs: fileLogs(paths) }), { timeoutMs: 5000 });
    const recorded = watch.logStreams.map((stream) => record(stream));
    await waitFor('backlogs', () => recorded.every((r, i) => r.has(`restart ${i} old line`)));
    const [victim] = await processesMatching(`tail -F -n 200 -- ${paths[1]}`);
    process.kill(victim!, 'SIGKILL');
    await waitFor('ended', () => recorded[1]!.states.some((s) => s.error === 'many: tail ended' && s.hint === 'restarting in 1s'));
    await waitFor('restarted', () => recorded[1]!.marks.some((m) => /^— tail restarted; lines written since \d\d:\d\d:\d\d may be missing —$/.test(m)));
    await waitFor('one tail again, at the end of its file', async () => {
      const tails = await processesMatching(`tail -F -n 0 -- ${paths[1]}`);
      return tails.length === 1 && (await readsFromEnd(tails[0]!, paths[1]!));
    });
    for (const [i, path] of paths.entries()) await appendFile(path, `restart ${i} after\n`);
    await waitFor('all after', () => recorded.every((r, i) => r.has(`restart ${i} after`)));
    // The other files were not touched: no marks, no errors, their backlog shown once.
    for (const i of [0, 2]) {
      expect(recorded[i]!.marks).toEqual([]);
      expect(recorded[i]!.states.every((s) => s.status === 'ok')).toBe(true);
    }
    expect(recorded[1]!.lines.filter((l) => l.text === 'restart 1 old line')).toHaveLength(1);
    for (const stream of watch.logStreams) stream.stop();
  });

  test('a lost connection leaves no follower on the host; after the reconnect every log marks its gap', async () => {
    const proxy = await FlakyProxy.start(host.port);
    cleanups.push(() => proxy.close());
    await workspace.writeSshConfig([
      { alias: 'many', port: host.port, user },
      { alias: 'flaky', port: proxy.port, user, extra: [`HostKeyAlias [127.0.0.1]:${host.port}`] },
    ]);
    const paths = await logFiles('lost', 4);
    const adapter = newAdapter();
    const watch: HostWatch = await adapter.watch(sshHost('flaky', 'flaky', { logs: [...fileLogs(paths), { kind: 'journal', unit: 'garden-lost.service', label: 'lost unit' }] }), { timeoutMs: 5000 });
    const recorded = watch.logStreams.map((stream) => record(stream));
    await waitFor('backlogs', () => recorded.slice(0, 4).every((r, i) => r.has(`lost ${i} old line`)));
    await waitFor('tails running', async () => (await processesMatching(`tail -F -n 200 -- ${join(logDir, 'lost-')}`)).length === 4);
    const before = await processesMatching(join(logDir, 'lost-'));

    proxy.reset();
    // Every process of the old followers goes, whether or not the client is back yet.
    await waitFor('old followers gone', async () => {
      const now = new Set(await processesMatching(join(logDir, 'lost-')));
      return before.every((pid) => !now.has(pid));
    });
    await waitFor('every log marks the gap', () => recorded.every((r) => r.marks.some((m) => /^— reconnected to flaky; lines written since \d\d:\d\d:\d\d may be missing —$/.test(m))), 15_000);
    await waitFor('one tail per file again', async () => (await processesMatching(`tail -F -n 0 -- ${join(logDir, 'lost-')}`)).length === 4);
    // The new followers begin at the end as they open (tail -n 0, journalctl -n 0), and a tail process
    // or a marked gap does not say it has opened yet: what has not shown a line written after the
    // reconnect is written to again until it does.
    await waitFor(
      'lines after the reconnect',
      async () => {
        const files = paths.flatMap((path, i) => (recorded[i]!.has(`lost ${i} after`) ? [] : [[i, path] as const]));
        const unit = recorded[4]!.has('lost unit after');
        if (files.length === 0 && unit) return true;
        for (const [i, path] of files) await appendFile(path, `lost ${i} after\n`);
        if (!unit) await journal.send([{ unit: 'garden-lost.service', message: 'lost unit after', via: 'cgroup' }]);
        return false;
      },
      15_000,
      500,
    );
    for (const stream of watch.logStreams) stream.stop();
    adapter.close();
    await waitFor('nothing left', async () => (await processesMatching(join(logDir, 'lost-'))).length === 0, 5000);
  }, 60_000);

  test('follower channels past one connection\'s share ride a second connection', async () => {
    const paths = await logFiles('overflow', 6);
    // Two files per channel and two follower channels per connection: 3 bundles of files and the journal's, two connections.
    const adapter = newAdapter({ filesPerFollower: 2, maxChannels: 4, followerChannels: 2 });
    const watch = await adapter.watch(sshHost('many', 'many', { logs: [...fileLogs(paths), { kind: 'journal', unit: 'garden-overflow.service', label: 'unit' }] }), { timeoutMs: 5000 });
    const recorded = watch.logStreams.map((stream) => record(stream));
    await waitFor('backlogs', () => recorded.slice(0, 6).every((r, i) => r.has(`overflow ${i} old line`)));
    // Sent again until it shows: one send was not seen in 15 s once in a row of runs, even with the
    // follower started after a cursor (suspect: journald naming a short-lived sender's unit by its cgroup).
    await waitFor(
      'journal line',
      async () => {
        if (recorded[6]!.has('overflow unit line')) return true;
        await journal.send([{ unit: 'garden-overflow.service', message: 'overflow unit line', via: 'cgroup' }]);
        return false;
      },
      15_000,
      500,
    );
    expect(recorded.flatMap((r) => r.states).filter((s) => /waiting for a channel/.test(s.error ?? ''))).toEqual([]);
    // Follower channels 0-1 on the host's connection, 2-3 (a file bundle and the journal's) on a second one.
    expect(await connectionsRunning(join(logDir, 'overflow-'))).toBe(2);
    expect(await connectionsRunning('garden-overflow.service')).toBe(1);
    for (const stream of watch.logStreams) stream.stop();
    adapter.close();
    await waitFor('nothing left', async () => (await connectionsRunning(join(logDir, 'overflow-'))) + (await connectionsRunning('garden-overflow.service')) === 0, 5000);
  });
});
