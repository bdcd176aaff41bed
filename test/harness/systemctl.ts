// A daemonless systemctl for tests: Debian's `systemctl` package (a Python reimplementation) unpacked,
// never installed (installing it removes systemd packages), run with --root=DIR on real unit files.
// It prints no timestamps; systemctl-times.py, beside this file, adds them to `show` as systemd 252
// prints them (in the zone of its environment), so "since" is tested on a stand-in that has one.
import { execFile, spawn } from 'node:child_process';
import { access, chmod, copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMES = resolve(import.meta.dirname, 'systemctl-times.py');
const CACHE = resolve(import.meta.dirname, '../../.tmp/systemctl');
const SCRIPT = join(CACHE, 'root/usr/bin/systemctl');

let unpacking: Promise<string> | undefined;

async function download(dir: string): Promise<void> {
  // Two test workers may both find no package lists and run apt-get at once: one of them then
  // waits for apt's lock, so retry a few times before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      await run('apt-get', ['download', 'systemctl'], { cwd: dir });
      return;
    } catch (error) {
      if (attempt >= 5) throw new Error(`apt-get download systemctl failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, { cause: error });
      // No package lists yet on a fresh machine.
      await run('apt-get', ['update', '-qq']).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
    }
  }
}

/**
 * The unpacked systemctl script, downloaded once into .tmp/ and reused. Test files run in parallel
 * workers: each unpacks into its own folder and renames it into place, so none sees half a tree.
 */
export function daemonlessSystemctl(): Promise<string> {
  unpacking ??= (async () => {
    try {
      await access(SCRIPT);
      return SCRIPT;
    } catch {
      // Not unpacked yet.
    }
    const work = join(CACHE, `unpack-${process.pid}`);
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    await download(work);
    const deb = (await readdir(work)).find((f) => f.startsWith('systemctl_') && f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download systemctl gave no .deb');
    await run('dpkg', ['-x', join(work, deb), join(work, 'root')]);
    try {
      await rename(join(work, 'root'), join(CACHE, 'root'));
    } catch {
      // Another worker got there first: its tree is as good.
    }
    await rm(work, { recursive: true, force: true });
    await access(SCRIPT);
    return SCRIPT;
  })();
  return unpacking;
}

export interface SystemdRoot {
  dir: string;
  /** A wrapper to use as HostConfig.systemctl: the unpacked systemctl with --root=dir. */
  systemctl: string;
  /** Runs the wrapper here, as the root's owner (output not kept: a started unit inherits it). */
  ctl(...args: string[]): Promise<number>;
}

/**
 * A systemd root with real unit files under DIR/etc/systemd/system, owned by `owner` (so a non-root
 * login can run its units), and a wrapper script beside it.
 */
export async function makeSystemdRoot(dir: string, units: Record<string, string>, owner?: { uid: number; gid: number }): Promise<SystemdRoot> {
  const script = await daemonlessSystemctl();
  const unitDir = join(dir, 'root/etc/systemd/system');
  await mkdir(unitDir, { recursive: true });
  for (const [name, content] of Object.entries(units)) await writeFile(join(unitDir, name), content);
  // Private copies: the test user may not be able to read the repository's .tmp/ or test/.
  const copy = join(dir, 'systemctl.py');
  await copyFile(script, copy);
  const times = join(dir, 'systemctl-times.py');
  await copyFile(TIMES, times);
  const wrapper = join(dir, 'systemctl');
  await writeFile(wrapper, `#!/bin/sh\nexec /usr/bin/python3 ${times} ${copy} --root=${join(dir, 'root')} "$@"\n`);
  await chmod(wrapper, 0o755);
  await chmod(copy, 0o644);
  await chmod(times, 0o644);
  if (owner) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
  const ctl = (...args: string[]): Promise<number> =>
    new Promise((resolveRun) => {
      const child = spawn(wrapper, args, { uid: owner?.uid, gid: owner?.gid, stdio: 'ignore' });
      child.on('exit', (code) => resolveRun(code ?? -1));
    });
  return { dir, systemctl: wrapper, ctl };
}

export function unitFile(description: string, exec = '/bin/sleep infinity'): string {
  return `[Unit]\nDescription=${description}\n[Service]\nExecStart=${exec}\n[Install]\nWantedBy=multi-user.target\n`;
}
