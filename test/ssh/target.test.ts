import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSpec, resolveTarget, type ResolveOptions } from '../../src/services/ssh/target.js';

let dir: string;
let config: string;
const canary = (): string => join(dir, 'match-exec-ran');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-target-'));
  config = join(dir, 'config');
  writeFileSync(
    config,
    [
      'Host garden-web',
      '  HostName 10.1.2.3',
      '  User deploy',
      '  Port 2201',
      `  IdentityFile ${join(dir, 'deploy_key')}`,
      '  ProxyJump bastion,ops@jump2:2222',
      '  HostKeyAlias garden-web-key',
      '  StrictHostKeyChecking accept-new',
      '',
      `Match exec "touch ${join(dir, 'match-exec-ran')}"`,
      '  User nobody-from-match',
      '',
      'Host *',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  IdentityAgent none',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseSpec', () => {
  test('user@host:port, aliases and bracketed IPv6', () => {
    expect(parseSpec('deploy@web1.example.com:2222')).toEqual({ user: 'deploy', host: 'web1.example.com', port: 2222 });
    expect(parseSpec('garden-web')).toEqual({ user: undefined, host: 'garden-web', port: undefined });
    expect(parseSpec('root@[::1]:22')).toEqual({ user: 'root', host: '::1', port: 22 });
    expect(parseSpec('fe80::1%eth0')).toEqual({ user: undefined, host: 'fe80::1%eth0', port: undefined });
    expect(parseSpec('::ffff:10.0.0.5')).toEqual({ user: undefined, host: '::ffff:10.0.0.5', port: undefined });
  });

  test('a target with no host, a port that is not a number, or a ":" outside an IPv6 address says what is wrong', () => {
    expect(() => parseSpec('deploy@')).toThrow('ssh: "deploy@": no host name after "@"');
    expect(() => parseSpec('host:notaport')).toThrow('ssh: "host:notaport": port "notaport" is not a number');
    expect(() => parseSpec('host:22:33')).toThrow('ssh: "host:22:33": not a host name, address or ssh config alias');
    expect(() => parseSpec('[web-1:22]:22')).toThrow('not a host name, address or ssh config alias');
    expect(() => parseSpec('1::2::3')).toThrow('not a host name, address or ssh config alias');
  });

  test('a value that could become an ssh option or a shell word is refused', () => {
    for (const bad of ['-oProxyCommand=touch x', 'host;rm -rf /', 'a b', 'user@-x', '$(id)@host', 'host:99999', '']) expect(() => parseSpec(bad), bad).toThrow();
  });
});

describe.each([
  ['ssh -G', 'ssh'],
  ['the ssh-config package', null],
] as const)('resolveTarget through %s', (_name, ssh) => {
  const options = (): ResolveOptions => ({ ssh, configFile: config, home: dir });

  test('an alias gets HostName, User, Port, IdentityFile, ProxyJump, HostKeyAlias and accept-new from the config', async () => {
    const target = await resolveTarget('garden-web', options());
    expect(target).toMatchObject({ host: '10.1.2.3', port: 2201, user: 'deploy', proxyJump: ['bastion', 'ops@jump2:2222'], hostKeyAlias: 'garden-web-key', acceptNew: true });
    expect(target.identityFiles[0]).toBe(join(dir, 'deploy_key'));
    expect(target.knownHostsFiles[0]).toBe(join(dir, 'known_hosts'));
    expect(target.agent).toBeUndefined();
  });

  test('user@host:port stays as written and gets the defaults', async () => {
    const target = await resolveTarget('alice@127.0.0.1:2299', options());
    expect(target).toMatchObject({ host: '127.0.0.1', port: 2299, user: 'alice', proxyJump: [], acceptNew: false });
  });

  test('an explicit agent option wins over the config', async () => {
    expect((await resolveTarget('garden-web', { ...options(), agent: '/run/agent.sock' })).agent).toBe('/run/agent.sock');
  });
});

test('the ssh-config package is told not to run Match exec', async () => {
  rmSync(canary(), { force: true });
  const target = await resolveTarget('other-host', { ssh: null, configFile: config, home: dir });
  expect(existsSync(canary())).toBe(false);
  expect(target.user).not.toBe('nobody-from-match');
});

test('ProxyCommand is refused with what to use instead', async () => {
  const file = join(dir, 'proxycommand');
  writeFileSync(file, 'Host pc\n  ProxyCommand nc %h %p\n');
  await expect(resolveTarget('pc', { ssh: 'ssh', configFile: file, home: dir })).rejects.toThrow(/ProxyJump/);
});
