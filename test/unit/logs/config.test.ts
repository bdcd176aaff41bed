// `format:` on a log and `rules:`: defaults from the runbooks, and every mistake named at file:line:column.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/app/config/load.js';

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

const HOSTS = [
  'hosts:', //                                                          1
  '  web:', //                                                          2
  '    local: true', //                                                 3
  '    logs:', //                                                       4
  '      - {file: /var/log/nginx/access.log, format: nginx}', //         5
  '      - {file: /var/log/auth.log, label: auth}', //                  6
];

describe('access logs and rules in the config', () => {
  it('gives an access log the runbooks\' error rate (1 % / 5 %) over 5 minutes, and a rule its log', () => {
    const config = parseConfigText([...HOSTS, 'rules:', '  ssh-bruteforce: {log: auth, match: "Failed password .* from (?<key>\\\\S+)", threshold: 20}'].join('\n'), FILE);
    const [access, auth] = config.hosts[0]!.logs as Exclude<(typeof config.hosts)[0]['logs'], 'auto'>;
    expect(access!.access).toEqual({ format: 'nginx', errorRate: { warn: 1, crit: 5 }, windowSec: 300, minRequests: 20 });
    expect(access!.rules).toBeUndefined();
    expect(auth!.rules).toEqual([{ name: 'ssh-bruteforce', match: 'Failed password .* from (?<key>\\S+)', windowSec: 300, threshold: 20, level: 'crit' }]);
  });

  it('names a regex that does not compile where it is written', () => {
    const error = configError([...HOSTS, 'rules:', '  brute:', '    log: auth', '    match: "from (?<key>\\\\S+"', '    threshold: 5'].join('\n'));
    expect(error.message).toMatch(/^\/etc\/opsdeck\/config\.yaml:10:12: rules\.brute\.match: not a valid regular expression/);
  });

  it('refuses a regex that can take exponential time', () => {
    const error = configError([...HOSTS, 'rules:', '  brute: {log: auth, match: "(\\\\w+\\\\s?)+$", threshold: 5}'].join('\n'));
    expect(`${error.line}:${error.keyPath}`).toBe('8:rules.brute.match');
    expect(error.problem).toMatch(/exponential/);
  });

  it('names a rule\'s log that no host follows, with the logs there are', () => {
    const error = configError([...HOSTS, 'rules:', '  brute: {log: secure, match: "Failed", threshold: 5}'].join('\n'));
    expect(error.message).toContain('config.yaml:8:16: rules.brute.log: no host follows a log labelled or at "secure" (logs: /var/log/nginx/access.log, auth, /var/log/auth.log)');
  });

  it('says errorRate needs a format, and bounds the window', () => {
    const text = ['hosts:', '  web:', '    local: true', '    logs:', '      - {file: /var/log/app.log, errorRate: {warn: 1, crit: 5}}', '      - {file: /var/log/x.log, format: json, window: 2h}'].join('\n');
    const error = configError(text);
    expect(error.problems.map((p) => p.text)).toEqual([
      `${FILE}:5:45: hosts.web.logs[0].errorRate: errorRate is for an access log: add format: nginx, apache, json`,
      `${FILE}:6:54: hosts.web.logs[1].window: expected a window from 1s to 1h`,
    ]);
  });
});
