// Every problem of a config in one report, and `opsdeck schema`: the JSON Schema editors use,
// checked with a real JSON Schema validator against the example of docs/config.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-cli-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const THREE_MISTAKES = [
  'refresh: soon', //                          1: not a duration
  'hold: 2',
  'hosts:',
  '  web-1:',
  '    ssh: deploy@10.0.0.5',
  '    servces: [nginx.service]', //            6: a typo
  'thresholds:',
  '  disk: {warn: 85, crit: 120}', //           8: out of range
  '',
].join('\n');

/** The full example of docs/config.md, as a user would copy it. */
function docsExample(): string {
  const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## A full example'));
  return /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
}

function schema(): object {
  const { code, stdout, stderr } = runCli(['schema']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as object;
}

describe('a config with several mistakes', () => {
  it('reports all three, each at file:line:column with its key path, in file order, and exits 2', () => {
    const path = configFile('three.yaml', THREE_MISTAKES);
    const { code, stdout, stderr } = runCli(['check', '--config', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('opsdeck: 3 config errors');
    expect(lines.slice(1).map((l) => /^ {2}(\S+?:\d+:\d+): (\S+):/.exec(l)?.slice(1, 3))).toEqual([
      [`${path}:1:10`, 'refresh'],
      [`${path}:6:5`, 'hosts.web-1.servces'],
      [`${path}:8:26`, 'thresholds.disk.crit'],
    ]);
    expect(lines[2]).toContain('did you mean "services"');
  });

  it('reports every mistyped key of one mapping, not the first only', () => {
    const path = configFile('keys.yaml', 'refersh: 2s\nhodl: 2\n');
    const { code, stderr } = runCli(['check', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}:1:1: refersh: unknown key "refersh"; did you mean "refresh"?`);
    expect(stderr).toContain(`${path}:2:1: hodl: unknown key "hodl"; did you mean "hold"?`);
  });
});

describe('opsdeck schema', () => {
  // ajv 6 (draft-07) is in node_modules through ESLint, not a dependency of its own.
  const ajv = new Ajv({ allErrors: true });

  it('is a draft-07 JSON Schema that validates the full example of docs/config.md, whose first line is the modeline', () => {
    const validate = ajv.compile(schema());
    const example = docsExample();
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=config.schema.json');
    expect(validate(parse(example)), JSON.stringify(validate.errors)).toBe(true);
    // And opsdeck agrees with it.
    expect(runCli(['check', '--config', configFile('example.yaml', example)]).code).toBe(0);
  });

  it('refuses what the loader refuses for keys, types and ranges, at the same places', () => {
    const validate = ajv.compile(schema());
    expect(validate(parse(THREE_MISTAKES))).toBe(false);
    const problems = (validate.errors ?? []).map((e) => `${e.dataPath} ${e.keyword}`);
    expect(problems).toContain(".hosts['web-1'] additionalProperties");
    expect(problems).toContain('.thresholds.disk.crit maximum');
    expect(validate(parse('hosts:\n  web-1: {ssh: deploy@10.0.0.5, color: purple}\n'))).toBe(false);
    expect(validate(parse('databases:\n  main: {postgres: "postgres://db", port: 70000}\n'))).toBe(false);
  });
});
