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
 * fish or csh, so the script itself always runs under `sh`; `exec` replaces the login shell, one
 * process less per command and the script's own exit status or signal reported as is.
 */
export function remoteCommand(script: string): string {
  return `exec sh -c ${shQuote(script)}`;
}

/**
 * `script` ended on the host when its channel goes: closing a channel without a pty leaves its command
 * running. A watcher reads the channel's stdin (the script gets /dev/null, so one that reads stdin does
 * not wait for us) and, at its end (the channel closed at a deadline, or the connection gone), stops
 * the session's process group: OpenSSH makes one of every session, with the script's shell as its
 * leader, which the watcher checks first (another server may leave the session in its own group, and
 * after a normal end the shell is gone).
 */
export function boundToChannel(script: string): string {
  const stopGroup = 'read -r _ _ _ _ g _ </proc/$$/stat && [ "$g" = $$ ] && kill -TERM 0';
  return ['exec 3<&0 </dev/null', `{ cat <&3; ${stopGroup}; } >/dev/null 2>&1 &`, 'exec 3<&-', script].join('\n');
}

/** How a channel's command ended, filled in as soon as the host says. */
export interface ChannelExit {
  code?: number;
  signal?: string;
}

export interface OpenedChannel {
  channel: ClientChannel;
  exit: ChannelExit;
}

/**
 * Opens a session channel for `script`; the caller owns the channel. The exit status is caught in
 * the open callback itself: a fast command's output, exit status and close can arrive in the same
 * read as the open confirmation, and ssh2 emits 'exit' once, before any later listener exists.
 * (Output is buffered by the stream until read; only the event would be lost.)
 */
const SESSION_REFUSED_RETRIES = 3;
const SESSION_REFUSED_WAIT_MS = 150;

/**
 * Opens a session channel running `script`. sshd answers "open failed" when its MaxSessions are in
 * use, and it frees a session only once the session's child is reaped, which can trail the channel's
 * close that gave our slot back (or a close and the next open reach it in one read); a refusal while
 * we hold fewer slots than sshd allows is that brief race, so it is worth a short wait and another try.
 * A server that allows fewer sessions than opsdeck counts on refuses for good while idle poll shells
 * hold them: `onRefused` asks those to give theirs back before the next try.
 */
export async function openChannel(client: Client, script: string, signal?: AbortSignal, onRefused?: () => void): Promise<OpenedChannel> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openChannelOnce(client, script);
    } catch (error) {
      if (attempt >= SESSION_REFUSED_RETRIES || !/open failed/i.test((error as Error).message)) throw error;
      onRefused?.();
      await new Promise((resolve) => setTimeout(resolve, SESSION_REFUSED_WAIT_MS * (attempt + 1)));
      signal?.throwIfAborted();
    }
  }
}

function openChannelOnce(client: Client, script: string): Promise<OpenedChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(remoteCommand(script), (error, channel) => {
        if (error) {
          reject(new ExecError(`channel: ${error.message}`));
          return;
        }
        const exit: ChannelExit = {};
        channel.on('exit', (code: number | null, signal?: string) => {
          if (typeof code === 'number') exit.code = code;
          else exit.signal = signal ?? 'unknown signal';
        });
        resolve({ channel, exit });
      });
    } catch (error) {
      reject(new ExecError(`channel: ${(error as Error).message}`));
    }
  });
}

/**
 * Runs `script` and resolves with its output and exit code (non-zero is not an error: systemctl and
 * test(1) answer with codes). Rejects on abort, on a signal, on output past `maxStdout`, and when the
 * channel closes without an exit status (the connection went away); the channel is then closed, which
 * ends the script on the host. `release` is called once the channel is closed on both sides, when the
 * server has really given its session back.
 */
export async function runOnChannel(client: Client, script: string, signal: AbortSignal, maxStdout = MAX_STDOUT, release: () => void = () => {}, onRefused?: () => void): Promise<ExecResult> {
  let opened: OpenedChannel;
  try {
    signal.throwIfAborted();
    opened = await openChannel(client, boundToChannel(script), signal, onRefused);
  } catch (error) {
    release();
    throw error;
  }
  const { channel, exit } = opened;
  channel.once('close', release);
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
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
    // The deadline may have passed while the channel was opening: that listener would never fire.
    if (signal.aborted) onAbort();

    channel.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) finish(new ExecError(`output larger than ${maxStdout} bytes`));
      else stdout.push(chunk);
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    channel.on('close', () => {
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8').slice(0, MAX_STDERR);
      if (exit.signal !== undefined) finish(new ExecError(`remote command killed by ${exit.signal}`, { stdout: out, stderr: err, code: -1 }));
      else if (exit.code === undefined) finish(new ExecError('no exit status from the host (connection lost?)', { stdout: out, stderr: err, code: -1 }));
      else finish(undefined, { stdout: out, stderr: err, code: exit.code });
    });
    // stdin stays open: its end is what stops the command on the host (boundToChannel).
  });
}
