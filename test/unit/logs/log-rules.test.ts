// Pattern rules: the regex check at load, counting per key over a window, and what a key costs.
import { describe, expect, it } from 'vitest';
import { lineTime, MAX_RULE_KEYS, nestedRepetition, RuleMeter, rulePatternProblem, type LogRuleSpec } from '../../../src/domain/log-rules.js';

const SSH: LogRuleSpec = { name: 'ssh-bruteforce', match: 'Failed password .* from (?<key>\\S+)', windowSec: 300, threshold: 20, level: 'crit' };
const T0 = new Date(2026, 11, 1, 2, 30, 0).getTime();
const failed = (ip: string, user = 'root') => `Failed password for ${user} from ${ip} port 52144 ssh2`;

describe('the regex, checked when the config is read', () => {
  it('accepts the runbooks\' patterns', () => {
    expect(rulePatternProblem(SSH.match)).toBeUndefined();
    expect(rulePatternProblem('Invalid user (?<key>\\w+) from')).toBeUndefined();
    expect(rulePatternProblem('(ab){2} x{1,3} [(+)]+')).toBeUndefined();
  });

  it('refuses a repetition of a group that repeats inside, which backtracks exponentially', () => {
    for (const pattern of ['(a+)+$', '(\\S+\\s?)*x', '((ab)+c)*', '(?:x{2,})+', '(a|b*){1,}']) expect(nestedRepetition(pattern), pattern).toMatch(/exponential/);
  });

  it('names a regex that does not compile, and one that matches every line', () => {
    expect(rulePatternProblem('from (?<key>\\S+')).toMatch(/^not a valid regular expression: .*Unterminated group/);
    expect(rulePatternProblem('x*')).toMatch(/empty line/);
  });
});

describe('RuleMeter', () => {
  it('counts matches per key: 30 failed logins from one address stand out from the others', () => {
    const meter = new RuleMeter(SSH);
    for (let i = 0; i < 30; i++) meter.line(failed('203.0.113.9'), T0 + i * 1000);
    meter.line(failed('198.51.100.7', 'admin'), T0);
    meter.line('Accepted publickey for deploy from 10.0.0.2 port 40000 ssh2', T0);
    expect(meter.read(T0 + 30_000)).toEqual([
      { key: '203.0.113.9', count: 30 },
      { key: '198.51.100.7', count: 1 },
    ]);
  });

  it('forgets a key once its matches have left the window', () => {
    const meter = new RuleMeter({ ...SSH, windowSec: 60 });
    meter.line(failed('203.0.113.9'), T0);
    expect(meter.read(T0 + 120_000)).toEqual([]);
  });

  it('counts a line when it was written: an old backlog at start is not an attack now', () => {
    const meter = new RuleMeter(SSH);
    for (let i = 0; i < 50; i++) meter.line(`2026-12-01T01:00:${String(i).padStart(2, '0')}+00:00 web sshd[811]: ${failed('203.0.113.9')}`, Date.UTC(2026, 11, 1, 2, 30));
    expect(meter.read(Date.UTC(2026, 11, 1, 2, 30))).toEqual([]);
  });

  it('keeps at most MAX_RULE_KEYS keys, dropping the one seen longest ago', () => {
    const meter = new RuleMeter(SSH);
    meter.line(failed('192.0.2.1'), T0);
    for (let i = 0; i < MAX_RULE_KEYS; i++) meter.line(failed(`10.${i >> 8}.${i & 255}.1`), T0 + 1000);
    const keys = meter.read(T0 + 2000);
    expect(keys.length).toBe(MAX_RULE_KEYS);
    expect(keys.some((k) => k.key === '192.0.2.1')).toBe(false);
  });

  it('makes a key terminal-safe and short: the attacker chose it', () => {
    const meter = new RuleMeter(SSH);
    meter.line(failed(`\u001b[2J${'x'.repeat(300)}`), T0);
    const [key] = meter.read(T0);
    expect(key!.key).not.toContain('\u001b');
    expect(key!.key.length).toBeLessThan(130);
  });

  it('runs its regex on a bounded part of a line: a megabyte line costs what 2 KiB costs', () => {
    const meter = new RuleMeter({ ...SSH, match: 'Failed password .* from (?<key>\\S+) port' });
    const started = performance.now();
    meter.line(`Failed password ${' from x'.repeat(150_000)}`, T0);
    // A generous deadline: unbounded, this line takes minutes (quadratic in a megabyte).
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('lineTime', () => {
  it('reads journal short-iso and rsyslog times, in this machine\'s zone for the traditional format', () => {
    expect(lineTime('2026-12-01T11:30:00+0900 web sshd[1]: x', 0)).toBe(Date.UTC(2026, 11, 1, 2, 30));
    expect(lineTime('2026-12-01T02:30:00.123456+00:00 web sshd[1]: x', 0)).toBe(Date.UTC(2026, 11, 1, 2, 30, 0, 123));
    expect(lineTime('Dec  1 02:30:00 web sshd[1]: x', T0 + 5000)).toBe(T0);
    expect(lineTime('Dec 31 23:59:59 web sshd[1]: x', new Date(2027, 0, 1, 0, 0, 5).getTime())).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
    expect(lineTime('sshd[1]: no time', T0)).toBeUndefined();
  });
});
