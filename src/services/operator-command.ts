// Runs an operator command on this machine: `sh -c` in a process group of its own, output streamed as
// it comes, and at the deadline TERM to the whole group (what the command started included), KILL
// if it is still there a moment later.
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { KILL_AFTER_MS, type ShellControl, type ShellRunOptions, type ShellRunResult } from '../domain/shell-command.js';

/** After the command exits, how long output still held open by something it left running is read. */
export const DRAIN_MS = 500;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

function runLocalCommand(command: string, { timeoutMs, signal, output }: ShellRunOptions): Promise<ShellRunResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (signal.aborted) return Promise.resolve({ ended: 'aborted', error: 'stopped before it started', durationMs: 0 });
  return new Promise((resolve) => {
    // detached: a new session and process group, so the deadline reaches what the command started.
    const child = spawn('sh', ['-c', command], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stoppedBy: 'timeout' | 'aborted' | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    for (const stream of [child.stdout, child.stderr]) {
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => output(decoder.write(chunk)));
      stream.on('end', () => {
        const rest = decoder.end();
        if (rest) output(rest);
      });
    }
    const stop = (why: 'timeout' | 'aborted') => {
      if (stoppedBy || child.exitCode !== null || child.signalCode !== null) return;
      stoppedBy = why;
      killGroup(child, 'SIGTERM');
      // Kept past the exit of sh itself: a member of the group that ignored TERM still gets KILL.
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_AFTER_MS);
      killTimer.unref();
    };
    const deadline = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = () => stop('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (result: Omit<ShellRunResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(drainTimer);
      signal.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ...result, durationMs: elapsed() });
    };
    child.on('error', (error) => {
      clearTimeout(killTimer);
      finish({ ended: 'error', error: `sh: ${error.message}` });
    });
    child.on('exit', (code, exitSignal) => {
      const result: Omit<ShellRunResult, 'durationMs'> = { ended: stoppedBy ?? 'exit', ...(code !== null ? { code } : {}), ...(exitSignal ? { signal: exitSignal } : {}) };
      // 'close' waits for every holder of the output pipes; a daemon the command started may hold them for ever.
      drainTimer = setTimeout(() => finish(result), DRAIN_MS);
      child.once('close', () => finish(result));
    });
  });
}

export function localShell(): ShellControl {
  return { run: runLocalCommand };
}
