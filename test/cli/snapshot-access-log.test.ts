// `snapshot` reads a log's measures from the backlog its follower reads at start: the last minute of
// an nginx log and of an auth log, in json (figures, levels, findings for --fail-on) and markdown;
// and `check` saying what each log measures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { timeLocal } from '../helpers/access-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-snapshot-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let config: string;

beforeAll(() => {
  // 40 requests in the last 20 s, 4 answered 503 (10 %); 25 refused logins from one address.
  const now = Date.now();
  const requests = Array.from({ length: 40 }, (_, i) => `10.0.0.${i % 2} - - [${timeLocal(now - 20_000 + i * 500)}] "GET /api/orders?id=${i} HTTP/1.1" ${i % 10 === 9 ? 503 : 200} 12 "-" "curl/7.88.1"\n`);
  writeFileSync(join(dir, 'access.log'), requests.join(''));
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
  writeFileSync(join(dir, 'auth.log'), Array.from({ length: 25 }, (_, i) => `${iso(now - 30_000 + i * 1000)} web sshd[${900 + i}]: Failed password for invalid user admin from 203.0.113.9 port ${40000 + i} ssh2\n`).join(''));
  config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'refresh: 5s',
      'databases: {}',
      'hosts:',
      '  local:',
      '    local: true',
      '    services: []',
      '    logs:',
      `      - {file: ${join(dir, 'access.log')}, label: nginx, format: nginx, minRequests: 10}`,
      `      - {file: ${join(dir, 'auth.log')}, label: auth}`,
      'rules:',
      "  ssh-bruteforce: {log: auth, match: 'Failed password for (?:invalid user )?\\S+ from (?<key>\\S+)', threshold: 20}",
    ].join('\n'),
  );
});

describe('snapshot with measured logs', () => {
  it('json: the access figures and the rule\'s alert, at crit, and --fail-on crit names both', () => {
    const { code, stdout, stderr } = runCli(['snapshot', '--format', 'json', '--config', config, '--fail-on', 'crit'], {}, 60_000);
    const report = JSON.parse(stdout) as {
      hosts: { local: { level: string; logs: { label: string; access?: Record<string, unknown> & { lastMinute: object; window: object }; rules?: { name: string; alerts: object[] }[] }[] } };
      summary: { findings: { level: string; subject: string; reason: string }[] };
    };
    const [nginx, auth] = report.hosts.local.logs;
    expect(nginx!.access).toMatchObject({ format: 'nginx', level: 'crit', lastMinute: { requests: 40, clientErrors: 0, serverErrors: 4, unparsed: 0 }, window: { seconds: 300, requests: 40, serverErrors: 4, errorRatePercent: 10, judged: true } });
    expect(auth!.rules).toEqual([expect.objectContaining({ name: 'ssh-bruteforce', alerts: [{ key: '203.0.113.9', count: 25, level: 'crit' }] })]);
    expect(report.summary.findings).toEqual(
      expect.arrayContaining([
        { level: 'crit', subject: 'host local log nginx', reason: '5xx 10% of 40 in 5m (crit at 5%)' },
        { level: 'crit', subject: 'host local rule ssh-bruteforce 203.0.113.9', reason: '25 matches in 5m on auth (threshold 20)' },
      ]),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('crit: host local rule ssh-bruteforce 203.0.113.9: 25 matches in 5m on auth (threshold 20)');
  });

  it('check: says what each log measures', () => {
    const { code, stdout } = runCli(['check', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toContain('    nginx: nginx access log, 5xx warn 1% / crit 5% over 5m (judged from 10 requests)\n    auth: rule ssh-bruteforce, crit at 20 matches of one key in 5m\n');
  });

  it('markdown: the measures under the host', () => {
    const { stdout } = runCli(['snapshot', '--format', 'markdown', '--config', config], {}, 60_000);
    expect(stdout).toContain('Logs measured:');
    expect(stdout).toMatch(/- \*\*crit\*\* nginx: [\d.]+ req\/s · 4xx 0\/min · 5xx 4\/min · 5xx 10% of 40 in 5m/);
    expect(stdout).toContain('- **crit** auth: ssh-bruteforce (≥20 in 5m): 203.0.113.9 ×25');
  });
});
