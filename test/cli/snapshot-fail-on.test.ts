// `snapshot --fail-on` as a cron job or a CI gate uses it: exit 1 exactly when something is at or
// past the level (down > crit > warn), against the machine's real disk, Redis and a closed port.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../harness/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-fail-on-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// refresh: 5s gives every read the longest timeout (10 s): a busy test machine is not a down host.
function config(name: string, body: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `refresh: 5s\n${body}`);
  return path;
}

function snapshot(path: string, ...args: string[]) {
  const result = runCli(['snapshot', '--format', 'json', '--config', path, ...args], {}, 60_000);
  return { ...result, report: JSON.parse(result.stdout) as { schema: number; summary: { worst: string; findings: { level: string; subject: string; reason: string }[] } } };
}

let closed: number;
beforeAll(async () => {
  closed = await freePort();
});

describe('snapshot --fail-on', () => {
  it('exits 0 at every level when all is well, and says so in summary.worst', () => {
    const path = config('healthy', 'hosts: {}\ndatabases:\n  cache: {redis: "redis://127.0.0.1:6379"}\n');
    for (const level of ['warn', 'crit', 'down']) {
      const { code, stderr, report } = snapshot(path, '--fail-on', level);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(report.schema).toBe(1);
      expect(report.summary).toEqual({ worst: 'ok', findings: [] });
    }
  });

  it('a database at warn fails --fail-on warn only', () => {
    // Connections against max_connections: any count is at or past 0 %, and the server is nowhere near 100 %.
    // The shared server's other sessions judge nothing else: their queries and reads are not this test's.
    const path = config('warn', 'hosts: {}\ndatabases:\n  main: {postgres: "postgres://postgres@127.0.0.1:5432/test", thresholds: {connections: {warn: 0, crit: 100}, queryDuration: {warn: 1h, crit: 2h}, minReads: 1000000000}}\n');
    const warn = snapshot(path, '--fail-on', 'warn');
    expect(warn.code).toBe(1);
    expect(warn.stderr).toMatch(/^opsdeck: snapshot --fail-on warn: 1 at or past warn\n {2}warn: database main connections: warn: connections [\d.]+% \(warn 0\.0%\)\n$/);
    expect(warn.report.summary.worst).toBe('warn');
    expect(snapshot(path, '--fail-on', 'crit').code).toBe(0);
    expect(snapshot(path, '--fail-on', 'down').code).toBe(0);
  });

  it('a disk past its crit threshold fails --fail-on crit and warn, not down', () => {
    const path = config('crit', 'hosts:\n  local: {local: true, services: [], logs: []}\nthresholds:\n  disk: {warn: 1, crit: 1}\ndatabases: {}\n');
    const crit = snapshot(path, '--fail-on', 'crit');
    expect(crit.code).toBe(1);
    expect(crit.stderr).toMatch(/ {2}crit: host local disk \/: crit \d+% \(crit at 1%\)/);
    expect(crit.report.summary.findings).toContainEqual(expect.objectContaining({ level: 'crit', subject: 'host local disk /' }));
    expect(snapshot(path, '--fail-on', 'warn').code).toBe(1);
    const down = snapshot(path, '--fail-on', 'down');
    expect(down.report.summary.findings.filter((f) => f.level === 'down')).toEqual([]);
    expect(down.code).toBe(0);
  });

  it('an unreachable host and a database that does not answer are down: they fail every level', () => {
    const path = config('down', `hosts:\n  gone: {ssh: "nobody@127.0.0.1:${closed}"}\ndatabases:\n  lost: {redis: "redis://127.0.0.1:${closed}"}\n`);
    for (const level of ['down', 'crit', 'warn']) {
      const { code, stderr, report } = snapshot(path, '--fail-on', level);
      expect(code).toBe(1);
      expect(stderr).toContain(`opsdeck: snapshot --fail-on ${level}: 2 at or past ${level}`);
      expect(report.summary.worst).toBe('down');
      expect(report.summary.findings.map((f) => [f.level, f.subject])).toEqual([
        ['down', 'host gone'],
        ['down', 'database lost'],
      ]);
    }
    // Without --fail-on the report is the answer: exit 0 as before.
    expect(snapshot(path).code).toBe(0);
  });

  it('refuses a level it does not know, as a usage error', () => {
    const { code, stdout, stderr } = runCli(['snapshot', '--fail-on', 'bad']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/argument 'bad' is invalid. Allowed choices are warn, crit, down/);
  });
});
