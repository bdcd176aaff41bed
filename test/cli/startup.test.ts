// What a command loads before it answers: on-call runs `opsdeck snapshot` in scripts and `--help` in a
// hurry, and every library loaded is start-up time (docs/PERFORMANCE.md, "start-up"). The built CLI
// runs with a module hook that lists every package it loaded; the list is what a user waits for.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { pgUrl } from '../db/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOOK = join(dir, 'packages-loaded.mjs');
writeFileSync(
  HOOK,
  `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const loaded = new Set();
registerHooks({ load(url, context, next) { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(url); if (m) loaded.add(m[1]); return next(url, context); } });
process.on('exit', () => writeFileSync(process.env.PACKAGES_LOADED, [...loaded].sort().join('\\n')));
`,
);

// systeminformation is left out: it is the local host's collector where /proc is missing.
const CLIENTS_AND_SCREEN = ['ink', 'ioredis', 'mysql2', 'node-ssh', 'pg', 'react', 'ssh2'];
const CONFIG_PARSERS = ['yaml', 'zod'];

/** Runs the built CLI and returns its exit status and the npm packages it loaded. */
function packagesLoaded(args: string[]): { code: number | null; packages: string[] } {
  const list = join(dir, 'loaded.txt');
  writeFileSync(list, '');
  const result = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, OPSDECK_CONFIG: '', XDG_CONFIG_HOME: '/nonexistent', XDG_STATE_HOME: dir, PACKAGES_LOADED: list },
  });
  return { code: result.status, packages: readFileSync(list, 'utf8').split('\n').filter(Boolean) };
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('what a command loads', () => {
  it.each(['--version', '--help', 'backup --help', 'restart --help'])('`opsdeck %s` reads package.json and prints, loading commander alone', (line) => {
    const { code, packages } = packagesLoaded(line.split(' '));
    expect(code).toBe(0);
    expect(packages).toEqual(['commander', 'ms']);
  });

  it('a local-only snapshot reads its config and loads no database client, no SSH and no screen', () => {
    const config = configFile('local.yaml', 'hosts:\n  local: {local: true}\ndatabases: {}\n');
    const { code, packages } = packagesLoaded(['snapshot', '--format', 'json', '--config', config]);
    expect(code).toBe(0);
    expect(packages).toEqual(expect.arrayContaining(CONFIG_PARSERS));
    expect(packages.filter((p) => CLIENTS_AND_SCREEN.includes(p))).toEqual([]);
  });

  it('a snapshot of a PostgreSQL database loads pg and no other client library', () => {
    const config = configFile('pg.yaml', `hosts:\n  local: {local: true}\ndatabases:\n  main: {postgres: "${pgUrl()}"}\n`);
    const { code, packages } = packagesLoaded(['snapshot', '--format', 'json', '--config', config]);
    expect(code).toBe(0);
    expect(packages.filter((p) => CLIENTS_AND_SCREEN.includes(p))).toEqual(['pg']);
  });
});
