// 5 Backup: `opsdeck backup` of a large PostgreSQL database (pgbench tables; made once, kept between
// runs) against plain `pg_dump -Fc` to a file, alternated in one run. opsdeck's backup also verifies
// the dump by reading it all (pg_restore), checksums and fsyncs it: its wall time includes that.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixed, load, median, table } from '../lib/report.mjs';
import { ROOT } from '../lib/tools.mjs';

const run = promisify(execFile);
const DATABASE = 'opsdeck_bench';
const PG = ['-h', '127.0.0.1', '-U', 'postgres'];

async function sizeBytes() {
  const { stdout } = await run('psql', [...PG, '-d', 'postgres', '-Atc', `SELECT coalesce((SELECT pg_database_size('${DATABASE}')), 0)`]).catch(() => ({ stdout: '0' }));
  return Number(stdout.trim());
}

/** pgbench's tables at `scale` (about 15 MB each), unless the database already has them. */
async function ensureDatabase(scale) {
  const { stdout } = await run('psql', [...PG, '-d', 'postgres', '-Atc', `SELECT count(*) FROM pg_database WHERE datname = '${DATABASE}'`]);
  if (stdout.trim() === '1') {
    const { stdout: rows } = await run('psql', [...PG, '-d', DATABASE, '-Atc', 'SELECT count(*) FROM pgbench_branches']).catch(() => ({ stdout: '0' }));
    if (Number(rows.trim()) === scale) return;
    await run('dropdb', [...PG, DATABASE]);
  }
  console.error(`backup: creating ${DATABASE} (pgbench scale ${scale})`);
  await run('createdb', [...PG, DATABASE]);
  await run('pgbench', [...PG, '-i', '-q', '-s', String(scale), DATABASE], { maxBuffer: 1 << 24 });
}

export async function backup({ scale = 20, reps = 2 } = {}) {
  await ensureDatabase(scale);
  const bytes = await sizeBytes();
  const dir = mkdtempSync(join(tmpdir(), 'bench-backup-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `hosts: {local: {local: true}}\ndatabases:\n  bench: {postgres: "postgres://postgres@127.0.0.1:5432/${DATABASE}", backup: {dir: ${JSON.stringify(join(dir, 'opsdeck'))}, keep: 1}}\n`);
  const env = { ...process.env, XDG_STATE_HOME: dir };
  const times = { opsdeck: [], pg_dump: [] };
  const loads = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      loads.push(load());
      let t0 = performance.now();
      await run(join(ROOT, 'bin/opsdeck'), ['backup', 'bench', '--config', config], { env, maxBuffer: 1 << 24 });
      times.opsdeck.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      await run('pg_dump', [...PG, '-Fc', '-f', join(dir, `plain-${rep}.pgdump`), DATABASE]);
      times.pg_dump.push((performance.now() - t0) / 1000);
      console.error(`backup ${rep + 1}/${reps}: opsdeck ${fixed(times.opsdeck.at(-1))} s, pg_dump ${fixed(times.pg_dump.at(-1))} s`);
    }
    const dump = statSync(join(dir, 'plain-0.pgdump')).size;
    const mib = bytes / 2 ** 20;
    const rows = Object.entries(times).map(([tool, t]) => [tool === 'opsdeck' ? '`opsdeck backup` (dump, verify, checksum, fsync)' : 'plain `pg_dump -Fc -f`', t.map((s) => fixed(s, 1)).join(' · '), fixed(median(t), 1), fixed(mib / median(t), 0), fixed(median(t) / median(times.pg_dump), 2)]);
    return {
      title: 'Backup',
      text: `A ${fixed(mib, 0)} MiB PostgreSQL database (pgbench scale ${scale}; smaller than the issue's 1 GB so the whole run fits in 10 minutes: \`--scale\` in bench/scenarios/backup.mjs), dump ${fixed(dump / 2 ** 20, 0)} MiB; ${reps} runs each, alternated; load ${loads.join(', ')}.\n\n${table(['what', 'each run (s)', 'median s', 'MiB of database / s', 'time ÷ pg_dump'], rows)}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
