// The command line as scripts and operators use it: check, snapshot, config errors, exit codes.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, LAUNCHER, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'opsdeck-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('opsdeck check', () => {
  it('with no config describes the built-in default: the local machine', () => {
    const { code, stdout } = runCli(['check']);
    expect(code).toBe(0);
    expect(stdout).toContain('built-in default');
    expect(stdout).toContain('host local: local');
    expect(stdout).toContain('cpu 70/85%, memory 80/90%, disk 80/90%');
  });

  it('says which of this machine\'s log files does not exist, so a typo in a path is seen before the pane stays quiet', () => {
    const present = join(dir, 'present.log');
    writeFileSync(present, 'x\n');
    const path = configFile('logs.yaml', `hosts:\n  local: {local: true, logs: [{file: ${present}, label: here}, {file: ${join(dir, 'typo.lgo')}, label: app}]}\n`);
    const { code, stdout } = runCli(['check', '--config', path]);
    expect(code).toBe(0);
    expect(stdout).toContain(`    app: ${join(dir, 'typo.lgo')} does not exist (yet): followed once it appears`);
    expect(stdout).not.toContain('here: ');
  });

  it('finds the config through $OPSDECK_CONFIG', () => {
    const path = configFile('env.yaml', 'hosts:\n  box: {local: true, group: ops}\n');
    const { code, stdout } = runCli(['check'], { OPSDECK_CONFIG: path });
    expect(code).toBe(0);
    expect(stdout).toContain(`config: ${path}`);
    expect(stdout).toContain('host box: local, group ops');
  });

  it('rejects bad YAML with file:line:column and nothing on stdout', () => {
    const path = configFile('bad.yaml', 'refresh: 2s\nhosts:\n  web-1: {ssh: deploy@10.0.0.5\n');
    const { code, stdout, stderr } = runCli(['check', '--config', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`${path}:\\d+:\\d+: invalid YAML`));
  });

  it('rejects a wrong type naming the key path and position', () => {
    const path = configFile('type.yaml', 'thresholds:\n  cpu: {warn: high, crit: 85}\n');
    const { code, stderr } = runCli(['check', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}:2:15: thresholds.cpu.warn: expected number, got string "high"`);
  });

  it('rejects a value a key does not take, naming the one it does (local: true) or the ones it does', () => {
    const local = configFile('local.yaml', 'hosts:\n  local: {local: yes-please}\n');
    expect(runCli(['check', '--config', local]).stderr).toContain(`${local}:2:18: hosts.local.local: expected true, got string "yes-please"`);
    const theme = configFile('theme.yaml', 'theme: neon\n');
    expect(runCli(['check', '--config', theme]).stderr).toContain(`${theme}:1:8: theme: expected one of "dark", "light", "mono", got string "neon"`);
  });

  it('rejects a misspelt key and suggests the right one', () => {
    const path = configFile('typo.yaml', 'hosts:\n  web-1:\n    ssh: deploy@10.0.0.5\n    servces: [nginx]\n');
    const { code, stdout, stderr } = runCli(['snapshot', '--config', path]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${path}:4:5: hosts.web-1.servces: unknown key "servces"; did you mean "services"?`);
  });

  it('rejects ssh: targets that cannot work and a host name with a space, each at its line, before anything connects', () => {
    const path = configFile('targets.yaml', 'hosts:\n  web-1: {ssh: "deploy@"}\n  web-2:\n    ssh: "host:notaport"\n  web 3: {local: true}\n');
    for (const args of [['check'], ['snapshot', '--format', 'json']]) {
      const { code, stdout, stderr } = runCli([...args, '--config', path]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        [
          'opsdeck: 3 config errors',
          `  ${path}:2:16: hosts.web-1.ssh: "deploy@": no host name after "@"`,
          `  ${path}:4:10: hosts.web-2.ssh: "host:notaport": port "notaport" is not a number`,
          `  ${path}:5:3: hosts.web 3: names use letters, digits, ".", "_" and "-", and start with a letter or digit`,
          '',
        ].join('\n'),
      );
    }
  });

  it('reports a missing config file given with --config', () => {
    const { code, stderr } = runCli(['check', '--config', join(dir, 'nope.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('nope.yaml: file not found');
  });
});

describe('opsdeck snapshot', () => {
  it('prints JSON with the local host\'s cpu, memory, disks, load and every source\'s state', () => {
    const { code, stdout } = runCli(['snapshot', '--format', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    const local = report.hosts.local;
    expect(local.resources.cpu.totalPercent).toBeGreaterThanOrEqual(0);
    expect(local.resources.cpu.perCorePercent.length).toBeGreaterThan(0);
    expect(local.resources.memory.totalBytes).toBeGreaterThan(0);
    expect(local.resources.disks.some((d: { mount: string }) => d.mount === '/')).toBe(true);
    expect(local.resources.load).toHaveLength(3);
    expect(Object.keys(report.sources)).toEqual(expect.arrayContaining(['local:resources', 'local:processes', 'local:services']));
    for (const source of Object.values(report.sources) as { status: string; since: string }[]) {
      expect(['ok', 'stale', 'error']).toContain(source.status);
      expect(Date.parse(source.since)).not.toBeNaN();
    }
  });

  it('prints plain text by default: each host with its figures and log errors, the databases this machine runs with theirs, what failed', () => {
    const log = join(dir, 'text.log');
    writeFileSync(log, 'INFO started\nERROR payment gateway timeout\n');
    // No databases: in the config, so those answering on this machine are found and read; refresh 5s
    // gives every read 10 s, which a loaded machine may need.
    const path = configFile('text.yaml', `refresh: 5s\nhosts:\n  local:\n    local: true\n    logs: [{file: ${log}, label: app}]\n`);
    const { code, stdout } = runCli(['snapshot', '--config', path]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^local \(local\): (ok|stale|error)( — .+)?( \[(warn|crit)\])?$/);
    expect(lines[1]).toMatch(/^ {2}cpu \d+% {2}mem \d+% {2}load \d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}disk \/ \d+% of \d+\.\d GiB$/));
    expect(lines).toContain('  error in app: ERROR payment gateway timeout');
    const database = (kind: string, figures: RegExp) => {
      const at = lines.findIndex((l) => l.startsWith(`database ${kind} (${kind}, `));
      expect(lines[at], kind).toMatch(/\): ok( \[(warn|crit)\])?$/);
      expect(lines[at + 1], kind).toMatch(figures);
    };
    database('postgres', /^ {2}\d+\/\d+ connections, \d+\.\d TPS, cache hit ([\d.]+%|– \(too few reads\)|[\d.]+% \(too few reads\))/);
    database('mysql', /^ {2}\d+\/\d+ threads \(\d+ running\), \d+\.\d QPS/);
    database('redis', /^ {2}\d+ ops\/s, \d+ clients \(\d+ blocked\), memory [\d.]+ MiB/);
    // What did not answer is named (here no systemd runs), each with why.
    for (const line of lines.filter((l) => l.startsWith('source '))) expect(line).toMatch(/^source \S+: (stale|error) — ./);
  });

  it('prints a Markdown report for an incident channel', () => {
    const { code, stdout } = runCli(['snapshot', '--format', 'markdown']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# opsdeck snapshot — \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(stdout).toMatch(/\| local \| (ok|\*\*)/);
    expect(stdout).toContain('| mount | used | size |');
  });

  it('includes recent log lines of a configured log file', () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, 'INFO started\nERROR database connection lost\n');
    const path = configFile('logs.yaml', `hosts:\n  local:\n    local: true\n    logs: [{file: ${log}}]\n`);
    const { code, stdout } = runCli(['snapshot', '--format', 'json', '--config', path]);
    expect(code).toBe(0);
    const recent = JSON.parse(stdout).hosts.local.logs[0].recent;
    expect(recent).toContainEqual({ level: 'error', text: 'ERROR database connection lost', count: 1 });
  });

  it('into a reader that stops early (| head, a jq that gave up): ends quietly, exit 0, no stack trace', () => {
    const path = configFile('pipe.yaml', 'hosts: {local: {local: true}}\ndatabases: {}\n');
    // The shell's reader closes its input at once, as head does once it has its lines.
    const err = join(dir, 'pipe.err');
    const status = join(dir, 'pipe.status');
    spawnSync('sh', ['-c', '{ "$0" "$1" snapshot --format json --config "$2" 2>"$3"; echo $? >"$4"; } | true', process.execPath, CLI, path, err, status], { env: { ...process.env, OPSDECK_CONFIG: '', XDG_CONFIG_HOME: '/nonexistent' } });
    expect(readFileSync(status, 'utf8')).toBe('0\n');
    expect(readFileSync(err, 'utf8')).toBe('');
  });

  it('refuses an unknown format', () => {
    const { code, stderr } = runCli(['snapshot', '--format', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Allowed choices are text, json, markdown/);
  });
});

describe('opsdeck run', () => {
  it('an action with no hosts: says which key to set, or to give --hosts, exit 2, nothing run', () => {
    const path = configFile('hostless.yaml', 'hosts:\n  local: {local: true, logs: []}\nactions:\n  slow-echo: {key: X, run: "echo hi"}\n');
    const { code, stdout, stderr } = runCli(['run', 'slow-echo', '--yes', '--config', path]);
    expect(stderr.trim()).toBe('opsdeck: action slow-echo has no hosts in the config (actions.slow-echo.hosts): give them with --hosts NAMES');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('the launcher (bin/opsdeck)', () => {
  it('in a clone not built yet (npm ci, then opsdeck) says how to build, exit 2, not a Node stack trace', () => {
    const clone = join(dir, 'unbuilt');
    mkdirSync(join(clone, 'bin'), { recursive: true });
    copyFileSync(LAUNCHER, join(clone, 'bin/opsdeck'));
    const result = spawnSync('sh', [join(clone, 'bin/opsdeck'), 'check'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`opsdeck: not built yet: run npm run build in ${clone} (npm start builds, then starts)\n`);
  });
});

describe('opsdeck (cockpit)', () => {
  it('refuses to start without a terminal and points to snapshot', () => {
    const { code, stderr } = runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('opsdeck snapshot --format json');
  });

  it('rejects a refresh that is not a duration', () => {
    const { code, stderr } = runCli(['--refresh', 'often']);
    expect(code).toBe(2);
    expect(stderr).toContain('expected a duration');
  });

  it('documents its commands and flags in --help', () => {
    const { code, stdout } = runCli(['--help']);
    expect(code).toBe(0);
    for (const word of ['check', 'snapshot', '--config', '--read-only', '--refresh']) expect(stdout).toContain(word);
  });
});

describe('docs/config.md', () => {
  it('its full example is a valid config', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const { code, stdout, stderr } = runCli(['check', '--config', configFile('docs-example.yaml', example)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('host web-1: ssh deploy@10.0.0.5:22, group web');
    expect(stdout).toContain('disk 85/95%');
  });
});
