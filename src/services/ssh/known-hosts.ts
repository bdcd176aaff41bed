// OpenSSH known_hosts files: which keys a host may present (plain, wildcard and hashed entries, the
// [host]:port form, @revoked), fingerprints as OpenSSH prints them, and atomic appends on trust.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash` entry. */
  hosts: string;
  type: string;
  blob: Buffer;
}

export type HostKeyVerdict =
  | { kind: 'known' }
  | { kind: 'unknown' }
  /** The host is known with other keys: a reinstall, or someone in the middle. */
  | { kind: 'changed'; known: string[] }
  | { kind: 'revoked' };

/** `SHA256:` and the unpadded base64 digest of the key blob, exactly as `ssh-keygen -l` shows it. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written at the head of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length <= 0 || length > 64 || blob.length < 4 + length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** The name a host is filed under: `host` on port 22, `[host]:port` elsewhere (lower case, as OpenSSH). */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() === '@revoked' ? 'revoked' : 'cert-authority';
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key) continue;
    const blob = Buffer.from(key, 'base64');
    if (blob.length === 0 || keyTypeOf(blob) !== type) continue;
    entries.push({ marker, hosts, type, blob });
  }
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function matchesHashed(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH's rule: one negated pattern that matches excludes the host, whatever else matches. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return matchesHashed(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (globToRegExp(pattern.slice(1)).test(name)) return false;
    } else if (globToRegExp(pattern).test(name)) {
      matched = true;
    }
  }
  return matched;
}

/** The entries of these files filed under `name`; a missing file has none, an unreadable one throws. */
export function entriesFor(files: readonly string[], name: string): KnownHostEntry[] {
  const found: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const entry of parseKnownHosts(text)) if (entry.marker !== 'cert-authority' && hostFieldMatches(entry.hosts, name)) found.push(entry);
  }
  return found;
}

/**
 * Decides on a key offered by `name`. A known key of another type counts as a change rather than as
 * new: opsdeck asks the server for the known types first, so a server that offers none of them is
 * not the one on file.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], offered: Buffer): HostKeyVerdict {
  if (entries.some((e) => e.marker === 'revoked' && e.blob.equals(offered))) return { kind: 'revoked' };
  const valid = entries.filter((e) => e.marker === undefined);
  if (valid.some((e) => e.blob.equals(offered))) return { kind: 'known' };
  if (valid.length === 0) return { kind: 'unknown' };
  return { kind: 'changed', known: [...new Set(valid.map((e) => fingerprintSha256(e.blob)))] };
}

function hashedName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/**
 * Files the key under `name`, replacing this file's other keys of the same type for that name (the
 * operator has just confirmed the new one). Written to a temporary file and renamed over the old one,
 * so a crash or a concurrent reader never sees half a file.
 */
export function addKnownHost(file: string, name: string, blob: Buffer, options: { hash: boolean }): void {
  let existing = '';
  let mode = 0o600;
  try {
    existing = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const type = keyTypeOf(blob);
  // Only this name's own entries go: a shared line (web1,web2 …) loses just this name, and a
  // wildcard line (10.0.0.* …) is left alone, so trusting one host never un-trusts another.
  const kept = existing.split('\n').flatMap((line): string[] => {
    const [entry] = parseKnownHosts(line);
    if (!entry || entry.marker !== undefined || entry.type !== type) return [line];
    if (entry.hosts.startsWith('|1|')) return hostFieldMatches(entry.hosts, name) ? [] : [line];
    const names = entry.hosts.split(',');
    if (!names.includes(name)) return [line];
    const others = names.filter((n) => n !== name);
    return others.length === 0 ? [] : [line.replace(entry.hosts, others.join(','))];
  });
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  kept.push(`${options.hash ? hashedName(name) : name} ${type} ${blob.toString('base64')}`);
  const temp = `${file}.opsdeck-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, `${kept.join('\n')}\n`);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
}

/** ssh2's names for the host key algorithms of a key type, so known types can be asked for first. */
export function algorithmsForKeyType(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}
