// MariaDB replication on a primary and a replica of the test's own: the replica's state and lag as
// SHOW REPLICA STATUS gives them, a stopped SQL thread, and the lag level.
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, databaseChecks, type DatabaseSource, type MysqlSample } from '../../src/services/db/index.js';
import { judgedLevels } from '../helpers/levels.js';
import { waitFor } from '../helpers/wait.js';
import { startMariadb, tick, type PrivateMariadb } from './harness.js';

describe('MariaDB replication (private primary and replica)', () => {
  let primary: PrivateMariadb;
  let replica: PrivateMariadb;
  let onReplica: DatabaseSource;
  let onPrimary: DatabaseSource;
  const sessions: mysql.Connection[] = [];

  async function session(port: number): Promise<mysql.Connection> {
    const { default: mysqlLib } = await import('mysql2/promise');
    const connection = await mysqlLib.createConnection({ host: '127.0.0.1', port, user: 'root' });
    sessions.push(connection);
    return connection;
  }

  beforeAll(async () => {
    // One after the other: two bootstraps at once have collided on this machine.
    primary = await startMariadb(1, ['--log-bin=binlog']);
    replica = await startMariadb(2);
    const onR = await session(replica.port);
    // Three seconds of delay give the replica a lag the test can see.
    await onR.query(`CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primary.port}, MASTER_USER = 'root', MASTER_USE_GTID = no, MASTER_DELAY = 3`);
    await onR.query('START SLAVE');
    onReplica = createDatabaseSource('replica', { mysql: `mysql://root@127.0.0.1:${replica.port}`, thresholds: { replicationLag: { warn: '1s', crit: '1m' } } });
    onPrimary = createDatabaseSource('primary', { mysql: `mysql://root@127.0.0.1:${primary.port}` });
  }, 120_000);

  afterAll(async () => {
    for (const s of sessions) await s.end().catch(() => undefined);
    await onReplica?.close();
    await onPrimary?.close();
    await replica?.stop();
    await primary?.stop();
  });

  it('shows the replica running with its source, and no replica on the primary', async () => {
    const sample = await waitFor('both replica threads running', async () => {
      const s = await tick<MysqlSample>(onReplica);
      return s.replica?.ioRunning === 'Yes' && s.replica.sqlRunning === 'Yes' ? s : undefined;
    }, 20_000);
    expect(sample.replica).toMatchObject({ source: `127.0.0.1:${primary.port}`, lastError: '' });
    expect((await tick<MysqlSample>(onPrimary)).replica).toBeUndefined();
  });

  it('shows the lag growing behind a delayed replica, at warn past 1 s, back to 0 once applied', async () => {
    const onP = await session(primary.port);
    await onP.query('CREATE DATABASE IF NOT EXISTS lagging');
    await onP.query('CREATE TABLE lagging.t (v int)');
    // Every figure read while the event waits out its 3 s delay: the lag climbs, second by second.
    const lags: number[] = [];
    const behind = await waitFor('the replica 2 s behind', async () => {
      const s = await tick<MysqlSample>(onReplica);
      if (s.replicationLagSec !== undefined) lags.push(s.replicationLagSec);
      return (s.replicationLagSec ?? 0) >= 2 ? s : undefined;
    }, 10_000, 200);
    expect(behind.replica?.secondsBehind).toBe(behind.replicationLagSec);
    expect(judgedLevels(behind, onReplica.thresholds).replicationLag).toBe('warn');
    // Seen behind by less before (1 s), and never going back down meanwhile.
    const climbing = lags.filter((lag) => lag > 0);
    expect(climbing.filter((lag) => lag < behind.replicationLagSec!).length).toBeGreaterThan(0);
    expect(climbing.every((lag, i) => i === 0 || lag >= climbing[i - 1]!)).toBe(true);
    const applied = await waitFor('the replica caught up', async () => {
      const s = await tick<MysqlSample>(onReplica);
      return s.replicationLagSec === 0 ? s : undefined;
    }, 15_000, 200);
    expect(judgedLevels(applied, onReplica.thresholds).replicationLag).toBe('ok');
  });

  it('shows a stopped SQL thread with no lag figure', async () => {
    const onR = await session(replica.port);
    await onR.query('STOP SLAVE SQL_THREAD');
    try {
      const stopped = await waitFor('the replica\'s SQL thread stopped', async () => {
        const s = await tick<MysqlSample>(onReplica);
        return s.replica?.sqlRunning === 'No' ? s : undefined;
      });
      expect(stopped.replica).toMatchObject({ ioRunning: 'Yes', sqlRunning: 'No', secondsBehind: null });
      expect(stopped.replicationLagSec).toBeUndefined();
      // A replica that does not replicate is crit, whatever its last lag was.
      expect(judgedLevels(stopped, onReplica.thresholds).replicationLag).toBe('crit');
      expect(databaseChecks(stopped, onReplica.thresholds).find((c) => c.metric === 'replicationLag')?.text).toBe('replica stopped (io Yes, sql No)');
    } finally {
      await onR.query('START SLAVE SQL_THREAD');
    }
  });
});
