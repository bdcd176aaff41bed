import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isValidUnitName, parseListUnits, parseShow, showArgs } from '../../src/services/systemd/units.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

describe('isValidUnitName', () => {
  it.each(['garden-backend.service', 'garden-backend', 'nginx.service', '-.mount', 'getty@tty1.service', 'systemd-fsck@dev-disk-by\\x2duuid-1234.service', 'user@1000.service', 'postgresql@15-main.service', 'dev-sda1.device'])(
    'accepts %s',
    (name) => {
      expect(isValidUnitName(name)).toBe(true);
    },
  );

  it.each([
    ['a shell command', 'x; rm -rf /'],
    ['a space', 'a b'],
    ['a glob', '*.service'],
    ['a glob with ?', 'garden-?.service'],
    ['a bracket glob', 'garden-[ab].service'],
    ['command substitution', '$(reboot)'],
    ['backticks', '`reboot`'],
    ['empty', ''],
    ['a newline inside', 'nginx.service\nreboot'],
    ['a trailing newline', 'nginx.service\n'],
    ['a slash', '../../etc/passwd'],
    ['a pipe', 'nginx|sh'],
    ['a quote', "nginx'"],
    ['too long', `${'a'.repeat(256)}.service`],
  ])('rejects %s', (_what, name) => {
    expect(isValidUnitName(name)).toBe(false);
  });
});

describe('showArgs', () => {
  it('puts unit names after "--" so -.mount is not read as an option', () => {
    const args = showArgs(['-.mount', 'nginx.service']);
    expect(args.indexOf('--')).toBeGreaterThanOrEqual(0);
    expect(args.indexOf('-.mount')).toBeGreaterThan(args.indexOf('--'));
    expect(args.slice(-2)).toEqual(['-.mount', 'nginx.service']);
  });

  it('refuses an invalid unit name instead of passing it on', () => {
    expect(() => showArgs(['nginx.service', 'x; rm -rf /'])).toThrow(/invalid unit name/);
  });
});

describe('parseShow on real `systemctl show` output (daemonless systemctl, test/fixtures/systemctl-show.txt)', () => {
  const requested = ['garden-backend.service', 'garden-frontend.service', 'nosuch.service'];
  const units = parseShow(fixture('systemctl-show.txt'), requested);

  it('returns one unit per block, in the order asked for', () => {
    expect(units.map((u) => u.name)).toEqual(requested);
  });

  it('reads a running service', () => {
    const backend = units[0]!;
    expect(backend).toMatchObject({ name: 'garden-backend.service', description: 'Garden DX Backend', load: 'loaded', active: 'active', sub: 'running' });
    expect(backend.mainPid).toBeGreaterThan(0);
  });

  it('reads a stopped service, with no main PID', () => {
    expect(units[1]).toMatchObject({ name: 'garden-frontend.service', load: 'loaded', active: 'inactive', sub: 'dead' });
    expect(units[1]!.mainPid).toBeUndefined();
  });

  it('reads a unit systemd does not know as not-found', () => {
    expect(units[2]).toMatchObject({ name: 'nosuch.service', load: 'not-found', active: 'inactive' });
  });

  it('leaves out what this systemctl does not report (no timestamps, no restart count)', () => {
    expect(units[0]!.since).toBeUndefined();
    expect(units[0]!.restarts).toBeUndefined();
  });

  it('tolerates a trailing newline and extra blank lines between blocks', () => {
    const text = fixture('systemctl-show.txt').replace(/\n\n/g, '\n\n\n');
    expect(parseShow(`${text}\n`, requested).map((u) => [u.name, u.active])).toEqual(units.map((u) => [u.name, u.active]));
  });
});

describe('parseShow on systemd 252 output (the full property set systemd itself prints)', () => {
  // Shape of `systemctl show --no-pager -- cron.service garden-backend.service` on Debian 12 (systemd 252):
  // a Description with "=" in it, timestamps with weekday and zone, NRestarts and MainPID.
  const output = [
    'Id=cron.service',
    'Description=Regular background program processing daemon',
    'LoadState=loaded',
    'ActiveState=active',
    'SubState=running',
    'MainPID=612',
    'NRestarts=0',
    'ActiveEnterTimestamp=Mon 2026-11-23 11:49:31 UTC',
    'StateChangeTimestamp=Mon 2026-11-23 11:49:31 UTC',
    '',
    'Id=garden-backend.service',
    'Description=Garden DX Backend (workers=4)',
    'LoadState=loaded',
    'ActiveState=failed',
    'SubState=failed',
    'MainPID=0',
    'NRestarts=5',
    'ActiveEnterTimestamp=',
    'StateChangeTimestamp=Mon 2026-11-23 12:01:02 UTC',
    '',
  ].join('\n');
  const [cron, backend] = parseShow(output, ['cron.service', 'garden-backend.service']);

  it('reads since from ActiveEnterTimestamp as UTC epoch milliseconds', () => {
    expect(cron!.since).toBe(Date.UTC(2026, 10, 23, 11, 49, 31));
    expect(cron!.mainPid).toBe(612);
    expect(cron!.restarts).toBe(0);
  });

  it('keeps a "=" inside a value', () => {
    expect(backend!.description).toBe('Garden DX Backend (workers=4)');
  });

  it('falls back to StateChangeTimestamp for a failed unit, and reads the restart count', () => {
    expect(backend).toMatchObject({ active: 'failed', sub: 'failed', restarts: 5 });
    expect(backend!.since).toBe(Date.UTC(2026, 10, 23, 12, 1, 2));
    expect(backend!.mainPid).toBeUndefined();
  });

  it('reads a time in UTC with microseconds (--timestamp=us+utc style) and leaves a zone it cannot place blank, never wrong', () => {
    const [utc] = parseShow('Id=a.service\nActiveEnterTimestamp=Mon 2026-11-30 12:04:05.250000 UTC\n', ['a.service']);
    expect(utc!.since).toBe(Date.UTC(2026, 10, 30, 12, 4, 5, 250));
    const [jst] = parseShow('Id=a.service\nActiveEnterTimestamp=Mon 2026-11-30 21:04:05 JST\n', ['a.service']);
    expect(jst!.since).toBeUndefined();
  });

  it('uses the requested name when a block has no Id', () => {
    const [unit] = parseShow('ActiveState=active\nSubState=running\n', ['nginx.service']);
    expect(unit).toMatchObject({ name: 'nginx.service', active: 'active', sub: 'running' });
  });

  it('returns nothing for empty output', () => {
    expect(parseShow('', ['nginx.service'])).toEqual([]);
  });
});

describe('parseListUnits', () => {
  it('reads real daemonless systemctl output (test/fixtures/systemctl-list-units.txt)', () => {
    expect(parseListUnits(fixture('systemctl-list-units.txt'))).toEqual(['garden-backend.service', 'garden-frontend.service']);
  });

  it('reads systemd --plain --no-legend output with aligned columns', () => {
    const output = [
      '  cron.service                 loaded    active   running Regular background program processing daemon',
      '  garden-backend.service       loaded    failed   failed  Garden DX Backend',
      '  getty@tty1.service           loaded    active   running Getty on tty1',
      '',
    ].join('\n');
    expect(parseListUnits(output)).toEqual(['cron.service', 'garden-backend.service', 'getty@tty1.service']);
  });

  it('strips the ● that systemd puts before failed or not-found units', () => {
    const output = '● garden-backend.service loaded failed failed Garden DX Backend\n  nginx.service loaded active running nginx\n';
    expect(parseListUnits(output)).toEqual(['garden-backend.service', 'nginx.service']);
  });

  it('drops lines that are not service units (legends, sockets, junk)', () => {
    const output = ['  ssh.socket loaded active listening OpenBSD Secure Shell server socket', '3 loaded units listed.', 'x;rm.service junk', ''].join('\n');
    expect(parseListUnits(output)).toEqual([]);
  });
});
