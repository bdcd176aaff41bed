// `opsdeck snapshot` on a known fleet: every source kind's sections, in json, markdown and text.
import { describe, expect, it } from 'vitest';
import { snapshotJson, snapshotMarkdown, snapshotText } from '../../src/app/snapshot.js';
import { findingsAtOrPast, snapshotFindings, worstSeverity } from '../../src/app/snapshot-verdict.js';
import type { DataState } from '../../src/app/store.js';
import type { SourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { checkView } from '../../src/app/sources/check/index.js';
import { applySourceError } from '../../src/app/apply.js';
import { deliver, fleetConfig, fleetWithDatabase, NOW, withPendingSource } from '../helpers/fixtures.js';

const DAY = 86_400_000;
const shop: SourceId<'check'> = { host: '', kind: 'check', name: 'shop' };

/** The fleet and its database, plus checks: one on web-1's row that answers, one failing, a certificate near its end. */
function report(): DataState {
  let data = fleetWithDatabase();
  const api: SourceId<'check'> = { host: 'web-1', kind: 'check', name: 'api' };
  const cert: SourceId<'check'> = { host: 'web-1', kind: 'check', name: 'cert' };
  const days = { warn: 30, crit: 7 };
  data = {
    ...data,
    checks: {
      api: checkView({ name: 'api', kind: 'http', target: 'http://10.0.0.5/health', host: 'web-1', days, timeoutMs: 5000 }),
      shop: checkView({ name: 'shop', kind: 'http', target: 'https://shop.example/health', days, timeoutMs: 5000 }),
      cert: checkView({ name: 'cert', kind: 'tls', target: '10.0.0.5:443', from: 'web-1', host: 'web-1', days, timeoutMs: 5000 }),
    },
  };
  data = withPendingSource(withPendingSource(withPendingSource(data, api, 'check api'), shop, 'check shop'), cert, 'check cert');
  const tracker = new ThresholdTracker(1);
  data = deliver(data, api, { at: NOW, status: 200, latencyMs: 12.4 }, tracker);
  data = deliver(data, cert, { at: NOW, latencyMs: 30, certificate: { notAfter: NOW + 20 * DAY + 3600_000, subject: 'garden.example', issuer: 'R11' } }, tracker);
  return deliver(data, shop, { at: NOW, failure: 'connection refused' }, tracker);
}

describe('snapshot', () => {
  it('json: each host with its levels, resources, units and logs; checks and databases; every source by key', () => {
    // The json is read as a script would, without its type.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json = snapshotJson(report(), fleetConfig()) as Record<string, any>;
    expect(json.hosts['web-1']).toMatchObject({
      status: 'ok',
      level: 'warn',
      levels: { cpu: 'warn', memory: 'ok', disk: 'ok', disks: { '/': 'ok' }, cores: ['warn', 'warn'] },
      thresholds: { cpu: { warn: 70, crit: 85 } },
      resources: { cpu: { totalPercent: 76 } },
      services: [expect.objectContaining({ name: 'garden-backend.service', active: 'failed' }), expect.objectContaining({ name: 'nginx.service' })],
      maintenance: null,
      processes: null,
    });
    expect(json.hosts['db-1']).toMatchObject({ level: 'crit', levels: { disk: 'crit', disks: { '/': 'crit' } } });
    // A host that cannot be read is down, not "ok" for want of readings, as summary.worst says.
    expect(json.hosts.edge).toMatchObject({ status: 'error', problem: 'connection refused', resources: null, level: 'down' });
    expect(json.hosts.local.logs).toEqual([{ label: '/var/log/app.log', recent: expect.arrayContaining([{ level: 'error', text: 'ERROR upstream timed out', count: 1 }]) }]);
    expect(json.checks).toEqual({
      api: { kind: 'http', target: 'http://10.0.0.5/health', url: 'http://10.0.0.5/health', from: null, host: 'web-1', state: 'ok', reason: null, status: 'ok', httpStatus: 200, latencyMs: 12, daysLeft: null, notAfter: null, error: null },
      shop: { kind: 'http', target: 'https://shop.example/health', url: 'https://shop.example/health', from: null, host: null, state: 'failing', reason: 'connection refused', status: 'ok', httpStatus: null, latencyMs: null, daysLeft: null, notAfter: null, error: 'connection refused' },
      cert: {
        kind: 'tls', target: '10.0.0.5:443', url: null, from: 'web-1', host: 'web-1', state: 'warn', reason: 'certificate expires in 20 days (warn 30 days)', status: 'ok', httpStatus: null, latencyMs: 30, daysLeft: 20, notAfter: new Date(NOW + 20 * DAY + 3600_000).toISOString(), error: null,
      },
    });
    // A check's state is on its host's row: web-1 has a certificate at warn.
    expect(json.hosts['web-1'].level).toBe('warn');
    // Query 4242 has run 42 s: over the 5 s warn of the longest query.
    expect(json.databases.main).toMatchObject({ kind: 'postgres', status: 'ok', level: 'warn', levels: { overall: 'warn', connections: 'ok', queryDuration: 'warn', cacheHit: 'ok' }, sample: { tps: 12.5 } });
    expect(json.sources['web-1:resources']).toMatchObject({ host: 'web-1', kind: 'resources', name: '', status: 'ok' });
    expect(json.sources['local:database:main']).toMatchObject({ host: 'local', kind: 'database', name: 'main', label: 'db main', status: 'ok' });
    expect(json.sources[':check:shop']).toMatchObject({ host: '', kind: 'check', name: 'shop', status: 'ok' });
  });

  it('markdown: an error with a pipe in it stays in its cell, so the table keeps its columns', () => {
    const markdown = snapshotMarkdown(deliver(report(), shop, { at: NOW + 1, failure: 'bad gateway | upstream reset' }, new ThresholdTracker(1), NOW + 1), fleetConfig());
    const row = markdown.split('\n').find((l) => l.startsWith('| shop |'));
    expect(row).toBe('| shop | **failing**: bad gateway \\| upstream reset | http https://shop.example/health |');
  });

  it('markdown: the host table, a section per host, then databases, checks and the sources not ok', () => {
    const markdown = snapshotMarkdown(report(), fleetConfig());
    expect(markdown).toContain('| web-1 | ok | **warn** | 76% | 40% | 30% | 0.50 | 1 failed unit(s) |');
    const web = markdown.slice(markdown.indexOf('## web-1'), markdown.indexOf('## db-1'));
    expect(web).toContain('- CPU 76.0% on 2 cores');
    // A machine without swap says so, not "swap 0.0 GiB of 0.0 GiB".
    expect(web).toMatch(/- Memory 40\.0% \(3\.2 GiB of 8\.0 GiB\), no swap\n/);
    expect(web).toContain('| / | 30% | 100.0 GiB |');
    expect(web).toContain('| garden-backend.service | **failed** | failed | 3 |');
    expect(markdown).toContain('Recent error lines:');
    expect(markdown).toContain('/var/log/app.log: GET /api/plans 502');
    expect(markdown.indexOf('## Databases')).toBeLessThan(markdown.indexOf('## Checks'));
    expect(markdown).toContain('| main (postgres, postgres://monitor@db-1:5432/garden_dx) | **warn** | 12/100 connections, 12.5 TPS');
    expect(markdown).toContain('| api | ok, HTTP 200 in 12 ms | http http://10.0.0.5/health |');
    expect(markdown).toContain('| shop | **failing**: connection refused | http https://shop.example/health |');
    expect(markdown).toContain('| cert | **warn**: certificate expires in 20 days (warn 30 days) | tls 10.0.0.5:443 from web-1 |');
    expect(markdown).toContain('- edge resources: error — connection refused');
    expect(markdown).toMatch(/^\| edge \| \*\*error\*\*: connection refused \| \*\*down\*\* \|/m);
    expect(markdown).toContain('_config: /etc/opsdeck/config.yaml_');
  });

  it('text: a line per host with its figures, disks and units, then the sources not ok', () => {
    const text = snapshotText(report());
    expect(text).toContain('web-1 (deploy@10.0.0.5): ok [warn]\n  cpu 76%  mem 40%  load 0.50 0.40 0.30\n  disk / 30% of 100.0 GiB\n  unit garden-backend.service failed/failed\n  unit nginx.service active/running\n');
    expect(text).toContain('edge (deploy@10.0.0.7): error — connection refused');
    expect(text).toContain('check shop (http https://shop.example/health): failing: connection refused');
    expect(text).toContain('check api (http http://10.0.0.5/health): ok, HTTP 200 in 12 ms');
    expect(text).toContain('source edge:resources: error — connection refused');
  });
});

describe('snapshot findings (--fail-on and summary)', () => {
  it('judges each thing once: a host down, thresholds at their level, a failed unit crit, a failing check down', () => {
    const findings = snapshotFindings(report());
    const at = (level: string) => findings.filter((f) => f.level === level).map((f) => f.subject);
    expect(at('down')).toEqual(['host edge', 'check shop']);
    expect(at('crit')).toEqual(expect.arrayContaining(['host web-1 unit garden-backend.service', 'host db-1 disk /']));
    expect(at('warn')).toEqual(expect.arrayContaining(['host web-1 cpu', 'check cert']));
    expect(findings.find((f) => f.subject === 'check cert')?.reason).toBe('certificate expires in 20 days (warn 30 days)');
    expect(findings.find((f) => f.subject === 'host web-1 cpu')?.reason).toBe('warn 76% (warn at 70%)');
    expect(worstSeverity(findings)).toBe('down');
    expect(findingsAtOrPast(findings, 'down').map((f) => f.subject)).toEqual(['host edge', 'check shop']);
    expect(findingsAtOrPast(findings, 'crit').length).toBeGreaterThan(2);
    // The JSON carries the same verdict for scripts.
    expect(snapshotJson(report(), fleetConfig())).toMatchObject({ schema: 1, summary: { worst: 'down', findings } });
  });

  it('a host without systemd is not a finding; one whose named units cannot be read is a warning', () => {
    const services: SourceId<'services'> = { host: 'db-1', kind: 'services', name: '' };
    const pending = withPendingSource(report(), services, 'services');
    const lacking = applySourceError(pending, services, 'systemctl on db-1: System has not been booted with systemd as init system (PID 1).', NOW, undefined, 'no systemd');
    expect(snapshotFindings(lacking).filter((f) => f.subject.startsWith('host db-1 services'))).toEqual([]);
    const failing = applySourceError(pending, services, 'sudo -n refused on db-1: a password is required', NOW);
    expect(snapshotFindings(failing).filter((f) => f.subject.startsWith('host db-1 services'))).toEqual([{ level: 'warn', subject: 'host db-1 services', reason: 'sudo -n refused on db-1: a password is required' }]);
  });
});
