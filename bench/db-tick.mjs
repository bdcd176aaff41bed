#!/usr/bin/env node
// Cost of one database tick per kind, on the local servers: requests and statements sent (opsdeck's
// own count, checked against the server's counters), the CPU the server spent serving them (the
// PostgreSQL backend's and the MariaDB thread's CPU time from /proc, Redis's INFO commandstats),
// and the tick's wall time on loopback. Run on a quiet machine; the servers must be local.
// Usage: node_modules/.bin/tsc -p . ; node bench/db-tick.mjs [--ticks 300] [--busy 40] [--json]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createDatabaseSource } from '../dist/services/db/index.js';
import { collectWithDeadline } from '../dist/services/scheduler.js';

const { values } = parseArgs({ options: { ticks: { type: 'string', default: '300' }, busy: { type: 'string', default: '40' }, json: { type: 'boolean', default: false } } });
const TICKS = Number(values.ticks);
const BUSY = Number(values.busy);
const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function cpuMs(path) {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / HZ;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** Runs the ticks, reading the server's view before and after through `probe`. */
async function measure(source, probe) {
  for (let i = 0; i < 3; i++) await collectWithDeadline(source);
  const before = await probe.read();
  const stats0 = { ...source.stats };
  const walls = [];
  for (let i = 0; i < TICKS; i++) {
    const t = performance.now();
    await collectWithDeadline(source);
    walls.push(performance.now() - t);
  }
  const stats1 = { ...source.stats };
  const after = await probe.read();
  walls.sort((a, b) => a - b);
  return {
    roundTrips: (stats1.roundTrips - stats0.roundTrips) / TICKS,
    statements: (stats1.statements - stats0.statements) / TICKS,
    serverCounted: (after.counted - before.counted - probe.ownCounted) / TICKS,
    serverCpuMs: (after.cpuMs - before.cpuMs) / TICKS,
    wallMedianMs: percentile(walls, 0.5),
    wallP95Ms: percentile(walls, 0.95),
  };
}

async function postgres(busyClients) {
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', application_name: 'opsdeck-bench' });
  await admin.connect();
  const extra = [];
  for (let i = 0; i < busyClients; i++) {
    const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', application_name: 'opsdeck-bench-load' });
    c.on('error', () => undefined);
    await c.connect();
    if (i % 4 === 0) c.query('SELECT pg_sleep(600)').catch(() => undefined);
    extra.push(c);
  }
  const source = createDatabaseSource('bench', { postgres: 'postgres://postgres@127.0.0.1:5432/test' }, { timeoutMs: 10_000 });
  await collectWithDeadline(source);
  const { rows } = await admin.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'opsdeck'");
  if (rows.length !== 1) throw new Error(`expected one opsdeck backend, found ${rows.length}`);
  const pid = rows[0].pid;
  const probe = {
    // The two statements of each read are transactions too.
    ownCounted: 2,
    async read() {
      await admin.query('SELECT pg_stat_clear_snapshot()');
      // A busy backend flushes its counters at most once a second, an idle one after 10 s: let them land.
      await new Promise((r) => setTimeout(r, 11_000));
      const r = await admin.query("SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = 'test'");
      return { counted: Number(r.rows[0].n), cpuMs: cpuMs(`/proc/${pid}/stat`) };
    },
  };
  try {
    return await measure(source, probe);
  } finally {
    await source.close();
    // A sleeping backend does not notice its client leaving: end the sleeps, then the sessions.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'opsdeck-bench-load'");
    for (const c of extra) await c.end().catch(() => undefined);
    await admin.end();
  }
}

async function mariadb(busyClients) {
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  const extra = [];
  for (let i = 0; i < busyClients; i++) {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
    c.on('error', () => undefined);
    if (i % 4 === 0) c.query('SELECT SLEEP(600)').catch(() => undefined);
    extra.push(c);
  }
  const [[server]] = await admin.query('SELECT @@pid_file AS pidFile');
  const serverPid = readFileSync(server.pidFile, 'utf8').trim();
  const source = createDatabaseSource('bench', { mysql: 'mysql://root@127.0.0.1:3306/test' }, { timeoutMs: 10_000 });
  await collectWithDeadline(source);
  const [threads] = await admin.query("SELECT TID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO IS NULL AND COMMAND = 'Sleep' ORDER BY ID DESC LIMIT 1");
  const tid = threads[0].TID;
  const probe = {
    ownCounted: 1,
    async read() {
      const [[row]] = await admin.query("SHOW GLOBAL STATUS LIKE 'Questions'");
      return { counted: Number(row.Value), cpuMs: cpuMs(`/proc/${serverPid}/task/${tid}/stat`) };
    },
  };
  try {
    return await measure(source, probe);
  } finally {
    await source.close();
    for (const c of extra) await admin.query('KILL ?', [c.threadId]).catch(() => undefined);
    for (const c of extra) c.destroy();
    await admin.end();
  }
}

async function redis(busyClients) {
  const admin = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, disableClientInfo: true });
  await admin.connect();
  const extra = [];
  for (let i = 0; i < busyClients; i++) {
    const c = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, disableClientInfo: true, retryStrategy: () => null });
    c.on('error', () => undefined);
    await c.connect();
    extra.push(c);
  }
  const source = createDatabaseSource('bench', { redis: 'redis://127.0.0.1:6379' }, { timeoutMs: 10_000 });
  const stat = (text, command) => {
    const line = text.split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
    const fields = Object.fromEntries((line?.split(':')[1] ?? '').split(',').map((kv) => kv.split('=')));
    return { calls: Number(fields.calls ?? 0), usec: Number(fields.usec ?? 0) };
  };
  const probe = {
    // The probe's own INFO commandstats is counted as an info call.
    ownCounted: 1,
    async read() {
      const text = await admin.info('commandstats');
      const ping = stat(text, 'ping');
      const info = stat(text, 'info');
      return { counted: ping.calls + info.calls, cpuMs: (ping.usec + info.usec) / 1000 };
    },
  };
  try {
    return await measure(source, probe);
  } finally {
    await source.close();
    for (const c of extra) c.disconnect();
    admin.disconnect();
  }
}

const results = [];
for (const [kind, run] of [
  ['postgres', postgres],
  ['mariadb', mariadb],
  ['redis', redis],
]) {
  for (const busy of [0, BUSY]) results.push({ kind, clients: busy, ...(await run(busy)) });
}

if (values.json) {
  console.log(JSON.stringify({ ticks: TICKS, results }, null, 2));
} else {
  console.log(`${TICKS} ticks per row; per tick:`);
  console.log('| kind | extra clients | requests | statements | counted by the server | server CPU ms | wall ms median | wall ms p95 |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.kind} | ${r.clients} | ${r.roundTrips.toFixed(2)} | ${r.statements.toFixed(2)} | ${r.serverCounted.toFixed(2)} | ${r.serverCpuMs.toFixed(3)} | ${r.wallMedianMs.toFixed(2)} | ${r.wallP95Ms.toFixed(2)} |`);
  }
}
