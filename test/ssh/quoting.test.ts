// Issue 3, acceptance 6: hostile unit names, paths and log filters (journal units), from config and
// from the host's own output, do nothing beyond what they name. Each hostile value tries to create a
// canary file on the host; none may exist afterwards.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { HostConfig, LogSourceConfig } from '../../src/domain/model.js';
import { collectWithDeadline } from '../../src/services/scheduler.js';
import { sanitizeLine } from '../../src/domain/sanitize.js';
import { shQuote } from '../../src/services/shell-quote.js';
import { SshHostAdapter } from '../../src/services/ssh/adapter.js';
import { sshHost, testConnection } from '../harness/hosts.js';
import { waitFor } from '../helpers/wait.js';
import { ensureTestUser, processesMatching, SshdHost, Workspace } from '../harness/sshd.js';
import { makeSystemdRoot, unitFile, type SystemdRoot } from '../harness/systemctl.js';

let workspace: Workspace;
let host: SshdHost;
let systemd: SystemdRoot;
let canaryDir: string;
let adapter: SshHostAdapter;

let home: string;
const canary = (): string => join(canaryDir, 'PWNED');
/** Shell text that would create the canary if it were ever run. */
const payloads = (): string[] => [`; touch ${canary()}`, `$(touch ${canary()})`, `\`touch ${canary()}\``, `' ; touch ${canary()} ; '`, `" ; touch ${canary()} ; "`, `\n touch ${canary()}`, `| touch ${canary()}`, `&& touch ${canary()}`];

beforeAll(async () => {
  const user = await ensureTestUser();
  home = `/home/${user.name}`;
  workspace = await Workspace.create();
  host = await SshdHost.start(workspace, 'target');
  await workspace.trust(host);
  await workspace.writeSshConfig([{ alias: 'target', port: host.port, user: user.name }]);
  canaryDir = join(host.dir, 'canary');
  await mkdir(canaryDir, { mode: 0o777 });
  systemd = await makeSystemdRoot(
    join(host.dir, 'systemd'),
    {
      'garden-backend.service': unitFile('Garden backend'),
      // Unit files whose names are shell text (no "/" in a file name: the canary lands in $HOME).
      'evil$(touch PWNED).service': unitFile('Evil name'),
      'evil`id`.service': unitFile('Evil backticks'),
    },
    user,
  );
  adapter = new SshHostAdapter({ sshConfig: workspace.sshConfig, agent: false });
});
afterEach(async () => {
  expect(existsSync(canary()), 'a hostile value ran a command on the host').toBe(false);
  expect(existsSync(join(home, 'PWNED')), 'a hostile unit name ran a command on the host').toBe(false);
});
afterAll(async () => {
  adapter?.close();
  await host?.stop();
  await workspace?.cleanup();
});

async function watchTarget(overrides: Partial<HostConfig>) {
  return adapter.watch(sshHost(overrides.name ?? 'target', 'target', { systemctl: systemd.systemctl, ...overrides }), { timeoutMs: 10_000 });
}

describe('hostile values', () => {
  test('shQuote survives the real trip: sshd, the login shell, sh -c, printf', async () => {
    const connection = testConnection(workspace.sshConfig, workspace.dir, 'target');
    const values = [...payloads(), "it's", '\\', '$HOME', '%s%n', '-n', '--', '', ' lead and trail ', 'tab\there', 'é日本😀', '\u202ertl'];
    // Through the connection and exec path every probe uses.
    for (const value of values) {
      const { stdout } = await connection.exec(`printf '%s' ${shQuote(value)}`, AbortSignal.timeout(10_000));
      expect(Buffer.from(stdout).equals(Buffer.from(value)), JSON.stringify(value)).toBe(true);
    }
    connection.close();
  });

  test('unit names from config: invalid ones are an error and nothing is sent; odd valid ones stay names', async () => {
    for (const payload of payloads()) {
      const watch = await watchTarget({ services: [`garden-backend.service${payload}`] });
      const services = watch.services;
      await expect(collectWithDeadline(services)).rejects.toThrow(/invalid unit name/);
    }
    // "--help" is a valid unit name: after "--" it is asked about, not obeyed.
    const watch = await watchTarget({ services: ['--help', 'garden-backend.service'] });
    const sample = await collectWithDeadline(watch.services);
    expect(sample.units.map((u) => [u.name, u.load])).toEqual([
      ['--help', 'not-found'],
      ['garden-backend.service', 'loaded'],
    ]);
  });

  test('unit names from the host\'s own output: names that are shell text are dropped, the rest are shown', async () => {
    const units = await readdir(join(systemd.dir, 'root/etc/systemd/system'));
    expect(units.some((u) => u.includes('$('))).toBe(true);
    const watch = await watchTarget({ services: 'auto' });
    const sample = await collectWithDeadline(watch.services);
    expect(sample.units.map((u) => u.name)).toEqual(['garden-backend.service']);
  });

  test('a systemctl path that is not a path is refused', async () => {
    const watch = await watchTarget({ systemctl: `systemctl; touch ${canary()}`, services: ['garden-backend.service'] });
    await expect(collectWithDeadline(watch.services)).rejects.toThrow(/not a command name or path/);
  });

  test('log paths: shell text in a path is part of the file name tail looks for, nothing more', async () => {
    const logs: LogSourceConfig[] = payloads()
      .filter((p) => !p.includes('\n'))
      .map((payload, i) => ({ kind: 'file', path: join(canaryDir, `app${i}.log${payload}`), label: `hostile ${i}` }));
    // Over two host entries (two connections, two file bundles).
    const watches = [await watchTarget({ name: 'target-a', logs: logs.slice(0, 4) }), await watchTarget({ name: 'target-b', logs: logs.slice(4) })];
    const streams = watches.flatMap((w) => w.logStreams);
    const errors: string[] = [];
    for (const stream of streams) stream.start({ line: () => {}, mark: () => {}, state: (status, error) => status === 'error' && errors.push(error ?? '') });
    await waitFor('every follower waiting for its (missing) file', () => errors.filter((e) => /No such file/.test(e)).length >= logs.length);
    // A file with that exact hostile name is followed like any other.
    const odd = join(canaryDir, `odd$(touch PWNED)'; touch PWNED; '\`id\`.log`);
    await writeFile(odd, 'hello from an odd name\n', { mode: 0o644 });
    const lines: string[] = [];
    const single = await watchTarget({ logs: [{ kind: 'file', path: odd, label: 'odd' }] });
    single.logStreams[0]!.start({ line: (text) => lines.push(text), mark: () => {}, state: () => {} });
    await waitFor('odd file followed', () => lines.includes('hello from an odd name'));
    for (const stream of [...streams, ...single.logStreams]) stream.stop();
  });

  test('a path with a line break, a relative path, or a journal unit that is not a unit name is refused before anything runs', async () => {
    const watch = await watchTarget({
      logs: [
        { kind: 'file', path: `/tmp/a\ntouch ${canary()}`, label: 'newline' },
        { kind: 'file', path: 'relative.log', label: 'relative' },
        { kind: 'journal', unit: `nginx.service; touch ${canary()}`, label: 'journal' },
      ],
    });
    const errors: string[] = [];
    for (const stream of watch.logStreams) stream.start({ line: () => {}, mark: () => {}, state: (status, error) => status === 'error' && errors.push(error ?? '') });
    await waitFor('three refusals', () => errors.length >= 3);
    expect(errors.join('\n')).toMatch(/is not an absolute path[\s\S]*is not an absolute path[\s\S]*is not a unit name/);
    for (const stream of watch.logStreams) stream.stop();
  });

  test('maintenance flag paths with shell text are tested literally', async () => {
    for (const payload of payloads().filter((p) => !p.includes('\n'))) {
      const watch = await watchTarget({ maintenance: join(canaryDir, `flag${payload}`) });
      await expect(collectWithDeadline(watch.maintenance!)).resolves.toBeNull();
    }
    const watch = await watchTarget({ maintenance: `relative; touch ${canary()}` });
    await expect(collectWithDeadline(watch.maintenance!)).rejects.toThrow(/not an absolute path/);
  });

  test('remote log lines are data: shell text stays text, terminal escapes are stripped before the screen', async () => {
    const path = join(canaryDir, 'evil.log');
    await writeFile(path, '', { mode: 0o644 });
    const watch = await watchTarget({ logs: [{ kind: 'file', path, label: 'evil' }] });
    const lines: string[] = [];
    watch.logStreams[0]!.start({ line: (text) => lines.push(text), mark: () => {}, state: () => {} });
    await waitFor('follower up', async () => (await processesMatching(path)).length > 0);
    await appendFile(path, `$(touch ${canary()})\n\u001b]0;pwned title\u0007\u001b[2Jcleared\nlast\n`);
    await waitFor('lines', () => lines.includes('last'));
    expect(lines).toContain(`$(touch ${canary()})`);
    expect(sanitizeLine(lines[lines.indexOf('last') - 1]!)).toBe('cleared');
    watch.logStreams[0]!.stop();
  });
});
