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

/**
 * Resolves with the exit code rather than rejecting on a non-zero one: systemctl uses codes to mean
 * states. Runs in the C locale without colours, with `env` besides.
 */
export function runLocal(file: string, args: readonly string[], signal: AbortSignal, env: Readonly<Record<string, string>> = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { signal, maxBuffer: MAX_OUTPUT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', SYSTEMD_COLORS: '0', ...env } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        const code = (error as NodeJS.ErrnoException).code;
        reject(new ExecError(code === 'ENOENT' ? `${file}: not found` : code === 'ABORT_ERR' ? `${file}: stopped (deadline)` : error.message));
        return;
      }
      resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
    });
  });
}
