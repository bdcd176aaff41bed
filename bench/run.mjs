#!/usr/bin/env node
// The side-by-side benchmark: opsdeck and the tools it replaces, in one run, on one machine, so only
// ratios taken in the same run are compared (absolute figures move with the machine's load).
//
//   npm run bench                         # idle, logs, keys, fleet, backup (about 10 minutes), tables into docs/PERFORMANCE.md
//   npm run bench -- idle fleet           # some of them: idle | logs | fleet | keys | backup | prometheus (by name only)
//   npm run bench -- idle --quick         # shorter windows, fewer repetitions (a smoke test; not written)
//   npm run bench -- logs --baseline DIR  # another build (a checkout with dist/) beside this one, same run
//
// Runs as root (it starts sshd hosts and may install htop, btop, glances and lnav). Never part of `npm test`.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, writeSection } from './lib/report.mjs';

const ROOT = join(import.meta.dirname, '..');


const SCENARIOS = {
  idle: async (quick) => (await import('./scenarios/idle.mjs')).idle(quick ? { reps: 1, seconds: 10 } : {}),
  logs: async (quick) => (await import('./scenarios/logs.mjs')).logs(quick ? { rates: [10_000], seconds: 5 } : {}),
  fleet: async (quick) => (await import('./scenarios/fleet.mjs')).fleet(quick ? { sizes: [1, 10], seconds: 10 } : {}),
  keys: async (quick) => (await import('./scenarios/keys.mjs')).keys(quick ? { presses: 5, hosts: 10 } : {}),
  backup: async (quick) => (await import('./scenarios/backup.mjs')).backup(quick ? { scale: 5, reps: 1 } : {}),
  prometheus: async (quick) => (await import('./scenarios/prometheus.mjs')).prometheus(quick ? { sizes: [50], warmup: 20, seconds: 15 } : {}),
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false }, baseline: { type: 'string' } } });
// Read by bench/lib/tools.mjs, loaded below with the scenarios.
if (values.baseline) process.env.OPSDECK_BENCH_BASELINE = values.baseline;
// Prometheus (4 minutes: a server scraping 500 exporters) runs when named: the whole run keeps to 10 minutes.
// Keys before fleet: the 1-minute load printed beside the keys (which bring their own: 50 hosts and
// a busy log) would otherwise be mostly the 200 hosts' last minute, 10-20.
const BY_DEFAULT = ['idle', 'logs', 'keys', 'fleet', 'backup'];
const chosen = positionals.length > 0 ? positionals : BY_DEFAULT;
for (const name of chosen) if (!(name in SCENARIOS)) throw new Error(`no scenario ${name}; there are: ${Object.keys(SCENARIOS).join(', ')}`);

// Through process.exit, so the terminals and fresh homes are cleaned up (their 'exit' handlers).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const started = new Date().toISOString().slice(0, 16).replace('T', ' ');
for (const name of chosen) {
  const t0 = performance.now();
  const result = await SCENARIOS[name](values.quick);
  const seconds = Math.round((performance.now() - t0) / 1000);
  // After the scenario: it installs the tools whose versions this names.
  const host = machine();
  console.log(`\n## ${result.title} (${seconds} s)\n\n${result.text}\n`);
  if (!values.quick) writeSection(ROOT, values.baseline ? `${name}-baseline` : name, `Run ${started} UTC on ${host}. \`npm run bench -- ${name}${values.baseline ? ' --baseline DIR' : ''}\` took ${seconds} s.\n\n${result.text}`);
}
