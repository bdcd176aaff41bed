// A wall display left running: `opsdeck --wall` in tmux (80x24, so its pages cycle) against loopback
// sshd hosts that go down and come back, some killed (refused at once), some frozen (a hung host,
// timeouts), and hosts that never answer. Samples the opsdeck process's RSS every 15 s and reads the
// screen to see each outage appear and clear; prints the figures as JSON at the end.
//
//   npm run build && node --experimental-transform-types --no-warnings bench/wall-soak.mjs [minutes]
//
// Runs as root (it starts sshd and logs in as a test user, like test/ssh). opsdeck runs from a copy of
// dist/ in a temporary directory, so rebuilding while it runs does not change what is measured.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import './lib/ts-harness.mjs';

const ROOT = join(import.meta.dirname, '..');
// Outside the repository, so neither the build nor the linters see the copy.
const COPY = join(tmpdir(), `opsdeck-soak-${process.pid}`);
const MINUTES = Number(process.argv[2] ?? 30);
const SAMPLE_MS = 15_000;
/** Every minute one host goes away for 30 s, alternately killed and frozen. */
const OUTAGE_EVERY_MS = 60_000;
const OUTAGE_MS = 30_000;
/** Memory settles (the heap grows to its working size) before the figures count. */
const WARMUP_MS = Math.min(120_000, (MINUTES * 60_000) / 5);
const REAL = [
  ['web-1', 'web'],
  ['web-2', 'web'],
  ['api-1', 'api'],
  ['api-2', 'api'],
  ['db-1', 'db'],
  ['batch-1', 'batch'],
];
const DEAD = ['edge', 'mail', 'cdn', 'vpn', 'ci', 'logs', 'dns'];


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A tmux server of its own (-L): the default one may be someone else's, and this one is ended with the run.
const TMUX_SOCKET = `opsdeck-soak-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', TMUX_SOCKET, ...args], { encoding: 'utf8' });

/** The opsdeck runtime under the tmux pane: the node process running the copied dist/main.js. */
async function runtimePid(panePid) {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    // The launcher runs it as COPY/bin/../dist/main.js.
    if (cmdline.includes(COPY) && cmdline.includes('dist/main.js') && !cmdline.startsWith('/bin/sh') && Number(entry) !== panePid) return Number(entry);
  }
  return undefined;
}

async function rssKiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => {
    throw new Error(`opsdeck (pid ${pid}) is gone:\n${tmux('capture-pane', '-p', '-t', session)}`);
  });
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

const { ensureTestUser, SshdHost, Workspace } = await import('../test/harness/sshd.ts');
await mkdir(join(COPY, 'bin'), { recursive: true });
await cp(join(ROOT, 'dist'), join(COPY, 'dist'), { recursive: true });
await cp(join(ROOT, 'keymaps'), join(COPY, 'keymaps'), { recursive: true });
await cp(join(ROOT, 'package.json'), join(COPY, 'package.json'));
await cp(join(ROOT, 'bin/opsdeck'), join(COPY, 'bin/opsdeck'));
await symlink(join(ROOT, 'node_modules'), join(COPY, 'node_modules'));

const user = await ensureTestUser();
const workspace = await Workspace.create();
const hosts = [];
const session = `opsdeck-soak-${process.pid}`;
try {
  for (const [name] of REAL) {
    const host = await SshdHost.start(workspace, name);
    await workspace.trust(host);
    hosts.push(host);
  }
  await workspace.writeSshConfig(REAL.map(([name], i) => ({ alias: name, port: hosts[i].port, user: user.name, extra: ['ConnectTimeout 5'] })));
  // A cheap systemctl on the host (the real `show` output of a unit), as bench/ssh-hosts.mjs does.
  const show = join(workspace.dir, 'show.txt');
  await writeFile(show, 'Id=garden-backend.service\nDescription=Garden backend\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nNRestarts=0\nActiveEnterTimestamp=Mon 2026-11-23 11:49:31 UTC\n', { mode: 0o644 });
  const systemctl = join(workspace.dir, 'systemctl');
  await writeFile(systemctl, `#!/bin/sh\nexec cat ${show}\n`);
  await chmod(systemctl, 0o755);
  const log = join(workspace.dir, 'app.log');
  await writeFile(log, 'one line\n', { mode: 0o644 });
  const config = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    config,
    [
      'refresh: 2s',
      'wall: {cycle: 5s}',
      `ssh: {config: ${workspace.sshConfig}, connectTimeout: 5s}`,
      'hosts:',
      ...REAL.map(([name, group]) => `  ${name}: {ssh: ${name}, group: ${group}, systemctl: ${systemctl}, services: [garden-backend.service], logs: [{file: ${log}}]}`),
      ...DEAD.map((group) => `  ${group}-1: {ssh: "nobody@127.0.0.1:1", group: ${group}, logs: []}`),
    ].join('\n'),
  );
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', `SSH_AUTH_SOCK= XDG_STATE_HOME=${workspace.dir}/state OPSDECK_AUDIT_LOG=${workspace.dir}/audit.jsonl ${join(COPY, 'bin/opsdeck')} --config ${config} --wall 2>${workspace.dir}/stderr; echo opsdeck exited with $?; sleep 600`);
  const panePid = Number(tmux('display', '-p', '-t', session, '#{pane_pid}').trim());
  let pid;
  const looking = Date.now();
  while (!(pid = await runtimePid(panePid))) {
    if (Date.now() - looking > 30_000) throw new Error(`no opsdeck process under the tmux pane:\n${tmux('capture-pane', '-p', '-t', session)}`);
    await sleep(200);
  }
  console.error(`opsdeck runs as pid ${pid}; ${MINUTES} minutes`);

  const started = Date.now();
  const end = started + MINUTES * 60_000;
  const samples = [];
  const outages = [];
  let next = 0;
  let nextOutage = started + WARMUP_MS / 2;
  let nextSample = started;
  const pages = new Set();
  let outage = Promise.resolve();
  /** The host goes away (killed: refused at once; frozen: a hung host) for OUTAGE_MS, then comes back. */
  const oneOutage = async (host, name, frozen) => {
    const began = Date.now();
    if (frozen) await host.signalAll('SIGSTOP');
    else await host.kill();
    const seenDown = await waitScreen((s) => new RegExp(`○ ${name} `).test(s), OUTAGE_MS);
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - began)));
    if (frozen) await host.signalAll('SIGCONT');
    else await host.restart();
    const back = Date.now();
    // Its page comes round every few seconds: seen back once it is drawn measured again.
    const seenBack = await waitScreen((s) => new RegExp(`[●▲✖] ${name} `).test(s), 45_000);
    outages.push({ host: name, how: frozen ? 'frozen' : 'killed', seenDown, seenBackAfterMs: seenBack ? Date.now() - back : null });
    console.error(JSON.stringify(outages.at(-1)));
  };
  while (Date.now() < end) {
    const now = Date.now();
    // One outage at a time, in the background: sampling goes on meanwhile.
    if (now >= nextOutage) {
      nextOutage = now + OUTAGE_EVERY_MS;
      const i = next++ % hosts.length;
      outage = outage.then(() => oneOutage(hosts[i], REAL[i][0], outages.length % 2 === 1));
    }
    if (Date.now() >= nextSample) {
      const screen = tmux('capture-pane', '-p', '-t', session);
      const page = /page (\d)\/(\d)/.exec(screen);
      if (page) pages.add(page[0]);
      samples.push({ atS: Math.round((Date.now() - started) / 1000), rssMiB: (await rssKiB(pid)) / 1024 });
      console.error(JSON.stringify(samples.at(-1)));
      nextSample = Date.now() + SAMPLE_MS;
    }
    await sleep(500);
  }
  await outage;
  const measured = samples.filter((s) => s.atS * 1000 >= WARMUP_MS);
  const mean = (xs) => xs.reduce((a, b) => a + b.rssMiB, 0) / Math.max(1, xs.length);
  const fifth = Math.max(1, Math.floor(measured.length / 5));
  const result = {
    minutes: MINUTES,
    node: process.version,
    hosts: { sshd: REAL.length, neverAnswering: DEAD.length },
    outages: { count: outages.length, seenDown: outages.filter((o) => o.seenDown).length, seenBack: outages.filter((o) => o.seenBackAfterMs !== null).length, list: outages },
    pagesSeen: [...pages].sort(),
    rssMiB: {
      afterWarmup: measured[0]?.rssMiB,
      firstFifthMean: mean(measured.slice(0, fifth)),
      lastFifthMean: mean(measured.slice(-fifth)),
      min: Math.min(...measured.map((s) => s.rssMiB)),
      max: Math.max(...measured.map((s) => s.rssMiB)),
      end: measured.at(-1)?.rssMiB,
    },
    samples,
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // Already gone.
  }
  for (const host of hosts) {
    await host.signalAll('SIGCONT');
    await host.stop();
  }
  await workspace.cleanup();
  await rm(COPY, { recursive: true, force: true });
}

async function waitScreen(predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate(tmux('capture-pane', '-p', '-t', session))) return true;
    await sleep(250);
  }
  return false;
}
