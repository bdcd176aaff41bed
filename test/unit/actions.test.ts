// Operator commands (issue 8): the template's placeholders read at load, the values quoted one word
// each, the config errors with their position, the keys bound beside the defaults and the keys: override,
// and the parameters built from a name and a host list as well as from the screen's selection.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fillTemplate, parseTemplate, type ActionTemplate } from '../../src/app/action-template.js';
import { ConfigError, parseConfigText } from '../../src/app/config/load.js';
import { resolveIntent } from '../../src/app/dispatch.js';
import { actionFromSelection, actionHosts, buildAction, type ActionSpec } from '../../src/app/operations/action.js';
import { createOpsStore } from '../../src/app/store.js';
import { fleetData } from '../helpers/fixtures.js';

const FILE = '/etc/opsdeck/config.yaml';

function configError(text: string): ConfigError {
  try {
    parseConfigText(text, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

const where = (error: ConfigError) => `${error.line}:${error.column} ${error.keyPath}`;

function parsed(text: string): ActionTemplate {
  const result = parseTemplate(text);
  if ('error' in result) throw new Error(result.error);
  return result.template;
}

function filled(text: string, values: Record<string, string>): string {
  const result = fillTemplate(parsed(text), values);
  if (!('command' in result)) throw new Error(JSON.stringify(result));
  return result.command;
}

/** What dash actually passes as arguments when it runs the command: the proof that a value is one word. */
function argvUnderDash(command: string): string[] {
  const out = execFileSync('dash', ['-c', `set -- ${command}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('action templates', () => {
  it('lists the placeholders it uses, once each, and keeps the shell text as written', () => {
    const template = parsed('journalctl -u {unit} -n 50 && echo {host}:{unit} ${HOME} $((1+2)) {{print}');
    expect(template.placeholders).toEqual(['unit', 'host']);
    expect(filled('journalctl -u {unit} -n 50 && echo {host}:{unit} ${HOME} {{print}', { unit: 'nginx.service', host: 'web-1' })).toBe(
      "journalctl -u 'nginx.service' -n 50 && echo 'web-1':'nginx.service' ${HOME} {print}",
    );
  });

  it.each([
    ['$(touch CANARY)'],
    ['; touch CANARY'],
    ["it's"],
    ["'"],
    ['a\nb; touch CANARY'],
    ['`touch CANARY`'],
    ['"$HOME" \\ * ?'],
    ['-rf /'],
    [''],
  ])('a value %j is exactly one argument under dash', (value) => {
    expect(argvUnderDash(filled('x {unit} y', { unit: value }))).toEqual(['x', value, 'y']);
  });

  it.each([
    ["echo '{unit}'", "inside '...'"],
    ['echo "{unit}"', 'inside "..."'],
    ['echo "$(ls)" "a {unit}"', 'inside "..."'],
    ['echo `ls {unit}`', 'inside `...`'],
    ['echo ${X:-{unit}}', 'inside ${...}'],
    ['echo $(( {pid} + 1 ))', 'inside $((...))'],
    ["echo $'{unit}'", "inside $'...'"],
  ])('a placeholder inside quotes or an expansion is refused: %s', (text, place) => {
    expect(parseTemplate(text)).toEqual({ error: expect.stringContaining(place) });
  });

  it('a placeholder after a here-document is refused (its body would expand $(...) in the value)', () => {
    expect(parseTemplate('cat <<EOF\n{unit}\nEOF')).toEqual({ error: expect.stringContaining('here-document') });
  });

  it('bare places are fine: inside $( ), ( ), after a comment with quotes, glued to a path', () => {
    expect(parsed('echo "$(systemctl status {unit})" # don\'t\nls /var/log/{unit}.log; (cd / && kill {pid})').placeholders).toEqual(['unit', 'pid']);
  });

  it('an unknown placeholder is named with the known ones, and how to write a literal brace', () => {
    expect(parseTemplate("awk '{print}' {unit}")).toEqual({ error: expect.stringMatching(/unknown placeholder \{print\} \(known: \{host\}, \{unit\}, \{database\}, \{pid\}, \{file\}\); write \{\{ for a literal \{/) });
  });

  it('an unclosed quote is named', () => {
    expect(parseTemplate("echo 'x {unit}")).toEqual({ error: expect.stringContaining("inside '...'") });
    expect(parseTemplate('echo "x')).toEqual({ error: 'the command ends inside "..." that is never closed' });
  });

  it('fills nothing when a value is missing or holds a NUL', () => {
    expect(fillTemplate(parsed('kill {pid}'), {})).toEqual({ missing: 'pid' });
    expect(fillTemplate(parsed('kill {pid}'), { pid: '1\u00002' })).toEqual({ error: expect.stringContaining('NUL') });
  });
});

const SPEC: ActionSpec = { name: 'restart-app', key: 'X', hosts: [], run: 'systemctl restart {unit} # on {host}', confirm: 'yes', timeoutMs: 5000 };

describe('building an action', () => {
  it('from a name, a host list and values, as a command line would (one command per host)', () => {
    const built = buildAction({ ...SPEC, run: 'echo {host} {unit}' }, ['web-1', 'web-2'], { unit: 'app.service' });
    expect(built).toEqual({
      params: {
        action: 'restart-app',
        template: 'echo {host} {unit}',
        confirm: 'yes',
        timeoutMs: 5000,
        values: { unit: 'app.service' },
        runs: [
          { host: 'web-1', command: "echo 'web-1' 'app.service'" },
          { host: 'web-2', command: "echo 'web-2' 'app.service'" },
        ],
      },
    });
  });

  it('a missing value says which placeholder and why, and nothing is built', () => {
    expect(buildAction(SPEC, ['web-1'], {}, { unit: 'select a unit in Services' })).toEqual({ error: 'restart-app needs {unit}: select a unit in Services' });
  });

  it('host names are hosts, group names every host of the group, each once, in config order', () => {
    const hosts = [{ name: 'db-1', group: 'db' }, { name: 'web-1', group: 'web' }, { name: 'web-2', group: 'web' }];
    expect(actionHosts(['web', 'web-1', 'db-1'], hosts)).toEqual({ hosts: ['web-1', 'web-2', 'db-1'] });
    expect(actionHosts(['nope'], hosts)).toEqual({ error: 'no host or group "nope" (hosts: db-1, web-1, web-2)' });
  });

  it('from the screen: the unit under the Services cursor on its host', () => {
    const data = fleetData();
    const store = createOpsStore(data, { focus: 'services', host: 'web-1' });
    const { ui } = store.getState();
    const built = actionFromSelection(SPEC, data, ui);
    const unit = data.hosts['web-1']!.services!.units[0]!.name;
    expect(built).toEqual({ params: expect.objectContaining({ runs: [{ host: 'web-1', command: `systemctl restart '${unit}' # on {host}` }] }) });
  });

  it('from the screen with nothing selected for a placeholder: the reason, nothing to run', () => {
    const data = fleetData();
    const { ui } = createOpsStore(data, { focus: 'hosts' }).getState();
    expect(actionFromSelection({ ...SPEC, run: 'kill {pid}' }, data, ui)).toEqual({ error: 'restart-app needs {pid}: select a query in Databases' });
  });
});

describe('actions in the config', () => {
  const config = (action: string, extra: string[] = []) => ['hosts:', '  web-1: {ssh: web1, group: web}', '  web-2: {ssh: web2, group: web}', 'actions:', `  deploy: ${action}`, ...extra].join('\n');

  it('resolves hosts (a group name too), the timeout and the confirmation, and binds the key in every pane', () => {
    const loaded = parseConfigText(config('{key: X, hosts: web, run: "deploy.sh {host}", confirm: typed, timeout: 2m}'), FILE);
    expect(loaded.actions).toEqual([{ name: 'deploy', key: 'X', hosts: ['web'], run: 'deploy.sh {host}', confirm: 'typed', timeoutMs: 120_000 }]);
    for (const pane of ['hosts', 'services', 'logs', 'databases'] as const) expect(resolveIntent(loaded.keymap, pane, 'X')).toEqual({ kind: 'action', name: 'deploy' });
  });

  it('an unknown placeholder is an error at actions.NAME.run', () => {
    const error = configError(config('{key: X, run: "restart {service}"}'));
    expect(where(error)).toBe('5:25 actions.deploy.run');
    expect(error.problem).toContain('unknown placeholder {service}');
  });

  it('a quoted placeholder is an error at actions.NAME.run', () => {
    const error = configError(config(`{key: X, run: "echo '{unit}'"}`));
    expect(where(error)).toBe('5:25 actions.deploy.run');
    expect(error.problem).toContain("{unit} is inside '...'");
  });

  it('a key a default binding has is a conflict naming both (in any pane: the action works everywhere)', () => {
    const error = configError(config('{key: r, run: "true"}'));
    expect(where(error)).toBe('5:17 actions.deploy.key');
    expect(error.problem).toBe('key "r" is bound to both actions.deploy and services.restart-unit (and logs.wrap): pick another key, or rebind the other under keys:');
  });

  it("a key the user's keys: override took is a conflict; one it freed is not", () => {
    const taken = configError(config('{key: Z, run: "true"}', ['keys:', '  global: {zoom: [Z]}']));
    expect(taken.problem).toMatch(/"Z" is bound to both actions.deploy and global.zoom/);
    const freed = parseConfigText(config('{key: z, run: "true"}', ['keys:', '  global: {zoom: [Z]}']), FILE);
    expect(resolveIntent(freed.keymap, 'hosts', 'z')).toEqual({ kind: 'action', name: 'deploy' });
  });

  it('two actions on one key, and a key that is no key name', () => {
    const twice = configError([...config('{key: X, run: "true"}').split('\n'), '  other: {key: X, run: "true"}'].join('\n'));
    expect(where(twice)).toBe('6:16 actions.other.key');
    expect(twice.problem).toMatch(/"X" is bound to both actions.other and actions.deploy/);
    expect(configError(config('{key: F12, run: "true"}')).problem).toContain('"F12" is not a key name');
  });

  it('a host that is neither a host nor a group, and a zero timeout, are errors at their place', () => {
    expect(where(configError(config('{key: X, hosts: [web-1, dbs], run: "true"}')))).toBe('5:35 actions.deploy.hosts[1]');
    expect(configError(config('{key: X, hosts: [dbs], run: "true"}')).problem).toBe('no host or group "dbs" (known hosts: web-1, web-2; groups: web)');
    expect(where(configError(config('{key: X, run: "true", timeout: 0s}')))).toBe('5:42 actions.deploy.timeout');
  });
});
