import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, locateConfig, parseConfigText } from '../../src/app/config/load.js';

const FILE = '/etc/opsdeck/config.yaml';

/** Parses `text` expecting a ConfigError, and returns it. */
function configError(text: string): ConfigError {
  try {
    parseConfigText(text, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

function where(error: ConfigError): string {
  return `${error.line}:${error.column} ${error.keyPath}`;
}

describe('parseConfigText: YAML syntax errors', () => {
  it('an unclosed flow sequence is reported where the parser finds it unterminated, naming the missing ]', () => {
    const text = [
      'hosts:', //                                 1
      '  web-1:', //                               2
      '    ssh: deploy@10.0.0.5', //               3
      '    services: [nginx, garden-backend', //   4  (no "]")
      '    group: web', //                         5
    ].join('\n');
    const error = configError(text);
    expect(error.file).toBe(FILE);
    expect([error.line, error.column]).toEqual([5, 5]);
    expect(error.keyPath).toBe('');
    expect(error.message).toMatch(/invalid YAML/);
    expect(error.message).toContain(']');
    expect(error.message.startsWith(`${FILE}:5:5: `)).toBe(true);
  });

  it('an unclosed flow mapping names the missing }', () => {
    const text = ['refresh: 2s', 'thresholds: {cpu: {warn: 70, crit: 85}', 'hosts:', '  local: {local: true}'].join('\n');
    const error = configError(text);
    expect([error.line, error.column]).toEqual([3, 1]);
    expect(error.message).toContain('}');
  });

  it('tab indentation is reported at the tab', () => {
    const text = ['hosts:', '  web-1:', '\tssh: deploy@10.0.0.5'].join('\n');
    const error = configError(text);
    expect([error.line, error.column]).toEqual([3, 1]);
    expect(error.message).toMatch(/tab/i);
  });

  it('a key written twice is an error, not a silent override', () => {
    const error = configError(['refresh: 2s', 'hold: 2', 'refresh: 5s'].join('\n'));
    expect(error.line).toBe(3);
  });
});

describe('parseConfigText: wrong types', () => {
  it('refresh: [1] points at the list and says a duration was expected', () => {
    const error = configError('refresh: [1]\n');
    expect(where(error)).toBe('1:10 refresh');
    expect(error.problem).toMatch(/duration/);
  });

  it('thresholds.cpu.warn: "high" points at the value and says a number was expected', () => {
    const text = ['refresh: 2s', 'thresholds:', '  cpu:', '    warn: "high"', '    crit: 90'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('4:11 thresholds.cpu.warn');
    expect(error.problem).toMatch(/expected number/);
    expect(error.problem).toContain('"high"');
  });

  it('a refresh that is not a duration is refused', () => {
    const error = configError('refresh: soon\n');
    expect(where(error)).toBe('1:10 refresh');
    expect(error.problem).toMatch(/duration/);
  });

  it('a percentage above 100 is refused', () => {
    const error = configError(['thresholds:', '  memory: {warn: 80, crit: 120}'].join('\n'));
    expect(error.keyPath).toBe('thresholds.memory.crit');
    expect(error.line).toBe(2);
  });
});

describe('parseConfigText: misspelt keys', () => {
  it('at the top level, with the nearest known key suggested', () => {
    const error = configError(['hold: 2', 'refersh: 2s'].join('\n'));
    expect(where(error)).toBe('2:1 refersh');
    expect(error.problem).toContain('did you mean "refresh"');
  });

  it('inside a host, with "services" suggested for "servces"', () => {
    const text = ['hosts:', '  web-1:', '    ssh: deploy@10.0.0.5', '    servces: [nginx]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('4:5 hosts.web-1.servces');
    expect(error.problem).toContain('did you mean "services"');
  });

  it('does not suggest a key that is nothing like the typo', () => {
    const error = configError('zzzzzzzz: 1\n');
    expect(error.problem).not.toContain('did you mean');
    expect(error.problem).toContain('refresh');
  });
});

describe('parseConfigText: rules across keys', () => {
  it('a host with both local: true and ssh: points at the host', () => {
    const text = ['hosts:', '  web-1:', '    local: true', '    ssh: deploy@10.0.0.5'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('3:5 hosts.web-1');
    expect(error.problem).toMatch(/either local: true or ssh:/);
  });

  it('a host with neither local nor ssh is refused too', () => {
    const error = configError(['hosts:', '  web-1:', '    group: web'].join('\n'));
    expect(error.keyPath).toBe('hosts.web-1');
  });

  it('warn above crit points at the pair', () => {
    const text = ['thresholds:', '  disk:', '    warn: 95', '    crit: 90'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('3:5 thresholds.disk');
    expect(error.problem).toMatch(/warn must not be above crit/);
  });

  it('a backup without keep or maxAge is refused at the backup entry: retention needs a rule', () => {
    const error = configError(['databases:', '  main:', '    postgres: postgres://app@db-1/app', '    backup: {dir: /var/backups/app}'].join('\n'));
    expect(where(error)).toBe('4:13 databases.main.backup');
    expect(error.problem).toMatch(/backup needs keep: N .* and\/or maxAge: DAYS/);
    expect(configError(['databases:', '  main:', '    postgres: postgres://app@db-1/app', '    backup: {dir: /b, keep: 0}'].join('\n')).keyPath).toBe('databases.main.backup.keep');
    expect(configError(['databases:', '  main:', '    postgres: postgres://app@db-1/app', '    thresholds: {backupAge: {warn: 50h, crit: 26h}}'].join('\n')).problem).toMatch(/warn must not be longer than crit/);
    const apps = configError(['hosts:', '  web-1: {local: true}', 'databases:', '  main:', '    postgres: postgres://app@db-1/app', '    backup: {dir: /b, keep: 3, apps: [web-1]}'].join('\n'));
    expect(apps.keyPath).toBe('databases.main.backup.apps[0]');
    expect(apps.problem).toBe('host "web-1" has no maintenance: flag file to set while a restore replaces main');
  });

  it('an invalid unit name in services points at that list item', () => {
    const text = ['hosts:', '  web-1:', '    ssh: deploy@10.0.0.5', '    services:', '      - nginx', '      - "x; rm -rf /"'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('6:9 hosts.web-1.services[1]');
    expect(error.problem).toMatch(/unit name/);
  });
});

describe('parseConfigText: host names and ssh: targets', () => {
  it('an ssh: target with nothing after "@" is refused at its value, naming the host', () => {
    const error = configError(['hosts:', '  web-1:', '    ssh: "deploy@"'].join('\n'));
    expect(where(error)).toBe('3:10 hosts.web-1.ssh');
    expect(error.message).toBe(`${FILE}:3:10: hosts.web-1.ssh: "deploy@": no host name after "@"`);
  });

  it('host:PORT with a port that is not a number is refused, saying so', () => {
    const error = configError(['hosts:', '  web-1: {ssh: "host:notaport"}'].join('\n'));
    expect(where(error)).toBe('2:16 hosts.web-1.ssh');
    expect(error.problem).toBe('"host:notaport": port "notaport" is not a number');
  });

  it('every bad target is reported with what is wrong with it', () => {
    const problems = configError(
      ['hosts:', '  a: {ssh: "@web-1"}', '  b: {ssh: "web-1:"}', '  c: {ssh: "web-1:99999"}', '  d: {ssh: "-oProxyCommand=x"}', '  e: {ssh: "a:b:c"}', '  f: {ssh: ""}'].join('\n'),
    ).problems.map((p) => `${p.keyPath}: ${p.problem}`);
    expect(problems).toEqual([
      'hosts.a.ssh: "@web-1": no user name before "@"',
      'hosts.b.ssh: "web-1:": no port after ":"',
      'hosts.c.ssh: "web-1:99999": port 99999 is out of range (1-65535)',
      'hosts.d.ssh: "-oProxyCommand=x": not a host name, address or ssh config alias',
      'hosts.e.ssh: "a:b:c": not a host name, address or ssh config alias',
      'hosts.f.ssh: "": no host name',
    ]);
  });

  it('user@host, host, host:port, IPv6 (bracketed with a port, or bare) and ssh config aliases load', () => {
    const targets = ['deploy@web1.example.com', 'web1.example.com', '10.0.0.5:2222', '[2001:db8::1]:22', 'deploy@[::1]:2222', '::1', 'fe80::1%eth0', 'garden-web'];
    const config = parseConfigText(['hosts:', ...targets.map((t, i) => `  h${i}: {ssh: "${t}"}`)].join('\n'), FILE);
    expect(config.hosts.map((h) => h.ssh)).toEqual(targets);
  });

  it('a host name with a space is reported at the name, with the rule for names (a database\'s too)', () => {
    const error = configError(['hosts:', '  web 1: {local: true}'].join('\n'));
    expect(where(error)).toBe('2:3 hosts.web 1');
    expect(error.problem).toBe('names use letters, digits, ".", "_" and "-", and start with a letter or digit');
    const database = configError(['databases:', '  _main: {redis: "redis://127.0.0.1:6379"}'].join('\n'));
    expect(where(database)).toBe('2:3 databases._main');
    expect(database.problem).toBe(error.problem);
  });
});

describe('parseConfigText: checks:', () => {
  const HOSTS = 'hosts: {web-1: {ssh: deploy@10.0.0.5}}\nchecks:\n';

  it('http, tls and tcp checks with latency, certificate days, from: and host:', () => {
    const config = parseConfigText(
      `${HOSTS}  health: {http: "http://127.0.0.1:5000/health", expect: healthy, latency: {warn: 500ms, crit: 1s}, from: web-1}\n  cert: {tls: "shop.example:443", warnDays: 21, critDays: 5, host: web-1}\n  redis: {tcp: "[::1]:6379", timeout: 2s}\n`,
      FILE,
    );
    expect(config.checks).toEqual([
      expect.objectContaining({ name: 'health', kind: 'http', latency: { warn: 500, crit: 1000 }, from: 'web-1', host: 'web-1' }),
      expect.objectContaining({ name: 'cert', kind: 'tls', target: 'shop.example:443', days: { warn: 21, crit: 5 }, from: undefined, host: 'web-1' }),
      expect.objectContaining({ name: 'redis', kind: 'tcp', target: '[::1]:6379', timeoutMs: 2000 }),
    ]);
  });

  it('each mistake is placed: two kinds, none, a bad host:port, expect on tls, days on plain http, an unknown from:', () => {
    const cases: [string, string, RegExp][] = [
      ['  a: {http: "http://x/", tcp: "x:1"}', '3:31 checks.a.tcp', /one of http:, tls: or tcp:, not http and tcp/],
      ['  a: {expect: ok}', '3:6 checks.a', /needs one of http: URL, tls: HOST:PORT or tcp: HOST:PORT/],
      ['  a: {tls: "shop.example"}', '3:12 checks.a.tls', /expected HOST:PORT/],
      ['  a: {tls: "x:443", expect: ok}', '3:29 checks.a.expect', /expect: is for http: checks/],
      ['  a: {http: "http://x/", warnDays: 9}', '3:36 checks.a.warnDays', /warnDays: is for tls: and https:\/\/ checks/],
      ['  a: {tcp: "x:1", from: db-9}', '3:25 checks.a.from', /no host "db-9"/],
      ['  a: {tcp: "x:1", latency: {warn: 2s, crit: 1s}}', '3:28 checks.a.latency', /warn must not be above crit/],
    ];
    for (const [line, at, message] of cases) {
      const error = configError(`${HOSTS}${line}\n`);
      expect(`${where(error)} ${error.problem}`).toMatch(new RegExp(`^${at.replaceAll('.', '\\.')} `));
      expect(error.problem).toMatch(message);
    }
  });
});

describe('parseConfigText: keys:', () => {
  it('an unknown context is reported at the context key, with a suggestion', () => {
    const text = ['keys:', '  lgos:', '    follow: [f]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('2:3 keys.lgos');
    expect(error.problem).toContain('did you mean "logs"');
  });

  it('an unknown action is reported at the action key, with a suggestion', () => {
    const text = ['keys:', '  logs:', '    folow: [f]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('3:5 keys.logs.folow');
    expect(error.problem).toContain('did you mean "follow"');
  });

  it('an unknown key name is reported at that list item', () => {
    const text = ['keys:', '  logs:', '    follow: [F1]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('3:14 keys.logs.follow[0]');
    expect(error.problem).toContain('"F1" is not a key name');
  });

  it('one key bound to two actions in the same context: reported at the second binding', () => {
    const text = ['keys:', '  logs:', '    follow: [f]', '    wrap: [f]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('4:11 keys.logs.wrap');
    expect(error.problem).toMatch(/"f" is bound to both logs.follow and logs.wrap/);
  });

  it('a pane binding that hides a global one is a conflict at the pane binding', () => {
    const text = ['keys:', '  logs:', '    follow: [q]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('3:13 keys.logs.follow');
    expect(error.problem).toMatch(/global.quit/);
  });

  it('taking a key a default binding already uses is reported at the line the user wrote', () => {
    // "e" is next-error by default; the user's line is line 4.
    const text = ['keys:', '  logs:', '    wrap: [r]', '    follow: [e]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('4:13 keys.logs.follow');
    expect(error.problem).toMatch(/"e" is bound to both/);
  });

  it('a global binding that a pane default hides is reported at the global binding the user wrote', () => {
    // "j" is list.down by default, so global zoom on "j" would never fire in a list.
    const text = ['keys:', '  global:', '    help: ["?"]', '    zoom: [j]'].join('\n');
    const error = configError(text);
    expect(where(error)).toBe('4:11 keys.global.zoom');
    expect(error.problem).toMatch(/"j" is bound to both global.zoom and list.down/);
  });
});

describe('parseConfigText: a valid full config (Garden DX, issue 2)', () => {
  const text = `
refresh: 5s
hold: 3
thresholds: {cpu: {warn: 60, crit: 80}, memory: {warn: 85, crit: 95}}
hosts:
  local: {local: true, services: [cron], logs: [{file: /var/log/syslog}]}
  web-1:
    ssh: deploy@10.0.0.5:22        # or an alias from ~/.ssh/config
    group: web
    color: red
    services: [garden-backend, garden-frontend, nginx]
    logs: [{journal: garden-backend}, {file: /var/log/nginx/error.log}]
    maintenance: /opt/garden-dx/maintenance.flag
    thresholds: {cpu: {warn: 75, crit: 95}}
databases:
  main: {postgres: "postgres://monitor@db-1:5432/garden_dx", via: web-1, backup: {dir: /opt/garden-dx/backups, keep: 7}}
  cache: {redis: "redis://127.0.0.1:6379"}
checks:
  api: {http: "http://127.0.0.1:8000/health", expect: healthy}
actions:
  flush-cache: {key: F, hosts: [web-1], run: "redis-cli FLUSHDB", confirm: typed}
`;
  const config = parseConfigText(text, FILE);
  const host = (name: string) => {
    const found = config.hosts.find((h) => h.name === name);
    if (!found) throw new Error(`no host ${name}`);
    return found;
  };

  it('resolves the settings', () => {
    expect(config.file).toBe(FILE);
    expect(config.refreshMs).toBe(5000);
    expect(config.holdTicks).toBe(3);
    expect(config.hosts.map((h) => h.name)).toEqual(['local', 'web-1']);
  });

  it('resolves the hosts, their units and log sources', () => {
    expect(host('local')).toMatchObject({ local: true, services: ['cron'], logs: [{ kind: 'file', path: '/var/log/syslog' }] });
    expect(host('web-1')).toMatchObject({
      local: false,
      ssh: 'deploy@10.0.0.5:22',
      group: 'web',
      color: 'red',
      services: ['garden-backend', 'garden-frontend', 'nginx'],
      maintenance: '/opt/garden-dx/maintenance.flag',
    });
    expect(host('web-1').logs).toEqual([
      expect.objectContaining({ kind: 'journal', unit: 'garden-backend' }),
      expect.objectContaining({ kind: 'file', path: '/var/log/nginx/error.log' }),
    ]);
  });

  it('merges thresholds: per-host beats global beats the defaults (70/85, 80/90, 80/90, load 1/2 per core)', () => {
    expect(host('web-1').thresholds).toEqual({ cpu: { warn: 75, crit: 95 }, memory: { warn: 85, crit: 95 }, disk: { warn: 80, crit: 90 }, load: { warn: 1, crit: 2 } });
    expect(host('local').thresholds).toEqual({ cpu: { warn: 60, crit: 80 }, memory: { warn: 85, crit: 95 }, disk: { warn: 80, crit: 90 }, load: { warn: 1, crit: 2 } });
  });

  it('keeps databases, checks and actions', () => {
    expect(Object.keys(config.databases ?? {})).toEqual(['main', 'cache']);
    expect(config.databases?.main).toMatchObject({ postgres: 'postgres://monitor@db-1:5432/garden_dx', via: 'web-1' });
    // The first checks: form ({http, expect, timeout, host}) reads as it did, defaults filled in.
    expect(config.checks).toEqual([{ name: 'api', kind: 'http', target: 'http://127.0.0.1:8000/health', expect: 'healthy', latency: undefined, days: { warn: 30, crit: 7 }, ca: undefined, timeoutMs: 5000, from: undefined, host: undefined }]);
    expect(config.actions).toEqual([{ name: 'flush-cache', key: 'F', hosts: ['web-1'], run: 'redis-cli FLUSHDB', confirm: 'typed', timeoutMs: 60_000 }]);
  });

  it('with no thresholds anywhere, every host gets the runbook defaults', () => {
    const plain = parseConfigText('hosts:\n  local: {local: true}\n', FILE);
    expect(plain.hosts[0]!.thresholds).toEqual({ cpu: { warn: 70, crit: 85 }, memory: { warn: 80, crit: 90 }, disk: { warn: 80, crit: 90 }, load: { warn: 1, crit: 2 } });
  });

  it('takes load thresholds per core, above 100 too, and says where one is wrong', () => {
    const busy = parseConfigText('thresholds: {load: {warn: 4, crit: 150}}\nhosts:\n  local: {local: true}\n', FILE);
    expect(busy.hosts[0]!.thresholds.load).toEqual({ warn: 4, crit: 150 });
    expect(() => parseConfigText('thresholds: {load: {warn: 3, crit: 2}}\nhosts:\n  local: {local: true}\n', FILE)).toThrow(/1:\d+: thresholds\.load: warn must not be above crit/);
    expect(() => parseConfigText('hosts:\n  local: {local: true, thresholds: {load: {warn: 0, crit: 2}}}\n', FILE)).toThrow(/2:\d+: hosts\.local\.thresholds\.load\.warn/);
  });

  it('an empty file is the default config: the local machine', () => {
    const empty = parseConfigText('', FILE);
    expect(empty.hosts.map((h) => [h.name, h.local])).toEqual([['local', true]]);
    expect(empty.refreshMs).toBe(2000);
  });
});

describe('locateConfig', () => {
  let dir: string;
  let xdgFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-locate-'));
    xdgFile = join(dir, 'xdg', 'opsdeck', 'config.yaml');
    mkdirSync(join(dir, 'xdg', 'opsdeck'), { recursive: true });
    writeFileSync(xdgFile, 'refresh: 2s\n');
    mkdirSync(join(dir, 'home', '.config', 'opsdeck'), { recursive: true });
    writeFileSync(join(dir, 'home', '.config', 'opsdeck', 'config.yaml'), 'refresh: 2s\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--config beats $OPSDECK_CONFIG and XDG', () => {
    expect(locateConfig('/srv/flag.yaml', { OPSDECK_CONFIG: '/srv/env.yaml', XDG_CONFIG_HOME: join(dir, 'xdg') })).toEqual({ file: '/srv/flag.yaml', origin: 'flag' });
  });

  it('$OPSDECK_CONFIG beats XDG', () => {
    expect(locateConfig(undefined, { OPSDECK_CONFIG: '/srv/env.yaml', XDG_CONFIG_HOME: join(dir, 'xdg') })).toEqual({ file: '/srv/env.yaml', origin: 'env' });
  });

  it('$XDG_CONFIG_HOME/opsdeck/config.yaml when it exists', () => {
    expect(locateConfig(undefined, { XDG_CONFIG_HOME: join(dir, 'xdg') })).toEqual({ file: xdgFile, origin: 'xdg' });
  });

  it('~/.config/opsdeck/config.yaml when XDG_CONFIG_HOME is not set', () => {
    expect(locateConfig(undefined, { HOME: join(dir, 'home') })).toEqual({ file: join(dir, 'home', '.config', 'opsdeck', 'config.yaml'), origin: 'xdg' });
  });

  it('the built-in default when no file is there', () => {
    expect(locateConfig(undefined, { XDG_CONFIG_HOME: join(dir, 'nothing-here'), HOME: join(dir, 'nothing-here') })).toEqual({ file: null, origin: 'default' });
  });
});

describe('loadConfig', () => {
  it('a --config file that does not exist is a ConfigError naming the file', () => {
    const missing = join(tmpdir(), 'opsdeck-no-such-dir', 'config.yaml');
    expect(() => loadConfig({ file: missing, origin: 'flag' })).toThrow(ConfigError);
    expect(() => loadConfig({ file: missing, origin: 'flag' })).toThrow(`${missing}: file not found`);
  });

  it('no file means the default config', () => {
    const config = loadConfig({ file: null, origin: 'default' });
    expect(config.file).toBeNull();
    expect(config.hosts.map((h) => h.name)).toEqual(['local']);
  });
});

/** loadConfig on a file holding `content`, expecting a ConfigError, which it returns. */
function fileError(dir: string, name: string, content: string | Buffer): ConfigError {
  const file = join(dir, name);
  writeFileSync(file, content);
  try {
    loadConfig({ file, origin: 'flag' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError, ${name} was accepted`);
}

// Issue 15, fault 5: hostile or broken files are config errors with a position, never a crash.
// (A FIFO and an unreadable file are tested through the CLI: a hang there must not hang the runner.)
describe('loadConfig: files that are not a usable config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsdeck-hostile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an alias bomb is refused at its first alias, quickly', () => {
    const levels = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`);
    const started = performance.now();
    const error = fileError(dir, 'bomb.yaml', ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...levels, 'hosts: *a9', ''].join('\n'));
    expect(performance.now() - started).toBeLessThan(2000);
    expect([error.line, error.column]).toEqual([2, 10]);
    expect(error.problem).toMatch(/aliases expand to more than 100 nodes \(an alias bomb\?\)/);
  });

  it('a few aliases, as a real config uses them, still work', () => {
    const file = join(dir, 'aliases.yaml');
    writeFileSync(file, 'hosts:\n  web-1: {ssh: web-1, thresholds: &t {disk: {warn: 85, crit: 95}}}\n  web-2: {ssh: web-2, thresholds: *t}\n');
    expect(loadConfig({ file, origin: 'flag' }).hosts.map((h) => h.thresholds.disk)).toEqual([{ warn: 85, crit: 95 }, { warn: 85, crit: 95 }]);
  });

  it('nesting: 20,000 flow brackets and 40 block mappings are refused where they pass 32 levels', () => {
    const flow = fileError(dir, 'flow.yaml', `hosts: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(flow.problem).toBe('nested more than 32 levels deep');
    // The root mapping is the first level and each bracket opens one more: the 32nd bracket is the 33rd.
    expect([flow.line, flow.column]).toEqual([1, 'hosts: '.length + 32]);
    const block = fileError(dir, 'block.yaml', `hosts:\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`);
    expect(block.problem).toBe('nested more than 32 levels deep');
    expect([block.line, block.column]).toEqual([33, 65]);
  });

  it('a large scalar loads; a file over 1 MiB is refused by its size, naming the file', () => {
    const file = join(dir, 'large-scalar.yaml');
    writeFileSync(file, `hosts:\n  web-1: {ssh: web-1, group: "${'g'.repeat(900_000)}"}\n`);
    expect(loadConfig({ file, origin: 'flag' }).hosts[0]!.group).toHaveLength(900_000);
    const huge = fileError(dir, 'huge.yaml', `refresh: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    expect(huge.message).toBe(`${join(dir, 'huge.yaml')}: is larger than 1 MiB, too large for a config`);
    expect(huge.line).toBeUndefined();
  });

  it('a value in an error message is cut, not echoed whole', () => {
    const error = fileError(dir, 'long-value.yaml', `hold: "${'h'.repeat(100_000)}"\n`);
    expect(error.message.length).toBeLessThan(1000);
  });

  it('invalid UTF-8 is refused at its line and column, after a U+FFFD the file really has', () => {
    const bytes = Buffer.concat([Buffer.from('hosts:\n  web-1: {ssh: web-1, group: "\uFFFD'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    const error = fileError(dir, 'latin1.yaml', bytes);
    expect([error.line, error.column]).toEqual([2, 32]);
    expect(error.problem).toMatch(/not UTF-8: byte 0xc3 at offset \d+/);
  });

  it('a UTF-8 BOM and CRLF line ends, as some editors save, are fine', () => {
    const file = join(dir, 'windows.yaml');
    writeFileSync(file, '\uFEFFhosts:\r\n  box: {local: true}\r\n');
    expect(loadConfig({ file, origin: 'flag' }).hosts.map((h) => h.name)).toEqual(['box']);
  });

  it('a directory, a device and a read error are refused naming the file, with no position', () => {
    expect(() => loadConfig({ file: dir, origin: 'flag' })).toThrow(`${dir}: is a directory, not a regular file`);
    expect(() => loadConfig({ file: '/dev/zero', origin: 'flag' })).toThrow('/dev/zero: is a device, not a regular file');
    // /proc/self/mem opens as a regular file and fails on read, as a file on a failing disk does.
    expect(() => loadConfig({ file: '/proc/self/mem', origin: 'flag' })).toThrow('/proc/self/mem: cannot read: EIO');
  });

  it('escape sequences in a key never reach the terminal through the message', () => {
    const error = fileError(dir, 'escape.yaml', 'hosts:\n  web-1: {ssh: web-1, "\u001b]0;owned\u0007\u001b[2J": 1}\n');
    expect(error.message).toContain('unknown key');
    expect(error.message).not.toMatch(/\u001b|\u0007/);
  });
});
