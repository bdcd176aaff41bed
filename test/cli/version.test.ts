// `opsdeck --version` and `opsdeck version`: what a user pastes into a bug report.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const installed = (name: string): string => (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
const own = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('opsdeck --version', () => {
  it.each([['--version'], ['-V']])('%s prints the version from package.json and exits 0', (flag) => {
    const { code, stdout, stderr } = runCli([flag]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${own}\n`);
    expect(stderr).toBe('');
  });
});

describe('opsdeck version', () => {
  const { code, stdout } = runCli(['version']);
  const lines = stdout.trim().split('\n');

  it('exits 0 and starts with opsdeck and its version', () => {
    expect(code).toBe(0);
    expect(lines[0]).toBe(`opsdeck ${own}`);
  });

  it('names the Node runtime it runs on and the platform', () => {
    expect(lines).toContain(`node ${process.versions.node} (v8 ${process.versions.v8})`);
    expect(lines.find((l) => l.startsWith('platform '))).toMatch(new RegExp(`^platform ${process.platform} ${process.arch} \\S+`));
  });

  it.each(['ink', 'react', 'ssh2', 'pg', 'mysql2', 'ioredis'])('gives the installed %s version', (name) => {
    expect(lines).toContain(`${name} ${installed(name)}`);
  });
});
