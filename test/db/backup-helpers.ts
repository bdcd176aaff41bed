// Databases of a backup test's own on the machine's servers (uniquely named, dropped after), the
// BackupControl over them, and what a restored copy holds, read with plain driver sessions.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupControl, BackupProgress } from '../../src/domain/backup.js';
import type { DatabaseSpec } from '../../src/domain/database.js';
import { backupControl } from '../../src/services/backup/index.js';
import { mySession, pgSession, PG, MY } from './harness.js';

export const unique = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;

export interface OwnDatabase {
  name: string;
  /** Table name to exact row count. */
  counts(database?: string): Promise<Record<string, number>>;
  drop(database?: string): Promise<void>;
}

/** A PostgreSQL database with two tables (rows as given), in schema public and one of its own. */
export async function ownPostgres(rows: number, extraSql: string[] = []): Promise<OwnDatabase> {
  const name = unique('opsdeck_bk');
  const admin = await pgSession();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const { default: pg } = await import('pg');
  const session = new pg.Client({ ...PG, database: name });
  await session.connect();
  await session.query('CREATE TABLE orders (id serial PRIMARY KEY, note text)');
  await session.query(`INSERT INTO orders (note) SELECT 'order ' || g FROM generate_series(1, ${rows}) g`);
  await session.query('CREATE SCHEMA shop; CREATE TABLE shop.items (id int PRIMARY KEY, name text)');
  await session.query(`INSERT INTO shop.items SELECT g, md5(g::text) FROM generate_series(1, ${Math.max(1, Math.floor(rows / 2))}) g`);
  for (const sql of extraSql) await session.query(sql);
  await session.end();
  return {
    name,
    async counts(database = name) {
      const client = new pg.Client({ ...PG, database });
      await client.connect();
      try {
        const tables = await client.query<{ t: string }>("SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') AND table_type = 'BASE TABLE' ORDER BY 1");
        const out: Record<string, number> = {};
        for (const { t } of tables.rows) out[t] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
        return out;
      } finally {
        await client.end();
      }
    },
    async drop(database = name) {
      const client = await pgSession();
      await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A MariaDB database with two tables, a trigger and a routine (what --routines --triggers carry). */
export async function ownMysql(rows: number): Promise<OwnDatabase> {
  const name = unique('opsdeck_bk');
  const session = await mySession();
  await session.query(`CREATE DATABASE ${name}`);
  await session.query(`CREATE TABLE ${name}.orders (id int AUTO_INCREMENT PRIMARY KEY, note varchar(100))`);
  await session.query(`CREATE TABLE ${name}.items (id int PRIMARY KEY, name varchar(64))`);
  await session.query(`INSERT INTO ${name}.orders (note) SELECT CONCAT('order ', seq) FROM seq_1_to_${rows}`);
  await session.query(`INSERT INTO ${name}.items SELECT seq, MD5(seq) FROM seq_1_to_${Math.max(1, Math.floor(rows / 2))}`);
  await session.query(`CREATE FUNCTION ${name}.twice(x int) RETURNS int DETERMINISTIC RETURN x * 2`);
  await session.end();
  return {
    name,
    async counts(database = name) {
      const s = await mySession();
      try {
        const [tables] = await s.query(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1`, [database]);
        const out: Record<string, number> = {};
        for (const { t } of tables as { t: string }[]) {
          const [rowsOut] = await s.query(`SELECT COUNT(*) AS n FROM \`${database}\`.\`${t}\``);
          out[t] = Number((rowsOut as { n: number }[])[0]?.n);
        }
        return out;
      } finally {
        await s.end();
      }
    },
    async drop(database = name) {
      const s = await mySession();
      await s.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await s.end();
    },
  };
}

export function pgSpec(database: string, dir: string, extra: Partial<DatabaseSpec> = {}): DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> } {
  return { postgres: `postgres://${PG.user}@127.0.0.1:${PG.port}/${database}`, backup: { dir, keep: 7 }, ...extra } as DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> };
}

export function mySpec(database: string, dir: string, extra: Partial<DatabaseSpec> = {}): DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> } {
  return { mysql: `mysql://${MY.user}@127.0.0.1:${MY.port}/${database}`, backup: { dir, keep: 7 }, ...extra } as DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> };
}

export function control(name: string, spec: DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> }, env?: NodeJS.ProcessEnv): BackupControl {
  return backupControl(name, spec, env ? { env } : {});
}

/** Progress reports, kept for assertions. */
export function progressLog(): { seen: BackupProgress[]; report(p: BackupProgress): void } {
  const seen: BackupProgress[] = [];
  return { seen, report: (p) => seen.push(p) };
}

/** The directory's names, sorted. */
export const listing = (dir: string) => readdirSync(dir).sort();

/** Every process's argv as /proc shows it to `ps`, by pid. */
export function allCommandLines(): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}


/** The size of the one temporary file in `dir` (a backup being written), once it has some bytes. */
export function writingTemp(dir: string): { name: string; bytes: number } | undefined {
  const name = readdirSync(dir).find((n) => n.endsWith('.partial') && !n.includes('.sha256'));
  if (!name) return undefined;
  try {
    const bytes = statSync(join(dir, name)).size;
    return bytes > 0 ? { name, bytes } : undefined;
  } catch {
    return undefined;
  }
}
