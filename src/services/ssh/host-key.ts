// The one host key check every SSH connection goes through. It answers ssh2 synchronously through
// the callback: ssh2 treats a returned Promise (an async verifier) as "accept", so nothing here awaits.
import { addKnownHost, checkHostKey, entriesFor, fingerprintSha256, keyTypeOf } from './known-hosts.js';

export interface HostKeyPolicy {
  /** The name the host is filed under in known_hosts: `host`, `[host]:port` or its HostKeyAlias. */
  name: string;
  /** Files to check, OpenSSH's user and global known_hosts plus any configured one. */
  files: readonly string[];
  /** Where an accepted new key is written (the user's known_hosts). */
  trustFile: string;
  /** StrictHostKeyChecking=accept-new: file an unknown key and go on; a changed key is still refused. */
  acceptNew: boolean;
  hashNewEntries: boolean;
}

export type HostKeyDecision =
  | { accepted: true; added: boolean; fingerprint: string }
  | {
      accepted: false;
      reason: 'unknown' | 'changed' | 'revoked' | 'unreadable';
      /** The key the server offered: what trusting the host would file. */
      blob: Buffer;
      type: string;
      fingerprint: string;
      known?: string[];
      detail?: string;
    };

export type HostVerifier = (key: Buffer, verify: (accept: boolean) => void) => void;

export function decideHostKey(policy: HostKeyPolicy, blob: Buffer): HostKeyDecision {
  const fingerprint = fingerprintSha256(blob);
  const type = keyTypeOf(blob);
  let verdict;
  try {
    verdict = checkHostKey(entriesFor(policy.files, policy.name), blob);
  } catch (error) {
    return { accepted: false, reason: 'unreadable', blob, type, fingerprint, detail: (error as Error).message };
  }
  if (verdict.kind === 'known') return { accepted: true, added: false, fingerprint };
  if (verdict.kind === 'unknown' && policy.acceptNew) {
    try {
      addKnownHost(policy.trustFile, policy.name, blob, { hash: policy.hashNewEntries });
    } catch (error) {
      return { accepted: false, reason: 'unreadable', blob, type, fingerprint, detail: `cannot write ${policy.trustFile}: ${(error as Error).message}` };
    }
    return { accepted: true, added: true, fingerprint };
  }
  if (verdict.kind === 'changed') return { accepted: false, reason: 'changed', blob, type, fingerprint, known: verdict.known };
  return { accepted: false, reason: verdict.kind, blob, type, fingerprint };
}

/** An ssh2 `hostVerifier` that records its decision, so a refused connection can say why. */
export function hostVerifier(policy: HostKeyPolicy, record: (decision: HostKeyDecision) => void): HostVerifier {
  return (key, verify) => {
    let decision: HostKeyDecision;
    try {
      decision = decideHostKey(policy, key);
    } catch (error) {
      decision = { accepted: false, reason: 'unreadable', blob: key, type: keyTypeOf(key), fingerprint: fingerprintSha256(key), detail: (error as Error).message };
    }
    record(decision);
    verify(decision.accepted);
  };
}
