// What watching many hosts over SSH costs opsdeck: its own CPU and RSS while the SSH adapter polls
// 1, 10 and 50 loopback sshd hosts at 2 s refresh (resources, processes, services, one log follower
// each). Each size runs in a fresh child process that holds only the adapter, the scheduler and the
// log buffers, so the numbers are opsdeck's and not the harness's.
//
//   npm run bench:ssh               # 1, 10 and 50 hosts
//   npm run bench:ssh -- 1 5        # other sizes
//
// Runs as root (it starts sshd and logs in as a test user, like test/ssh). The harness is read as
// TypeScript (node --experimental-transform-types, .js imports mapped to .ts); the measured child runs
// src/ compiled by tsc into .tmp/bench-dist, as opsdeck itself runs, without the TypeScript loader.
import { execFile, spawn } from 'node:child_process';
import { register } from 'node:module';
import { once } from 'node:events';
import { access, chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, '.tmp/bench-dist');
const REFRESH_MS = 2000;
const WARMUP_MS = 10_000;
const MEASURE_MS = 30_000;

if (process.argv[2] === '--child') await child(Number(process.argv[3]), process.argv[4], process.argv[5]);
else await parent(process.argv.slice(2).map(Number).filter((n) => n > 0));

/** Compiles src/ for the child; type errors elsewhere in a work in progress do not stop the emit. */
async function compile() {
  await new Promise((resolve) => execFile(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.json'), '--outDir', DIST, '--sourceMap', 'false'], resolve));
  await access(join(DIST, 'services/ssh/adapter.js'));
}

async function parent(sizes) {
  if (sizes.length === 0) sizes = [1, 10, 50];
  // The harness is TypeScript whose imports say .js: map them to the .ts files (parent only; the
  // measured child runs compiled code with no loader hooks).
  register(
    `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw error;
  }
}`)}`,
  );
  await compile();
  const { ensureTestUser, SshdHost, Workspace } = await import('../test/harness/sshd.ts');
  const user = await ensureTestUser();
  const workspace = await Workspace.create();
  const largest = Math.max(...sizes);
  const hosts = [];
  try {
    for (let i = 0; i < largest; i++) {
      const host = await SshdHost.start(workspace, `bench-${i}`);
      await workspace.trust(host);
      hosts.push(host);
    }
    // A cheap stand-in for systemctl on the host: the real `show` output of two units, so opsdeck
    // parses what it always parses while the host spends nothing (the daemonless systemctl is Python).
    const show = join(workspace.dir, 'show.txt');
    await writeFile(show, ['garden-backend.service', 'garden-worker.service'].map((u) => `Id=${u}\nDescription=${u}\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=4242\nNRestarts=0\nActiveEnterTimestamp=Mon 2026-11-23 11:49:31 UTC\n`).join('\n'), { mode: 0o644 });
    const systemctl = join(workspace.dir, 'systemctl');
    await writeFile(systemctl, `#!/bin/sh\nexec cat ${show}\n`);
    await chmod(systemctl, 0o755);
    const log = join(workspace.dir, 'quiet.log');
    await writeFile(log, 'one line\n', { mode: 0o644 });

    const rows = [];
    for (const size of sizes) {
      await workspace.writeSshConfig(hosts.slice(0, size).map((h, i) => ({ alias: `h${i}`, port: h.port, user: user.name })));
      const config = JSON.stringify({ sshConfig: workspace.sshConfig, home: workspace.dir, systemctl, log });
      const proc = spawn(process.execPath, [import.meta.filename, '--child', String(size), config], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      proc.stdout.on('data', (chunk) => (out += chunk));
      await once(proc, 'exit');
      const row = JSON.parse(out.trim().split('\n').at(-1));
      rows.push(row);
      console.error(`${size} hosts: ${row.cpuPercent.toFixed(1)} % CPU, RSS ${row.rssMiB.mean.toFixed(0)} MiB (max ${row.rssMiB.max.toFixed(0)}), polls ok ${row.polls.ok} failed ${row.polls.failed}`);
    }
    console.log(JSON.stringify({ refreshMs: REFRESH_MS, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, node: process.version, rows }, null, 2));
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
    await workspace.cleanup();
  }
}

async function child(size, configJson) {
  const { sshConfig, home, systemctl, log } = JSON.parse(configJson);
  const load = (path) => import(pathToFileURL(join(DIST, path)).href);
  const { SshHostAdapter } = await load('services/ssh/adapter.js');
  const { Scheduler } = await load('services/scheduler.js');
  const { LogBuffer } = await load('services/logs/buffer.js');
  const adapter = new SshHostAdapter({ sshConfig, home, agent: false });
  const thresholds = { cpu: { warn: 70, crit: 85 }, memory: { warn: 80, crit: 90 }, disk: { warn: 80, crit: 90 } };
  const sources = [];
  const streams = [];
  for (let i = 0; i < size; i++) {
    const host = { name: `h${i}`, local: false, ssh: `h${i}`, services: ['garden-backend.service', 'garden-worker.service'], systemctl, sudo: false, logs: [{ kind: 'file', path: log, label: 'quiet' }], thresholds };
    const watch = await adapter.watch(host, { timeoutMs: 2 * REFRESH_MS });
    sources.push(watch.resources, watch.processes, watch.services);
    streams.push(...watch.logStreams);
  }
  const polls = { ok: 0, failed: 0 };
  let counting = false;
  const scheduler = new Scheduler(REFRESH_MS);
  for (const source of sources) scheduler.add(source, { ok: () => counting && polls.ok++, fail: () => counting && polls.failed++ });
  scheduler.start();
  for (const stream of streams) {
    const buffer = new LogBuffer(10_000, 2000);
    stream.start({ line: (t) => buffer.append(t), mark: (t) => buffer.mark(t), state: () => {} });
  }
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  counting = true;
  const rss = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = performance.now() - t0;
  clearInterval(sampler);
  scheduler.stop();
  for (const stream of streams) stream.stop();
  adapter.close();
  const mib = rss.map((b) => b / 1048576);
  // Polls expected in the window: resources and services every tick, processes every second tick.
  const expected = Math.floor(MEASURE_MS / REFRESH_MS) * size * 2.5;
  console.log(
    JSON.stringify({
      hosts: size,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsed) * 100,
      rssMiB: { mean: mib.reduce((a, b) => a + b, 0) / mib.length, max: Math.max(...mib) },
      polls: { ...polls, expected },
    }),
  );
  process.exit(0);
}
