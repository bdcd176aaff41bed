// PostgreSQL servers of the test's own (initdb on free ports): replication on a primary and a
// streaming standby, with the lag on both sides and its level; password authentication and TLS.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseSource, type PostgresSample } from '../../src/services/db/index.js';
import { judgedLevels } from '../helpers/levels.js';
import { waitFor } from '../helpers/wait.js';
import { makeCertificates, sleep, startPostgresPrimary, startPostgresStandby, tempDir, tick, type Certificates, type PrivatePostgres } from './harness.js';

describe('PostgreSQL replication (private primary and standby)', () => {
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let onPrimary: DatabaseSource;
  let onStandby: DatabaseSource;
  const sessions: pg.Client[] = [];

  async function session(port: number): Promise<pg.Client> {
    const { default: pgLib } = await import('pg');
    const client = new pgLib.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    sessions.push(client);
    return client;
  }

  beforeAll(async () => {
    primary = await startPostgresPrimary();
    standby = await startPostgresStandby(primary);
    onPrimary = createDatabaseSource('primary', { postgres: `postgres://postgres@127.0.0.1:${primary.port}/postgres` });
    onStandby = createDatabaseSource('standby', { postgres: `postgres://postgres@127.0.0.1:${standby.port}/postgres`, thresholds: { replicationLag: { warn: '1s', crit: '1m' } } });
  }, 120_000);

  afterAll(async () => {
    for (const s of sessions) await s.end().catch(() => undefined);
    await onPrimary?.close();
    await onStandby?.close();
    await standby?.stop();
    await primary?.stop();
  });

  it('gives up on a catalog lock after lock_timeout instead of queueing behind it', async () => {
    // Connected first: a new connection itself reads pg_database while starting.
    await tick(onPrimary);
    const holder = await session(primary.port);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pg_database IN ACCESS EXCLUSIVE MODE');
    try {
      const started = Date.now();
      await expect(tick(onPrimary)).rejects.toThrow(`a statistics query waited too long for a lock on the server (127.0.0.1:${primary.port})`);
      expect(Date.now() - started).toBeLessThan(onPrimary.timeoutMs);
    } finally {
      await holder.query('ROLLBACK');
    }
    expect((await tick<PostgresSample>(onPrimary)).kind).toBe('postgres');
  });

  it('shows the standby on the primary, streaming and caught up', async () => {
    // Caught up: the standby has replayed every byte of WAL the primary has written.
    const sample = await waitFor('the standby streaming, caught up, on the primary', async () => {
      const s = await tick<PostgresSample>(onPrimary);
      return s.replication.role === 'primary' && s.replication.replicas[0]?.state === 'streaming' && s.replication.replicas[0].lagBytes === 0 ? s : undefined;
    });
    expect(sample.replication.role === 'primary' && sample.replication.replicas[0]).toMatchObject({ client: '127.0.0.1', state: 'streaming', syncState: 'async', lagBytes: 0 });
    expect(sample.replicationLagSec).toBeGreaterThanOrEqual(0);
    expect(sample.replicationLagSec).toBeLessThan(1);
    expect(judgedLevels(sample, onStandby.thresholds).replicationLag).toBe('ok');
  });

  it('shows a standby receiving, with replay lag growing while replay is paused, at warn past 1 s', async () => {
    const caughtUp = await waitFor('the standby receiving and caught up', async () => {
      const s = await tick<PostgresSample>(onStandby);
      return s.replication.role === 'standby' && s.replication.receiving && s.replication.receiveLagBytes === 0 ? s : undefined;
    });
    expect(caughtUp.replication).toMatchObject({ role: 'standby', receiving: true, receiveLagBytes: 0, replayDelaySec: 0 });
    expect(caughtUp.replicationLagSec).toBe(0);
    expect(judgedLevels(caughtUp, onStandby.thresholds).replicationLag).toBe('ok');

    const standbySession = await session(standby.port);
    const primarySession = await session(primary.port);
    // A replayed commit gives the standby a replay time to measure the delay from.
    await primarySession.query('CREATE TABLE IF NOT EXISTS lagging (v int)');
    await waitFor('a transaction replayed on the standby', async () => ((await standbySession.query('SELECT pg_last_xact_replay_timestamp() AS t')).rows[0]?.t ? true : undefined));
    await standbySession.query('SELECT pg_wal_replay_pause()');
    try {
      await primarySession.query('INSERT INTO lagging SELECT generate_series(1, 1000)');
      const behind = await waitFor('receive lag on the paused standby', async () => {
        const s = await tick<PostgresSample>(onStandby);
        return s.replication.role === 'standby' && (s.replication.receiveLagBytes ?? 0) > 0 ? s : undefined;
      });
      await sleep(1500);
      const later = await tick<PostgresSample>(onStandby);
      expect(later.replicationLagSec).toBeGreaterThan(1);
      expect(later.replicationLagSec).toBeGreaterThan(behind.replicationLagSec ?? 0);
      expect(judgedLevels(later, onStandby.thresholds).replicationLag).toBe('warn');
      // The primary sees the same standby behind in replay.
      const onP = await tick<PostgresSample>(onPrimary);
      expect(onP.replication.role === 'primary' && onP.replication.replicas[0]?.lagBytes).toBeGreaterThan(0);
    } finally {
      await standbySession.query('SELECT pg_wal_replay_resume()');
    }
    const resumed = await waitFor('no replay lag once resumed', async () => {
      const s = await tick<PostgresSample>(onStandby);
      return s.replicationLagSec === 0 ? s : undefined;
    });
    expect(judgedLevels(resumed, onStandby.thresholds).replicationLag).toBe('ok');
  });
});

describe('PostgreSQL passwords and TLS (private server with scram-sha-256 and ssl)', () => {
  let server: PrivatePostgres;
  let certs: Certificates & { remove(): void };
  const home = tempDir();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const sources: DatabaseSource[] = [];
  const open = (...args: Parameters<typeof createDatabaseSource>) => {
    const source = createDatabaseSource(...args);
    sources.push(source);
    return source;
  };
  let url: string;

  beforeAll(async () => {
    certs = await makeCertificates();
    server = await startPostgresPrimary({ hba: ['host all opsdeck_pw 127.0.0.1/32 scram-sha-256'], tls: certs });
    const { default: pgLib } = await import('pg');
    const admin = new pgLib.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE ROLE opsdeck_pw LOGIN PASSWORD '${password}' IN ROLE pg_monitor`);
    await admin.end();
    url = `postgres://opsdeck_pw@127.0.0.1:${server.port}/postgres`;
  }, 120_000);

  afterAll(async () => {
    for (const s of sources) await s.close();
    await server?.stop();
    certs?.remove();
    home.remove();
  });

  it('says a password is wanted and where to put it when none is configured', async () => {
    const saved = process.env.PGPASSFILE;
    process.env.PGPASSFILE = join(home.path, 'none');
    try {
      await expect(tick(open('nopw', { postgres: url }))).rejects.toMatchObject({
        message: `the server asks a password for user opsdeck_pw and none is configured (127.0.0.1:${server.port})`,
        hint: expect.stringMatching(/passwordEnv.*~\/\.pgpass/),
      });
    } finally {
      if (saved === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = saved;
    }
  });

  it('reports "password authentication failed" for a wrong password, with the ~/.pgpass line to add', async () => {
    const source = open('wrong', { postgres: url, passwordEnv: 'OPSDECK_PG_PW' }, { env: { OPSDECK_PG_PW: 'wrong' } });
    await expect(tick(source)).rejects.toMatchObject({
      message: 'password authentication failed for user "opsdeck_pw"',
      hint: expect.stringContaining(`127.0.0.1:${server.port}:*:opsdeck_pw:PASSWORD to ~/.pgpass`),
    });
  });

  it('takes the password from passwordEnv or from the ~/.pgpass file', async () => {
    expect((await tick(open('env', { postgres: url, passwordEnv: 'OPSDECK_PG_PW' }, { env: { OPSDECK_PG_PW: password } }))).kind).toBe('postgres');
    const pgpass = join(home.path, '.pgpass');
    writeFileSync(pgpass, `127.0.0.1:${server.port}:*:opsdeck_pw:${password}\n`, { mode: 0o600 });
    const saved = process.env.PGPASSFILE;
    process.env.PGPASSFILE = pgpass;
    try {
      expect((await tick(open('pgpass', { postgres: url }))).kind).toBe('postgres');
    } finally {
      if (saved === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = saved;
    }
  });

  it('connects over verified TLS with sslmode=verify-full and tls.ca, and the server sees an ssl session', async () => {
    const source = open('tls', { postgres: `postgres://postgres@127.0.0.1:${server.port}/postgres?sslmode=verify-full`, tls: { ca: certs.ca } });
    await tick(source);
    const check = await (async () => {
      const { default: pgLib } = await import('pg');
      const admin = new pgLib.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
      await admin.connect();
      const { rows } = await admin.query("SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'opsdeck' AND a.usename = 'postgres'");
      await admin.end();
      return rows;
    })();
    expect(check).toEqual([{ ssl: true }]);
    await expect(tick(open('tls-unknown-ca', { postgres: `postgres://postgres@127.0.0.1:${server.port}/postgres?sslmode=verify-full` }))).rejects.toThrow(/^TLS: /);
  });
});
