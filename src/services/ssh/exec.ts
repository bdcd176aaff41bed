// One remote command on its own ssh2 channel: bounded in time and output, stderr always drained (it
// shares the channel's window with stdout), and no exit status is a failure, never a success.
import type { Client, ClientChannel } from 'ssh2';
import type { ExecResult } from '../exec.js';
import { ExecError } from '../exec.js';
import { shQuote } from '../shell-quote.js';

export const MAX_STDOUT = 8 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;

/**
 * The command string for a POSIX script: sshd hands it to the user's login shell, which may be
 * fish or csh, so the script itself always runs under `sh`.
 */
export function remoteCommand(script: string): string {
  return `sh -c ${shQuote(script)}`;
}

/** Opens a session channel for `script`; the caller owns the channel. */
export function openChannel(client: Client, script: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(remoteCommand(script), (error, channel) => (error ? reject(new ExecError(`channel: ${error.message}`)) : resolve(channel)));
    } catch (error) {
      reject(new ExecError(`channel: ${(error as Error).message}`));
    }
  });
}

/**
 * Runs `script` and resolves with its output and exit code (non-zero is not an error: systemctl and
 * test(1) answer with codes). Rejects on abort, on a signal, on output past `maxStdout`, and when the
 * channel closes without an exit status (the connection went away). `release` is called once the
 * channel is closed on both sides, when the server has really given its session back.
 */
export async function runOnChannel(client: Client, script: string, signal: AbortSignal, maxStdout = MAX_STDOUT, release: () => void = () => {}): Promise<ExecResult> {
  let channel: ClientChannel;
  try {
    signal.throwIfAborted();
    channel = await openChannel(client, script);
  } catch (error) {
    release();
    throw error;
  }
  channel.once('close', release);
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let code: number | undefined;
    let killedBy: string | undefined;
    let settled = false;

    const finish = (error: Error | undefined, result?: ExecResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        channel.close();
        reject(error);
      } else {
        resolve(result!);
      }
    };
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new ExecError('stopped (deadline)'));
    signal.addEventListener('abort', onAbort, { once: true });

    channel.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) finish(new ExecError(`output larger than ${maxStdout} bytes`));
      else stdout.push(chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    channel.on('exit', (exitCode: number | null, signalName?: string) => {
      if (typeof exitCode === 'number') code = exitCode;
      else killedBy = signalName ?? 'unknown signal';
    });
    channel.on('close', () => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8').slice(0, MAX_STDERR);
      if (killedBy !== undefined) finish(new ExecError(`remote command killed by ${killedBy}`, { stdout: out, stderr: err, code: -1 }));
      else if (code === undefined) finish(new ExecError('no exit status from the host (connection lost?)', { stdout: out, stderr: err, code: -1 }));
      else finish(undefined, { stdout: out, stderr: err, code });
    });
    // The scripts read nothing: EOF on stdin at once, so a command that does read cannot wait for us.
    channel.end();
  });
}
