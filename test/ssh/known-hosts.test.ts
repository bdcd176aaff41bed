import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decideHostKey } from '../../src/services/ssh/host-key.js';
import { addKnownHost, checkHostKey, entriesFor, fingerprintSha256, hostFieldMatches, keyTypeOf, knownHostsName } from '../../src/services/ssh/known-hosts.js';

let dir: string;
const keys: Record<string, { line: string; blob: Buffer; pub: string }> = {};

function makeKey(name: string, type: string): void {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  keys[name] = { line, blob: Buffer.from(line.split(' ')[1]!, 'base64'), pub: `${path}.pub` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-kh-'));
  makeKey('ed', 'ed25519');
  makeKey('ed2', 'ed25519');
  makeKey('rsa', 'rsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('known_hosts', () => {
  test('fingerprints match ssh-keygen -l', () => {
    for (const key of Object.values(keys)) {
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', key.pub]).toString().split(' ')[1];
      expect(fingerprintSha256(key.blob)).toBe(printed);
    }
    expect(keyTypeOf(keys.ed!.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(keys.rsa!.blob)).toBe('ssh-rsa');
  });

  test('names: bare host on port 22, [host]:port elsewhere, lower case', () => {
    expect(knownHostsName('Web1.Example.com', 22)).toBe('web1.example.com');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  test('patterns: lists, wildcards and negation as OpenSSH reads them', () => {
    expect(hostFieldMatches('web1,web2', 'web2')).toBe(true);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'good.example.com')).toBe(true);
    expect(hostFieldMatches('*.example.com,!bad.example.com', 'bad.example.com')).toBe(false);
    expect(hostFieldMatches('web?', 'web10')).toBe(false);
    expect(hostFieldMatches('[127.0.0.1]:2222', '[127.0.0.1]:2222')).toBe(true);
    expect(hostFieldMatches('127.0.0.1', '[127.0.0.1]:2222')).toBe(false);
  });

  test('hashed entries written by ssh-keygen -H are matched', () => {
    const path = file('hashed', `[127.0.0.1]:2222 ${keys.ed!.line}\nother.example ${keys.rsa!.line}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', path], { stdio: 'ignore' });
    expect(readFileSync(path, 'utf8')).not.toContain('127.0.0.1');
    expect(checkHostKey(entriesFor([path], '[127.0.0.1]:2222'), keys.ed!.blob)).toEqual({ kind: 'known' });
    expect(checkHostKey(entriesFor([path], '[127.0.0.1]:2223'), keys.ed!.blob)).toEqual({ kind: 'unknown' });
  });

  test('a different key for a known host is a change, with the known fingerprint', () => {
    const path = file('changed', `[127.0.0.1]:2222 ${keys.ed!.line}\n`);
    expect(checkHostKey(entriesFor([path], '[127.0.0.1]:2222'), keys.ed2!.blob)).toEqual({ kind: 'changed', known: [fingerprintSha256(keys.ed!.blob)] });
    // Another type on file counts as a change too: the server was asked for the known type first.
    expect(checkHostKey(entriesFor([path], '[127.0.0.1]:2222'), keys.rsa!.blob).kind).toBe('changed');
  });

  test('@revoked keys are refused even when also listed as valid; @cert-authority lines are not host keys', () => {
    const path = file('revoked', `@revoked * ${keys.ed!.line}\nhost ${keys.ed!.line}\n@cert-authority host ${keys.rsa!.line}\n`);
    expect(checkHostKey(entriesFor([path], 'host'), keys.ed!.blob)).toEqual({ kind: 'revoked' });
    expect(checkHostKey(entriesFor([path], 'host'), keys.rsa!.blob).kind).toBe('changed');
  });

  test('comments, blank and malformed lines are skipped; missing files have no entries', () => {
    const path = file('messy', `# comment\n\nnot a line\nhost ssh-ed25519 !!!notbase64\nhost ${keys.ed!.line} comment here\n`);
    expect(entriesFor([path, join(dir, 'absent')], 'host')).toHaveLength(1);
  });

  test('addKnownHost appends atomically, keeps the mode, replaces the same type for that name, and ssh-keygen -F finds it', () => {
    const path = file('trust', `other ${keys.rsa!.line}\n[127.0.0.1]:2222 ${keys.ed!.line}\n`);
    execFileSync('chmod', ['640', path]);
    addKnownHost(path, '[127.0.0.1]:2222', keys.ed2!.blob, { hash: false });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(`other ${keys.rsa!.line}`);
    expect(text).not.toContain(keys.ed!.line);
    expect(text).toContain(`[127.0.0.1]:2222 ${keys.ed2!.line}`);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', path]).toString()).toContain(keys.ed2!.line.split(' ')[1]);
  });

  test('hashed new entries are found by ssh-keygen -F and by opsdeck', () => {
    const path = join(dir, 'new-dir', 'known_hosts');
    addKnownHost(path, 'web1', keys.ed!.blob, { hash: true });
    expect(readFileSync(path, 'utf8')).toMatch(/^\|1\|/);
    expect(execFileSync('ssh-keygen', ['-F', 'web1', '-f', path]).toString()).toContain('|1|');
    expect(checkHostKey(entriesFor([path], 'web1'), keys.ed!.blob)).toEqual({ kind: 'known' });
  });

  test('decideHostKey: unknown is refused without opt-in, filed with accept-new; a change is refused either way', () => {
    const path = file('decide', '');
    const policy = { name: '[127.0.0.1]:2200', files: [path], trustFile: path, acceptNew: false, hashNewEntries: false };
    expect(decideHostKey(policy, keys.ed!.blob)).toMatchObject({ accepted: false, reason: 'unknown', fingerprint: fingerprintSha256(keys.ed!.blob) });
    expect(readFileSync(path, 'utf8')).toBe('');
    expect(decideHostKey({ ...policy, acceptNew: true }, keys.ed!.blob)).toMatchObject({ accepted: true, added: true });
    expect(decideHostKey(policy, keys.ed!.blob)).toMatchObject({ accepted: true, added: false });
    expect(decideHostKey({ ...policy, acceptNew: true }, keys.ed2!.blob)).toMatchObject({ accepted: false, reason: 'changed', known: [fingerprintSha256(keys.ed!.blob)] });
  });

  test('an unreadable known_hosts refuses rather than accepts', () => {
    const policy = { name: 'x', files: [dir], trustFile: join(dir, 'kh'), acceptNew: true, hashNewEntries: false };
    expect(decideHostKey(policy, keys.ed!.blob)).toMatchObject({ accepted: false, reason: 'unreadable' });
  });
});
