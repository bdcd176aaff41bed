// What opsdeck offers a host to log in: the ssh-agent's keys, then unencrypted identity files.
// Never a password or a passphrase prompt (BatchMode): a key that needs one belongs in the agent.
import { readFile, stat } from 'node:fs/promises';
import type { AnyAuthMethod, AuthHandlerMiddleware } from 'ssh2';
import { loadSsh2 } from '../libraries.js';
import type { SshTarget } from './target.js';

export interface AuthPlan {
  methods: { label: string; method: AnyAuthMethod }[];
  /** Why a configured key was not offered, for the auth-failed hint. */
  skipped: string[];
}

export async function planAuth(target: SshTarget): Promise<AuthPlan> {
  const methods: AuthPlan['methods'] = [];
  const skipped: string[] = [];
  if (target.agent) {
    const isSocket = await stat(target.agent).then(
      (s) => s.isSocket(),
      () => false,
    );
    if (isSocket) methods.push({ label: 'ssh-agent', method: { type: 'agent', username: target.user, agent: target.agent } });
    else skipped.push(`The ssh-agent socket ${target.agent} does not exist.`);
  }
  const seen = new Set<string>();
  for (const file of target.identityFiles) {
    if (seen.has(file)) continue;
    seen.add(file);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EISDIR') skipped.push(`${file}: ${(error as Error).message}.`);
      continue;
    }
    const key = (await loadSsh2()).utils.parseKey(data);
    if (key instanceof Error) {
      skipped.push(/encrypted/i.test(key.message) ? `${file} is passphrase-protected: load it into ssh-agent (ssh-add ${file}).` : `${file}: ${key.message}.`);
      continue;
    }
    const parsed = Array.isArray(key) ? key[0] : key;
    if (!parsed?.isPrivateKey()) continue;
    methods.push({ label: file, method: { type: 'publickey', username: target.user, key: data } });
  }
  return { methods, skipped };
}

/** ssh2's authHandler over the plan; `tried` collects what was offered, for the failure message. */
export function authHandler(plan: AuthPlan, tried: string[]): AuthHandlerMiddleware {
  let next = 0;
  return (methodsLeft, _partial, done) => {
    const allowed = !methodsLeft || methodsLeft.includes('publickey');
    const entry = allowed ? plan.methods[next++] : undefined;
    if (!entry) {
      // ssh2 takes `false` as "nothing left to try"; its types only list methods.
      (done as unknown as (next: false) => void)(false);
      return;
    }
    tried.push(entry.label);
    done(entry.method);
  };
}
