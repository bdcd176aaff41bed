// A host's shell, as an operator command (`actions:`) runs on it: locally `sh -c`, over SSH through the
// host's connection. The command string is already filled and quoted (src/app/action-template.ts).

/** How one run ended. A run always resolves: a host that could not run it says why in `error`. */
export interface ShellRunResult {
  /** `exit`: the command ended by itself (or by a signal from elsewhere); `timeout` / `aborted`: opsdeck ended it; `error`: it never ran or the host went away. */
  ended: 'exit' | 'timeout' | 'aborted' | 'error';
  /** The exit status, when the host reported one. */
  code?: number;
  /** The signal that ended it, when one did. */
  signal?: string;
  /** Why it could not run, or what is known about how it ended. */
  error?: string;
  durationMs: number;
}

export interface ShellRunOptions {
  /** The command and everything it started get TERM at the deadline, KILL a moment later. */
  timeoutMs: number;
  /** Ends it the same way before the deadline (the operator's :abort, quitting). */
  signal: AbortSignal;
  /** Output as it arrives, stdout and stderr in arrival order, decoded as UTF-8 (not yet sanitised). */
  output(text: string): void;
}

export interface ShellControl {
  run(command: string, options: ShellRunOptions): Promise<ShellRunResult>;
}

/** After TERM, how long the command's process group has before KILL. */
export const KILL_AFTER_MS = 2000;
