// A real systemd-journald for tests, private to them: it runs in its own mount and PID namespaces
// (this machine's own journal and sockets are never touched) and writes into a test folder. Entries
// reach it the way they do on a host: from a process in a unit's cgroup (journald itself sets
// `_SYSTEMD_UNIT`) or from PID 1 about a unit (`UNIT=`, as systemd logs "Started ..."). Over SSH, a
// `journalctl` wrapper on the session's PATH (sshd's `SetEnv PATH=`) reads that folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../helpers/wait.js';

export const JOURNALD = '/lib/systemd/systemd-journald';

/**
 * PID 1 of the namespace: sends entries asked for on stdin, one JSON object a line, answering
 * `sent ID` for each. A cgroup entry is sent by a long-lived child that joined the unit's cgroup
 * (journald reads the sender's cgroup when the entry arrives, so the sender must still be there).
 */
const PID1 = String.raw`
import json, os, socket, sys, time
SOCKET = '/run/systemd/journal/socket'
slice_name, roots = sys.argv[1], sys.argv[2:]
while not os.path.exists(SOCKET): time.sleep(0.02)
def say(text):
    # One write per line: the senders share this pipe, and print() may write a line in pieces.
    os.write(1, (text + '\n').encode())
def send(sock, fields):
    sock.sendto(''.join(f'{k}={v}\n' for k, v in fields.items()).encode(), SOCKET)
def child(unit):
    r, w = os.pipe()
    if os.fork() == 0:
        os.close(w)
        for root in roots:
            d = os.path.join(root, slice_name, unit)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, 'cgroup.procs'), 'w') as f: f.write(str(os.getpid()))
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for line in os.fdopen(r):
            entry = json.loads(line)
            send(sock, {'MESSAGE': entry['message'], 'SYSLOG_IDENTIFIER': entry.get('ident', 'garden'), 'PRIORITY': '6'})
            say(f'sent {entry["id"]}')
        os._exit(0)
    os.close(r)
    return os.fdopen(w, 'w')
children = {}
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
say('ready')
for line in sys.stdin:
    entry = json.loads(line)
    if entry['via'] == 'pid1':
        send(sock, {'UNIT': entry['unit'], 'MESSAGE': entry['message'], 'SYSLOG_IDENTIFIER': 'systemd', 'PRIORITY': '6'})
        say(f'sent {entry["id"]}')
    else:
        if entry['unit'] not in children: children[entry['unit']] = child(entry['unit'])
        children[entry['unit']].write(line)
        children[entry['unit']].flush()
`;

/** Where cgroup trees that journald reads units from are mounted: the named systemd hierarchy and cgroup v2. */
async function cgroupRoots(): Promise<string[]> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, , type, options]) => type === 'cgroup2' || (type === 'cgroup' && options?.split(',').includes('name=systemd')))
    .map(([, point]) => point!);
}

export interface JournalEntryToSend {
  unit: string;
  message: string;
  /** `cgroup`: from a process of the unit; `pid1`: PID 1 about the unit. */
  via: 'cgroup' | 'pid1';
}

export class PrivateJournal {
  private readonly acks = new Map<number, () => void>();
  private nextId = 0;

  private constructor(
    readonly dir: string,
    /** A folder holding the `journalctl` wrapper, to put first on a test host's PATH. */
    readonly binDir: string,
    private readonly process: ChildProcess,
    private readonly cgroups: string[],
  ) {}

  static async start(dir: string): Promise<PrivateJournal> {
    const journalDir = join(dir, 'journal');
    const binDir = join(dir, 'bin');
    await mkdir(journalDir, { recursive: true });
    await mkdir(binDir, { recursive: true });
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'pid1.py'), PID1);
    await writeFile(join(dir, 'journald.conf'), '[Journal]\nReadKMsg=no\n');
    const machineId = (await readFile('/etc/machine-id', 'utf8')).trim();
    const roots = await cgroupRoots();
    if (roots.length === 0) throw new Error('no cgroup tree to put test units in (no name=systemd or cgroup2 mount)');
    const slice = `opsdeck-test-${process.pid}-${Date.now()}.slice`;
    // journald writes straight to "persistent" storage (the flushed flag), which is the test folder.
    const setup = [
      'set -e',
      'mount -t tmpfs tmpfs /run/systemd',
      'mkdir -p /run/systemd/journal',
      'touch /run/systemd/journal/flushed',
      // Only the test's entries: not this machine's kernel messages.
      `mount --bind '${join(dir, 'journald.conf')}' /etc/systemd/journald.conf`,
      `mount --bind '${journalDir}' /var/log/journal`,
      `${JOURNALD} >/dev/null 2>&1 &`,
      `exec python3 '${join(dir, 'pid1.py')}' '${slice}' ${roots.map((r) => `'${r}'`).join(' ')}`,
    ].join('\n');
    const child = spawn('unshare', ['--kill-child', '--mount', '--pid', '--fork', '--mount-proc', '--propagation', 'private', 'sh', '-c', setup], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const journal = new PrivateJournal(dir, binDir, child, roots.map((root) => join(root, slice)));
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`private journald exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'ready') resolve();
        const id = /^sent (\d+)$/.exec(line)?.[1];
        if (id !== undefined) journal.acks.get(Number(id))?.();
      });
    });
    await ready;
    // journald creates its file owner-only; the test user reads it through the wrapper.
    const files = join(journalDir, machineId);
    await journal.send([{ unit: 'opsdeck-harness.service', message: 'private journal up', via: 'pid1' }]);
    await waitFor('journal file', async () => (await readdir(files).catch((): string[] => [])).includes('system.journal'));
    await chmod(journalDir, 0o755);
    await chmod(files, 0o755);
    await chmod(join(files, 'system.journal'), 0o644);
    await writeFile(join(binDir, 'journalctl'), `#!/bin/sh\nexec /usr/bin/journalctl --directory='${files}' "$@"\n`, { mode: 0o755 });
    return journal;
  }

  /** sshd_config lines for a test host whose sessions see this journal. */
  get sshdConfig(): string[] {
    return [`SetEnv PATH=${this.binDir}:/usr/local/bin:/usr/bin:/bin`];
  }

  /** Sends the entries; resolves when journald has each one (its sender has passed it on). */
  async send(entries: readonly JournalEntryToSend[]): Promise<void> {
    await Promise.all(
      entries.map((entry) => {
        const id = this.nextId++;
        const sent = new Promise<void>((resolve) => this.acks.set(id, resolve));
        this.process.stdin!.write(`${JSON.stringify({ ...entry, id })}\n`);
        return sent.then(() => void this.acks.delete(id));
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      // PID 1 of the namespace going takes journald and the unit senders with it.
      this.process.kill('SIGKILL');
      await exited;
    }
    for (const slice of this.cgroups) {
      for (const unit of await readdir(slice).catch((): string[] => [])) {
        if (unit.endsWith('.service')) await waitFor(`cgroup ${unit} empty`, () => rmdir(join(slice, unit)).then(() => true, () => false), 5000);
      }
      await rmdir(slice).catch(() => {});
    }
  }
}
