// Runs an operator command on an SSH host over its shared connection, output streamed as it comes.
// Closing a channel without a pty leaves its command running on the host, so the command runs inside
// a wrapper that ends it when the channel's stdin reaches EOF: at the deadline opsdeck sends that
// EOF, and the wrapper sends TERM to the command's process group (what it started included), KILL a
// moment later. A connection that drops ends the stdin too.
import type { ClientChannel } from 'ssh2';
import { StringDecoder } from 'node:string_decoder';
import { KILL_AFTER_MS, type ShellControl, type ShellRunOptions, type ShellRunResult } from '../../domain/shell-command.js';
import { shQuote } from '../shell-quote.js';
import type { SshConnection } from './connection.js';
import type { ChannelExit } from './exec.js';

/** After the EOF at the deadline, how long the host has to end the command and close the channel. */
const CLOSE_GRACE_MS = KILL_AFTER_MS + 3000;
/** After the exit status, how long output still held open by something the command left running is read. */
const DRAIN_MS = 500;

/**
 * The script sent: `command` under `sh -c` in a session of its own (setsid, where the host has it),
 * and a watcher that waits for EOF on the channel's stdin, then signals the whole group. When the
 * command ends by itself the watcher is killed first, so what it left running in the background on
 * purpose (`nohup ... &`) is left alone. The script exits with the command's status.
 */
export function operatorCommandScript(command: string): string {
  const run = `sh -c ${shQuote(command)} 3<&-`;
  const kill = Math.ceil(KILL_AFTER_MS / 1000);
  return [
    'exec 3<&0 </dev/null',
    `if command -v setsid >/dev/null 2>&1; then setsid ${run} & else ${run} & fi`,
    'p=$!',
    // After the EOF the watcher ignores TERM, so the wrapper's own kill below cannot stop the KILL.
    `{ cat <&3 >/dev/null 2>&1; trap '' TERM; kill -TERM -$p 2>/dev/null || kill -TERM $p; sleep ${kill}; kill -KILL -$p 2>/dev/null; } >/dev/null 2>&1 &`,
    'w=$!',
    'exec 3<&-',
    // Quiet: the shell would report a job ended by a signal ("Terminated") as if the command had said it.
    'wait $p 2>/dev/null',
    's=$?',
    'kill $w 2>/dev/null',
    'exit $s',
  ].join('\n');
}

function stream(channel: ClientChannel, exit: ChannelExit, { timeoutMs, signal, output }: ShellRunOptions, started: number, deadline: AbortSignal): Promise<ShellRunResult> {
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let stoppedBy: 'timeout' | 'aborted' | undefined;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const decoders = [new StringDecoder('utf8'), new StringDecoder('utf8')] as const;
    channel.on('data', (chunk: Buffer) => output(decoders[0].write(chunk)));
    channel.stderr.on('data', (chunk: Buffer) => output(decoders[1].write(chunk)));
    const exited = (): Omit<ShellRunResult, 'durationMs'> => ({
      ended: stoppedBy ?? (exit.code === undefined && exit.signal === undefined ? 'error' : 'exit'),
      ...(exit.code !== undefined ? { code: exit.code } : {}),
      ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
      ...(exit.code === undefined && exit.signal === undefined ? { error: stoppedBy ? 'the host did not say how the command ended' : 'no exit status from the host (connection lost?)' } : {}),
    });
    const finish = (result: Omit<ShellRunResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      clearTimeout(drainTimer);
      deadline.removeEventListener('abort', onDeadline);
      channel.removeListener('exit', onExit);
      channel.close();
      for (const decoder of decoders) {
        const rest = decoder.end();
        if (rest) output(rest);
      }
      resolve({ ...result, durationMs: elapsed() });
    };
    const onDeadline = () => {
      if (stoppedBy || exit.code !== undefined || exit.signal !== undefined) return;
      stoppedBy = signal.aborted ? 'aborted' : 'timeout';
      // EOF: the wrapper's watcher ends the command on the host.
      channel.end();
      graceTimer = setTimeout(() => finish({ ...exited(), ended: stoppedBy!, error: `the host did not end the command within ${CLOSE_GRACE_MS / 1000} s of the ${stoppedBy === 'timeout' ? `${timeoutMs / 1000} s deadline` : 'abort'}` }), CLOSE_GRACE_MS);
    };
    const onExit = () => {
      drainTimer ??= setTimeout(() => finish(exited()), DRAIN_MS);
    };
    channel.on('close', () => finish(exited()));
    channel.on('exit', onExit);
    // A fast command's status may have come with the channel's confirmation, before these listeners.
    if (exit.code !== undefined || exit.signal !== undefined) onExit();
    deadline.addEventListener('abort', onDeadline, { once: true });
    if (deadline.aborted) onDeadline();
  });
}

export function remoteShell(connection: SshConnection): ShellControl {
  return {
    async run(command, options) {
      const started = performance.now();
      // One deadline from the start: waiting for the connection or a channel counts against it.
      const deadline = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
      try {
        const { channel, exit } = await connection.openCommand(operatorCommandScript(command), deadline);
        return await stream(channel, exit, options, started, deadline);
      } catch (error) {
        const ended = options.signal.aborted ? 'aborted' : deadline.aborted ? 'timeout' : 'error';
        const why = ended === 'timeout' ? `no connection within ${options.timeoutMs / 1000} s` : ended === 'aborted' ? 'stopped before it started' : (error as Error).message;
        return { ended, error: why, durationMs: Math.round(performance.now() - started) };
      }
    },
  };
}
