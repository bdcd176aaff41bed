// A daemonless systemctl for tests: Debian's `systemctl` package (a Python reimplementation) unpacked,
// never installed (installing it removes systemd packages), run with --root=DIR on real unit files.
// It prints no timestamps; systemctl-times.py, beside this file, adds them to `show` as systemd 252
// prints them (in the zone of its environment), so "since" is tested on a stand-in that has one.
import { execFile, spawn } from 'node:child_process';
import { access, chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMES = resolve(import.meta.dirname, 'systemctl-times.py');
// Where scripts/test-tools.sh (run first by `npm test` and .ci/run) unpacks it.
const SCRIPT = resolve(import.meta.dirname, '../../.tmp/systemctl/root/usr/bin/systemctl');

let found: Promise<string> | undefined;

/** The unpacked systemctl script; a clear failure naming the set-up step when it is missing. */
export function daemonlessSystemctl(): Promise<string> {
  found ??= access(SCRIPT).then(
    () => SCRIPT,
    () => {
      throw new Error(`the daemonless systemctl is missing (${SCRIPT}): run \`sh scripts/test-tools.sh\` once (npm test and .ci/run do it first)`);
    },
  );
  return found;
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
