// A daemonless systemctl for tests: Debian's `systemctl` package (a Python reimplementation) unpacked,
// never installed (installing it removes systemd packages), run with --root=DIR on real unit files.
// It prints no timestamps; systemctl-times.py, beside this file, adds them to `show` as systemd 252
// prints them (in the zone of its environment), so "since" is tested on a stand-in that has one.
// Each root gets a copy with FASTER_STOP applied (below).
import { execFile, spawn } from 'node:child_process';
import { access, chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TIMES = resolve(import.meta.dirname, 'systemctl-times.py');
// Where scripts/test-tools.sh (run first by `npm test` and .ci/run) unpacks it.
const SCRIPT = resolve(import.meta.dirname, '../../.tmp/systemctl/root/usr/bin/systemctl');

/**
 * Two waits of the stand-in that systemd does not have, each paid on every stop, restart and kill:
 * its walk of a unit's process tree reads all of /proc 100 times (it never leaves the loop once the
 * tree stops growing: 3-10 s per stop on this machine), and it checks for the killed processes only
 * once a second. The tree it finds and the signals it sends are unchanged.
 */
const FASTER_STOP: [string, string][] = [
  [
    '            if len(pids) != len(pidlist):\n                pidlist = pids[:]\n                continue\n        return pids\n',
    '            if len(pids) == len(pidlist):\n                break\n            pidlist = pids[:]\n        return pids\n',
  ],
  [
    '                logg.info("service PIDs not stopped after %s", timeout)\n                break\n            time.sleep(1) # until TimeoutStopSec\n',
    '                logg.info("service PIDs not stopped after %s", timeout)\n                break\n            time.sleep(0.05)\n',
  ],
];

let found: Promise<string> | undefined;

/** The unpacked systemctl script's text, with FASTER_STOP applied; a clear failure naming the set-up step when it is missing. */
function daemonlessSystemctlText(): Promise<string> {
  found ??= access(SCRIPT).then(
    async () => {
      let text = await readFile(SCRIPT, 'utf8');
      for (const [from, to] of FASTER_STOP) {
        if (text.split(from).length !== 2) throw new Error(`${SCRIPT} is not the systemctl version test/harness/systemctl.ts patches: update FASTER_STOP`);
        text = text.replace(from, to);
      }
      return text;
    },
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
  const script = await daemonlessSystemctlText();
  const unitDir = join(dir, 'root/etc/systemd/system');
  await mkdir(unitDir, { recursive: true });
  for (const [name, content] of Object.entries(units)) await writeFile(join(unitDir, name), content);
  // Private copies: the test user may not be able to read the repository's .tmp/ or test/.
  const copy = join(dir, 'systemctl.py');
  await writeFile(copy, script);
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
