#!/usr/bin/env node
// Idle cost of the cockpit: opsdeck runs in a real terminal (tmux, 200x50) at a given refresh,
// and its own CPU time and RSS are read from /proc over a measured window after a warm-up.
// Usage: npm run bench -- [--refresh 1s] [--seconds 60] [--warmup 10] [--size 200x50] [--config FILE]
//        [--node-flags=--max-semi-space-size=16]  (runs dist/main.js with these flags instead of bin/opsdeck)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    refresh: { type: 'string', default: '1s' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    size: { type: 'string', default: '200x50' },
    config: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
const [columns, rows] = values.size.split('x');
const launcher =
  values['node-flags'] === undefined
    ? fileURLToPath(new URL('../bin/opsdeck', import.meta.url))
    : `${process.execPath} ${values['node-flags']} ${fileURLToPath(new URL('../dist/main.js', import.meta.url))}`;
const session = `opsdeck-bench-${process.pid}`;
const ticks = Number(readFileSync('/proc/self/stat', 'utf8') && execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

const config = values.config ? `--config ${values.config}` : '';
execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', columns, '-y', rows, `exec ${launcher} --refresh ${values.refresh} ${config}`]);
try {
  await sleep(2);
  const panePid = Number(execFileSync('tmux', ['display-message', '-p', '-t', session, '#{pane_pid}'], { encoding: 'utf8' }).trim());
  // bin/opsdeck stays as the runtime's parent (it restores the terminal after a crash): measure its node child.
  const child = readFileSync(`/proc/${panePid}/task/${panePid}/children`, 'utf8').trim().split(' ').find(Boolean);
  const pid = readFileSync(`/proc/${panePid}/comm`, 'utf8').trim() === 'node' || !child ? panePid : Number(child);
  await sleep(Number(values.warmup));
  const startTicks = cpuTicks(pid);
  const startAt = process.hrtime.bigint();
  const rss = [];
  for (let i = 0; i < Number(values.seconds); i++) {
    await sleep(1);
    rss.push(rssKiB(pid));
  }
  const elapsed = Number(process.hrtime.bigint() - startAt) / 1e9;
  const cpuSeconds = (cpuTicks(pid) - startTicks) / ticks;
  const mib = (k) => (k / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      node: process.version,
      size: values.size,
      refresh: values.refresh,
      windowSeconds: Math.round(elapsed),
      cpuPercent: Number(((cpuSeconds / elapsed) * 100).toFixed(2)),
      rssMiB: { min: Number(mib(Math.min(...rss))), max: Number(mib(Math.max(...rss))), last: Number(mib(rss.at(-1))) },
    }),
  );
} finally {
  execFileSync('tmux', ['kill-session', '-t', session]);
}
