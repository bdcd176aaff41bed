// `opsdeck check` shows where each database entry leads once the clients' own settings (PGHOST,
// PGSERVICE, MYSQL_TCP_PORT...) filled what it left out, and names a setting that cannot be used.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-cli-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, 'config.yaml');
writeFileSync(config, 'hosts: {}\ndatabases:\n  main: {postgres: "postgres://"}\n  report: {postgres: "postgres://?service=reports"}\n  shop: {mysql: db2}\n');
writeFileSync(join(dir, 'services.conf'), '[reports]\nhost=db-reports\nport=5440\ndbname=reports\nuser=reader\n');

describe('database entries and the clients\' own settings', () => {
  it('check prints where each entry leads with PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICEFILE and MYSQL_TCP_PORT set', () => {
    const env = { PGHOST: 'db9', PGPORT: '6543', PGDATABASE: 'orders', PGUSER: 'monitor', PGSERVICEFILE: join(dir, 'services.conf'), MYSQL_TCP_PORT: '3307' };
    const { code, stdout, stderr } = runCli(['check', '--config', config], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('database main: postgres://monitor@db9:6543/orders');
    expect(stdout).toContain('database report: postgres://reader@db-reports:5440/reports');
    expect(stdout).toContain('database shop: mysql://db2:3307');
  });

  it('a setting that cannot be used is a config error at the entry, naming the variable', () => {
    const { code, stderr } = runCli(['check', '--config', config], { PGPORT: 'five', PGSERVICEFILE: join(dir, 'services.conf') });
    expect(code).toBe(2);
    expect(stderr).toContain(`${config}:3:9: databases.main: PGPORT="five" is not a port (1-65535)`);
  });
});
