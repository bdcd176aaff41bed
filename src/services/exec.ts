// Runs a local program without a shell, bounded in time and output: arguments are never re-parsed.
import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly result?: ExecResult,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

const MAX_OUTPUT = 8 * 1024 * 1024;

export interface RunOptions {
  /** Added to the environment (how a password reaches a database client without entering its argv). */
  env?: Record<string, string>;
  /** Written to the program's stdin, then closed. */
  input?: string;
}

/**
 * Resolves with the exit code rather than rejecting on a non-zero one: systemctl uses codes to mean
 * states. Runs in the C locale and in UTC, as remote commands do (ssh/services.ts commandScript), so
 * the times systemd prints parse the same whatever this machine's zone.
 */
export function runLocal(file: string, args: readonly string[], signal: AbortSignal, options: RunOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { signal, maxBuffer: MAX_OUTPUT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', TZ: 'UTC', ...options.env } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        const code = (error as NodeJS.ErrnoException).code;
        reject(new ExecError(code === 'ENOENT' ? `${file}: not found` : code === 'ABORT_ERR' ? `${file}: stopped (deadline)` : error.message));
        return;
      }
      resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
    });
    // A program that exits without reading its input must not fail the write (EPIPE).
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}
