// Where opsdeck keeps what it learns across runs (the audit log, the `:` history): the XDG state dir.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_STATE_HOME/opsdeck` (an absolute path, as the spec wants), else ~/.local/state/opsdeck. */
export function opsdeckStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'opsdeck');
}
