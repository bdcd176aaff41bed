import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { collectLocalServices } from '../../src/services/local/services.js';
import { collectRemoteServices } from '../../src/services/ssh/services.js';
import { isValidUnitName, parseListUnits, parseShow, showArgs } from '../../src/services/systemd/units.js';
import { sshHost } from '../harness/hosts.js';

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
    expect(backend).toMatchObject({ name: 'garden-backend.service', description: 'Garden DX Backend (workers=4)', load: 'loaded', active: 'active', sub: 'running' });
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

describe('parseShow on real systemd 252 output (test/fixtures/systemd252-show-*.txt, a user manager; see capture-systemd.sh)', () => {
  // Where it differs from the daemonless systemctl: some 230 properties a unit, Id in the middle of
  // its block, empty ones left out, timestamps in the host's zone, NRestarts, a failed state.
  const requested = ['garden-backend.service', 'garden-frontend.service', 'garden-worker.service', 'nosuch.service'];
  const utc = parseShow(fixture('systemd252-show-utc.txt'), requested);
  const [backend, frontend, worker, nosuch] = utc;

  it('returns one unit per block, named by its Id wherever it stands in the block', () => {
    expect(utc.map((u) => u.name)).toEqual(requested);
  });

  it('reads a running service with its main PID, restart count and since when it runs', () => {
    expect(backend).toMatchObject({ description: 'Garden DX Backend (workers=4)', load: 'loaded', active: 'active', sub: 'running', restarts: 0 });
    expect(backend!.mainPid).toBeGreaterThan(0);
    // ActiveEnterTimestamp=Mon 2026-11-30 23:34:28 UTC
    expect(backend!.since).toBe(Date.UTC(2026, 10, 30, 23, 34, 28));
  });

  it('a failed unit is failed since it failed, not since it last started, with its restarts', () => {
    // It went active at 23:34:30 (ActiveEnterTimestamp) and failed at 23:34:32 (InactiveEnterTimestamp).
    expect(worker).toMatchObject({ active: 'failed', sub: 'failed', restarts: 2 });
    expect(worker!.mainPid).toBeUndefined();
    expect(worker!.since).toBe(Date.UTC(2026, 10, 30, 23, 34, 32));
  });

  it('a unit never started has no since; an unknown one is not-found', () => {
    expect(frontend).toMatchObject({ active: 'inactive', sub: 'dead', since: undefined, mainPid: undefined });
    expect(nosuch).toMatchObject({ load: 'not-found', active: 'inactive' });
  });

  it('on a host in Asia/Tokyo or Asia/Shanghai gives no time rather than a wrong one (CST is also US Central)', () => {
    for (const zone of ['tokyo', 'shanghai']) {
      const units = parseShow(fixture(`systemd252-show-${zone}.txt`), requested);
      expect(fixture(`systemd252-show-${zone}.txt`)).toContain(zone === 'tokyo' ? 'ActiveEnterTimestamp=Tue 2026-12-01 08:34:28 JST' : 'ActiveEnterTimestamp=Tue 2026-12-01 07:34:28 CST');
      // Everything but the time reads as in UTC.
      expect(units.map((u) => ({ ...u, since: undefined }))).toEqual(utc.map((u) => ({ ...u, since: undefined })));
      expect(units.map((u) => u.since)).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  it('reads a time in UTC with microseconds (--timestamp=us+utc style) and leaves a zone it cannot place blank, never wrong', () => {
    const [utc] = parseShow('Id=a.service\nActiveState=active\nActiveEnterTimestamp=Mon 2026-11-30 12:04:05.250000 UTC\n', ['a.service']);
    expect(utc!.since).toBe(Date.UTC(2026, 10, 30, 12, 4, 5, 250));
    const [jst] = parseShow('Id=a.service\nActiveState=active\nActiveEnterTimestamp=Mon 2026-11-30 21:04:05 JST\n', ['a.service']);
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

describe('the services collectors run systemctl show in UTC, the zone its timestamps are read in', () => {
  // A systemctl that answers as systemd does: the time in the zone of its own environment.
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-tz-'));
  const systemctl = join(dir, 'systemctl');
  writeFileSync(systemctl, `#!/bin/sh\nprintf 'Id=garden-backend.service\\nActiveState=active\\nSubState=running\\nActiveEnterTimestamp=%s\\n' "$(date '+%a %Y-%m-%d %H:%M:%S %Z')"\n`, { mode: 0o755 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const host = sshHost('tokyo', 'tokyo', { systemctl, services: ['garden-backend.service'] });

  it('over SSH, on a host whose shell runs in Asia/Tokyo', async () => {
    const run = (script: string) => promisify(execFile)('sh', ['-c', script], { env: { ...process.env, TZ: 'Asia/Tokyo' } }).then(({ stdout, stderr }) => ({ stdout, stderr, code: 0 }));
    const [unit] = (await collectRemoteServices(run, host, AbortSignal.timeout(5000))).units;
    expect(Math.abs(unit!.since! - Date.now())).toBeLessThan(5000);
  });

  it('locally, on a machine in Asia/Tokyo', async () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const [unit] = (await collectLocalServices(systemctl, ['garden-backend.service'], AbortSignal.timeout(5000))).units;
      expect(Math.abs(unit!.since! - Date.now())).toBeLessThan(5000);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('parseListUnits', () => {
  it('reads real daemonless systemctl output (test/fixtures/systemctl-list-units.txt)', () => {
    expect(parseListUnits(fixture('systemctl-list-units.txt'))).toEqual(['garden-backend.service', 'garden-frontend.service', 'garden-worker.service']);
  });

  it('reads real systemd 252 output, aligned columns (test/fixtures/systemd252-list-units.txt)', () => {
    expect(parseListUnits(fixture('systemd252-list-units.txt'))).toEqual(['dbus.service', 'dirmngr.service', 'garden-backend.service', 'garden-worker.service', 'gpg-agent.service', 'pk-debconf-helper.service']);
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

describe('a machine without systemd, watched with services: auto, lacks it rather than failing', () => {
  // What systemd 252's systemctl prints in a container or on a machine booted by another init.
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-nosd-'));
  const systemctl = join(dir, 'systemctl');
  writeFileSync(systemctl, `#!/bin/sh\necho "System has not been booted with systemd as init system (PID 1). Can't operate." >&2\necho "Failed to connect to bus: Host is down" >&2\nexit 1\n`, { mode: 0o755 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sh = (script: string) =>
    promisify(execFile)('sh', ['-c', script]).then(
      ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
      (error: { stdout: string; stderr: string; code: number }) => ({ stdout: error.stdout, stderr: error.stderr, code: error.code }),
    );

  it('locally: "no systemd", asked again in a minute; units named in the config are missing, not absent', async () => {
    await expect(collectLocalServices(systemctl, 'auto', AbortSignal.timeout(5000))).rejects.toMatchObject({ absent: 'no systemd', retryAfterMs: 60_000, message: expect.stringContaining('systemd is not running on this machine') });
    const named = await collectLocalServices(systemctl, ['nginx.service'], AbortSignal.timeout(5000)).catch((error: unknown) => error);
    expect(named).toMatchObject({ message: expect.stringContaining('systemd is not running on this machine') });
    expect((named as { absent?: string }).absent).toBeUndefined();
  });

  it('over SSH: "no systemd" for systemctl saying so, and for no systemctl at all; a configured path that is missing is an error', async () => {
    await expect(collectRemoteServices(sh, sshHost('bare', 'bare', { systemctl, services: 'auto' }), AbortSignal.timeout(5000))).rejects.toMatchObject({ absent: 'no systemd', message: expect.stringContaining('System has not been booted with systemd') });
    const none = sshHost('bare', 'bare', { services: 'auto' });
    await expect(collectRemoteServices((script) => sh(`PATH=${dir}/nothing-here; ${script}`), none, AbortSignal.timeout(5000))).rejects.toMatchObject({ absent: 'no systemd', message: 'systemctl on bare: not found' });
    const wrongPath = await collectRemoteServices(sh, sshHost('bare', 'bare', { systemctl: join(dir, 'missing'), services: 'auto' }), AbortSignal.timeout(5000)).catch((error: unknown) => error);
    expect(wrongPath).toMatchObject({ message: `${join(dir, 'missing')}: not found on bare (set systemctl: to its path)` });
    expect((wrongPath as { absent?: string }).absent).toBeUndefined();
  });
});
