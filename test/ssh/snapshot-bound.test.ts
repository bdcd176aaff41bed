// Issue 15, fault 2 (and the snapshot side of fault 3), through the built CLI against real servers: a
// hung Redis (its own server, SIGSTOPped) and an ssh host whose port accepts TCP and never speaks SSH
// hold `snapshot` no longer than its deadline, the per-source timeout plus a second, and the report
// says why each one is missing, in every format.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sourceTimeoutMs } from '../../src/app/refresh.js';
import { pgUrl, startRedis, type PrivateRedis } from '../db/harness.js';
import { runCliAsync } from '../helpers/cli.js';
import { silentListener, type Listener } from '../harness/listeners.js';
import { ensureTestUser, Workspace } from '../harness/sshd.js';

const REFRESH_MS = 2000;
const TIMEOUT_MS = sourceTimeoutMs(REFRESH_MS);
/** Longer than the snapshot's deadline: the silent host is still waiting for its banner when the snapshot ends. */
const CONNECT_TIMEOUT = '10s';

let workspace: Workspace;
let silent: Listener;
let redis: PrivateRedis;
let config: string;

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  silent = await silentListener();
  redis = await startRedis();
  await workspace.writeSshConfig([{ alias: 'mute', port: silent.port, user: user.name }]);
  config = join(workspace.dir, 'opsdeck.yaml');
  await writeFile(
    config,
    [
      `refresh: ${REFRESH_MS}ms`,
      `ssh: {config: ${workspace.sshConfig}, connectTimeout: ${CONNECT_TIMEOUT}}`,
      'hosts:',
      '  local: {local: true, logs: []}',
      '  mute: {ssh: mute}',
      'databases:',
      `  cache: {redis: "redis://127.0.0.1:${redis.port}"}`,
      `  main: {postgres: "${pgUrl()}"}`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await redis?.stop();
  await silent?.close();
  await workspace?.cleanup();
});

async function run(args: string[]) {
  const started = performance.now();
  const result = await runCliAsync([...args, '--config', config], { SSH_AUTH_SOCK: '' }, 60_000);
  return { ...result, elapsedMs: performance.now() - started };
}

/**
 * What the run may take: the timeout plus the second the snapshot promises, plus, as slack for a busy
 * test machine, one start of the CLI with this config there (measured with `check`, which stops after
 * loading it). Before the deadline the hung Redis alone held the run for twice the timeout and more.
 */
async function allowedMs(): Promise<number> {
  const check = await run(['check']);
  expect(check.code).toBe(0);
  return TIMEOUT_MS + 1000 + check.elapsedMs;
}

describe('snapshot with a hung Redis and an ssh host that never speaks SSH', () => {
  test('json: ends within its timeout, naming the Redis that timed out and the host waiting for its banner; the healthy database still has its rate', async () => {
    redis.pause();
    try {
      const allowed = await allowedMs();
      const { code, stdout, stderr, elapsedMs } = await run(['snapshot', '--format', 'json']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(elapsedMs).toBeLessThan(allowed);
      const report = JSON.parse(stdout);

      // On a loaded machine the start-up can take the whole bound, and the read never starts: said as such.
      const noAnswer = /^(timed out after \d+ ms|not read: the snapshot's time was up before it could start)$/;
      expect(report.databases.cache).toMatchObject({ status: 'error', error: expect.stringMatching(noAnswer) });
      expect(report.sources['local:database:cache']).toMatchObject({ status: 'error', error: expect.stringMatching(noAnswer) });
      expect(report.hosts.mute).toMatchObject({
        status: 'pending',
        problem: `TCP connected to 127.0.0.1:${silent.port}, waiting for its SSH banner`,
        connection: { status: 'connecting', stage: expect.stringContaining('waiting for its SSH banner') },
      });
      // Every source that is not ok says why: the silent host's probes timed out, its log follower never started.
      const troubled = Object.values(report.sources as Record<string, { status: string; error: string | null }>).filter((s) => s.status !== 'ok');
      expect(troubled.length).toBeGreaterThanOrEqual(4);
      for (const source of troubled) expect(source.error).toEqual(expect.any(String));
      expect(report.sources['mute:logs:0'].error).toBe('not following yet when the snapshot ended');

      expect(report.databases.main).toMatchObject({ status: 'ok', sample: { kind: 'postgres', tps: expect.any(Number) } });
      expect(report.hosts.local.status).toBe('ok');
    } finally {
      redis.resume();
    }
  });

  test('text and markdown name the same reasons within the same bound', async () => {
    redis.pause();
    try {
      const allowed = await allowedMs();
      for (const format of ['text', 'markdown']) {
        const { code, stdout, elapsedMs } = await run(['snapshot', '--format', format]);
        expect(code).toBe(0);
        expect(elapsedMs).toBeLessThan(allowed);
        expect(stdout).toMatch(/(db cache|local:database:cache): error — (timed out after \d+ ms|not read: the snapshot's time was up)/);
        expect(stdout).toContain(`mute`);
        expect(stdout).toContain(`waiting for its SSH banner`);
      }
    } finally {
      redis.resume();
    }
  });

  test('with Redis answering again: both databases ok with their rates, within the same bound', async () => {
    const allowed = await allowedMs();
    const { code, stdout, elapsedMs } = await run(['snapshot', '--format', 'json']);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(allowed);
    const report = JSON.parse(stdout);
    expect(report.databases.cache).toMatchObject({ status: 'ok', error: null, sample: { kind: 'redis', opsPerSec: expect.any(Number) } });
    expect(report.databases.main).toMatchObject({ status: 'ok', sample: { kind: 'postgres', tps: expect.any(Number) } });
  });
});
