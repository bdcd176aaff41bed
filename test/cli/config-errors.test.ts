// Issue 15, fault 5: no config, however broken or hostile, gets a stack trace or exit 1 from the CLI:
// `opsdeck: config error`, the file (and line:column when there is one), exit 2, nothing on stdout.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Exit 2, the config error naming `where`, no stack trace, and nothing a script would read as output. */
function expectConfigError(result: { code: number | null; stdout: string; stderr: string }, where: string): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.startsWith(`opsdeck: config error\n  ${where}`), result.stderr).toBe(true);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trim().split('\n')).toHaveLength(2);
  expect(result.code).toBe(2);
}

function aliasBomb(): string {
  const levels = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`);
  return configFile('bomb.yaml', ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...levels, 'hosts: *a9', ''].join('\n'));
}

describe('a YAML alias bomb', () => {
  const bomb = aliasBomb();

  it.each([
    ['check', ['check', '--config', bomb]],
    ['snapshot', ['snapshot', '--format', 'json', '--config', bomb]],
    ['the cockpit', ['--config', bomb]],
  ])('%s: exit 2 with the position of the first alias', (_, args) => {
    expectConfigError(runCli(args), `${bomb}:2:10: YAML aliases expand to more than 100 nodes (an alias bomb?)`);
  });
});

describe('config paths that are not a config file', () => {
  it('a FIFO given with --config is refused at once, not read forever', () => {
    const fifo = join(dir, 'fifo.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectConfigError(runCli(['check', '--config', fifo], {}, 10_000), `${fifo}: is a FIFO (named pipe), not a regular file`);
  });

  it('a FIFO found at $XDG_CONFIG_HOME/opsdeck/config.yaml is refused too (finding it does not read it)', () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'opsdeck'), { recursive: true });
    expect(spawnSync('mkfifo', [join(xdg, 'opsdeck', 'config.yaml')]).status).toBe(0);
    expectConfigError(runCli(['snapshot'], { XDG_CONFIG_HOME: xdg }, 10_000), `${join(xdg, 'opsdeck', 'config.yaml')}: is a FIFO`);
  });

  it('a directory', () => {
    expectConfigError(runCli(['check', '--config', dir]), `${dir}: is a directory, not a regular file`);
  });

  it('a file opsdeck may not read (run as nobody: root reads anything)', () => {
    const secret = configFile('secret.yaml', 'hosts:\n  box: {local: true}\n');
    chmodSync(secret, 0o600);
    const result = spawnSync(process.execPath, [CLI, 'check', '--config', secret], { encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534, env: { ...process.env, OPSDECK_CONFIG: '', XDG_CONFIG_HOME: '/nonexistent' } });
    expectConfigError({ code: result.status, stdout: result.stdout, stderr: result.stderr }, `${secret}: permission denied`);
  });

  it('invalid UTF-8, at its line and column', () => {
    const path = join(dir, 'latin1.yaml');
    writeFileSync(path, Buffer.concat([Buffer.from('hosts:\n  caf'), Buffer.from([0xe9]), Buffer.from(': {local: true}\n')]));
    expectConfigError(runCli(['check', '--config', path]), `${path}:2:6: not UTF-8: byte 0xe9`);
  });
});

describe('a backup that could never run', () => {
  it('a MySQL backup with no database named is refused by check, at the backup key, not when `opsdeck backup` runs', () => {
    const path = configFile('nodb.yaml', 'hosts:\n  local: {local: true}\ndatabases:\n  b: {mysql: "127.0.0.1", user: root, backup: {dir: /tmp/opsdeck-never, keep: 1}}\n');
    expectConfigError(runCli(['check', '--config', path]), `${path}:4:47: databases.b.backup: a backup needs the database to dump named: database: NAME, or the URL's path (mysql://host/NAME)`);
    const named = configFile('named.yaml', 'hosts:\n  local: {local: true}\ndatabases:\n  b: {mysql: "127.0.0.1", user: root, database: test, backup: {dir: /tmp/opsdeck-never, keep: 1}}\n');
    expect(runCli(['check', '--config', named]).code).toBe(0);
  });
});
