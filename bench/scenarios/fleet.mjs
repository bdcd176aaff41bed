// 3 Fleet: the cockpit (200x50) watching 1, 10, 50 and 200 SSH hosts at a 2 s refresh: resources and
// two services each tick, one quiet log followed per host, and the processes of the host on screen. The hosts share
// a few loopback sshd servers, each host its own connection. After every host has answered (at most
// 60 s), a 20 s window: CPU of opsdeck's tree, RSS, poll durations (p50, p99), ticks missed (a poll
// longer than its period), store commits a second (each a render, at most one frame) and terminal bytes.
import { join } from 'node:path';
import { fixed, load, percentile, sleep, table } from '../lib/report.mjs';
import { startFleet } from '../lib/ssh-fleet.mjs';
import { Terminal } from '../lib/terminal.mjs';
import { readTickStats } from '../lib/tick-stats.mjs';
import { opsdecks } from '../lib/tools.mjs';

/** Polls a second the refresh asks for, per host: resources and services every 2 s. */
const POLLS_PER_HOST_SECOND = 1;
/** The processes of the one host whose list Resources shows: every 5 s (twice the refresh, at least 5 s). */
const PROCESS_POLLS_PER_SECOND = 0.2;

const pollsAsked = (size, seconds) => (size * POLLS_PER_HOST_SECOND + PROCESS_POLLS_PER_SECOND) * seconds;

export async function fleet({ sizes = [1, 10, 50, 200], seconds = 20, servers = 10 } = {}) {
  const hosts = await startFleet(Math.min(servers, Math.max(...sizes)));
  const rows = [];
  try {
    for (const size of sizes) {
      // With --baseline, the other build runs the same size right after (one at a time: they would share the sshd servers).
      for (const [index, tool] of opsdecks('opsdeck', { config: await hosts.config(size), refresh: '2s' }).entries()) {
        const stats = join(hosts.dir, `ticks-${size}-${index}.jsonl`);
        const terminal = new Terminal({ ...tool, env: { ...tool.env, OPSDECK_TICK_STATS: stats } });
        try {
          const settled = await settle(stats, size);
          const loadBefore = load();
          const t0 = Date.now();
          const cpu0 = terminal.cpuSeconds();
          const bytes0 = terminal.bytes;
          const rss = [];
          for (let s = 0; s < seconds; s++) {
            await sleep(1000);
            rss.push(terminal.rssMiB());
          }
          const elapsed = (Date.now() - t0) / 1000;
          const cpu = ((terminal.cpuSeconds() - cpu0) / elapsed) * 100;
          const ticks = readTickStats(stats, t0, Date.now());
          const row = [
            tool.name,
            String(size),
            fixed(cpu, 1),
            `${fixed(Math.min(...rss), 0)}–${fixed(Math.max(...rss), 0)}`,
            fixed(percentile(ticks.durations, 50), 0),
            fixed(percentile(ticks.durations, 99), 0),
            `${ticks.durations.length} / ${Math.round(pollsAsked(size, elapsed))}`,
            String(ticks.missed),
            fixed(ticks.commits / elapsed, 1),
            fixed((terminal.bytes - bytes0) / elapsed, 0),
            settled,
            `${loadBefore}→${load()}`,
          ];
          rows.push(row);
          console.error(`fleet ${size}: ${row.join(' | ')}`);
        } finally {
          terminal.stop();
        }
      }
    }
  } finally {
    await hosts.stop();
  }
  return {
    title: 'Fleet',
    text: `${Math.min(servers, Math.max(...sizes))} sshd servers on loopback (OpenSSH, test/harness/sshd.ts), host entries spread over them, one connection per host; 2 s refresh; ${seconds} s window once every host answered at the rate asked and no poll overran its period for 4 s (or after ${SETTLE_MS / 1000} s: "not in ${SETTLE_MS / 1000} s"). Poll durations and commits from OPSDECK_TICK_STATS.\n\n${table(['build', 'hosts', 'CPU % of one core', 'RSS MiB', 'poll p50 ms', 'poll p99 ms', 'polls done / asked', 'missed ticks', 'commits/s', 'bytes/s to the terminal', 'settled after', 'load'], rows)}`,
  };
}

/**
 * How long a size may take to settle before its window starts anyway: 200 hosts whose sshd servers
 * share this machine's cores may never settle, and the whole run keeps to 10 minutes.
 */
const SETTLE_MS = 60_000;

/** Seconds until polls arrive at the rate asked for (every host connected and answering) and none overran its period, or "not in 60 s". */
async function settle(stats, size) {
  const t0 = Date.now();
  await sleep(4000);
  while (Date.now() - t0 < SETTLE_MS) {
    const recent = readTickStats(stats, Date.now() - 4000);
    // At the rate asked, and past the start's backlog: all sources start at once, and with 200 hosts
    // (200 handshakes) the first polls overrun their period for a few seconds.
    if (recent.seconds >= 3 && recent.durations.length >= 0.8 * pollsAsked(size, recent.seconds) && recent.missed === 0) return `${Math.round((Date.now() - t0) / 1000)} s`;
    await sleep(1000);
  }
  return `not in ${SETTLE_MS / 1000} s`;
}
