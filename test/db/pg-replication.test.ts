// PostgreSQL replication on a primary and a streaming standby of the test's own: the lag the pane
// shows on both sides, and its threshold level when replay falls behind.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, databaseLevels, type DatabaseSource, type PostgresSample } from '../../src/services/db/index.js';
import { eventually, sleep, startPostgresPrimary, startPostgresStandby, tick, type PrivatePostgres } from './harness.js';

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

  it('shows the standby on the primary, streaming and caught up', async () => {
    const sample = await eventually(async () => {
      const s = await tick<PostgresSample>(onPrimary);
      return s.replication.role === 'primary' && s.replication.replicas[0]?.state === 'streaming' ? s : undefined;
    });
    expect(sample.replication.role === 'primary' && sample.replication.replicas[0]).toMatchObject({ client: '127.0.0.1', state: 'streaming', syncState: 'async' });
    expect(sample.replicationLagSec).toBeDefined();
  });

  it('shows a standby receiving, with replay lag growing while replay is paused, at warn past 1 s', async () => {
    const caughtUp = await eventually(async () => {
      const s = await tick<PostgresSample>(onStandby);
      return s.replication.role === 'standby' && s.replication.receiving ? s : undefined;
    });
    expect(caughtUp.replicationLagSec).toBe(0);
    expect(databaseLevels(caughtUp, onStandby.thresholds).replicationLag).toBe('ok');

    const standbySession = await session(standby.port);
    const primarySession = await session(primary.port);
    // A replayed commit gives the standby a replay time to measure the delay from.
    await primarySession.query('CREATE TABLE IF NOT EXISTS lagging (v int)');
    await eventually(async () => ((await standbySession.query('SELECT pg_last_xact_replay_timestamp() AS t')).rows[0]?.t ? true : undefined));
    await standbySession.query('SELECT pg_wal_replay_pause()');
    try {
      await primarySession.query('INSERT INTO lagging SELECT generate_series(1, 1000)');
      const behind = await eventually(async () => {
        const s = await tick<PostgresSample>(onStandby);
        return s.replication.role === 'standby' && (s.replication.receiveLagBytes ?? 0) > 0 ? s : undefined;
      });
      await sleep(1500);
      const later = await tick<PostgresSample>(onStandby);
      expect(later.replicationLagSec).toBeGreaterThan(1);
      expect(later.replicationLagSec).toBeGreaterThan(behind.replicationLagSec ?? 0);
      expect(databaseLevels(later, onStandby.thresholds).replicationLag).toBe('warn');
      // The primary sees the same standby behind in replay.
      const onP = await tick<PostgresSample>(onPrimary);
      expect(onP.replication.role === 'primary' && onP.replication.replicas[0]?.lagBytes).toBeGreaterThan(0);
    } finally {
      await standbySession.query('SELECT pg_wal_replay_resume()');
    }
    const resumed = await eventually(async () => {
      const s = await tick<PostgresSample>(onStandby);
      return s.replicationLagSec === 0 ? s : undefined;
    });
    expect(databaseLevels(resumed, onStandby.thresholds).replicationLag).toBe('ok');
  });
});
