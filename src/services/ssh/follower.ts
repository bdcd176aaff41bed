// Follows a log on a remote host over the host's shared connection: `tail -F` or `journalctl -f`
// inside a wrapper that kills it when the channel's stdin closes (closing a channel without a pty
// leaves the command running on the host). Resumes after a reconnect and marks the gap.
import type { ClientChannel } from 'ssh2';
import { formatClock } from '../../domain/duration.js';
import { followCommand, followerOutput, INITIAL_LINES, RESTART_DELAYS_MS, SYSTEM_LOG_FILES, type LogStream, type LogStreamHandlers } from '../logs/stream.js';
import type { ConnectionState, LogSourceConfig } from '../../domain/model.js';
import { shJoin } from '../shell-quote.js';
import { isValidUnitName } from '../systemd/units.js';
import { ConnectionDown, type SshConnection } from './connection.js';
import type { ChannelExit } from './exec.js';
import { isSafeRemotePath } from './validate.js';


/**
 * Runs `command` (shell text) so that it ends when the channel's stdin reaches EOF, and the script
 * ends with the command's status when the command ends by itself (so "not found" reaches the pane).
 * `prelude` may set the positional parameters the command uses.
 */
export function followerScript(command: string, prelude = ''): string {
  return [
    'exec 3<&0 </dev/null',
    prelude,
    `${command} 3<&- &`,
    'p=$!',
    '{ cat <&3 >/dev/null 2>&1; kill $p 2>/dev/null; } &',
    'w=$!',
    'exec 3<&-',
    'wait $p',
    's=$?',
    'kill $w 2>/dev/null',
    'exit $s',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function followArgv(source: LogSourceConfig, initialLines: number, sudo: boolean): string[] {
  if (source.kind === 'file' && !isSafeRemotePath(source.path)) throw new Error(`log file ${JSON.stringify(source.path)} is not an absolute path`);
  if (source.kind === 'journal' && source.unit !== '' && !isValidUnitName(source.unit)) throw new Error(`journal unit ${JSON.stringify(source.unit)} is not a unit name`);
  const [command, args] = followCommand(source, initialLines);
  return [...(sudo ? ['sudo', '-n'] : []), command, ...args];
}

/** The follower script for one configured log source. */
export function logSourceScript(source: LogSourceConfig, initialLines: number, sudo: boolean): string {
  return followerScript(shJoin(followArgv(source, initialLines, sudo)));
}


/**
 * `logs: auto` on a remote host, decided on the host each time the follower starts: the journal
 * when it has entries, else the first readable classic syslog file.
 */
export function systemLogScript(initialLines: number, sudo: boolean, files: readonly string[] = SYSTEM_LOG_FILES): string {
  const journal = followArgv({ kind: 'journal', unit: '', label: 'journal' }, initialLines, sudo);
  const probe = shJoin([...(sudo ? ['sudo', '-n'] : []), 'journalctl', '-n', '1', '-q', '--no-pager']);
  const branches = [`if command -v journalctl >/dev/null 2>&1 && [ -n "$(${probe} 2>/dev/null)" ]; then set -- ${shJoin(journal)}`];
  for (const file of files) {
    const argv = followArgv({ kind: 'file', path: file, label: file }, initialLines, sudo);
    branches.push(`elif [ -r ${shJoin([file])} ]; then set -- ${shJoin(argv)}`);
  }
  const none = `no system log on this host: no journal entries, no ${files.join(' or ')}`;
  branches.push(`else echo ${shJoin([none])} >&2; exit 3`, 'fi');
  return followerScript('"$@"', branches.join('\n'));
}

export class SshLogFollower implements LogStream {
  private handlers: LogStreamHandlers | undefined;
  private channel: ClientChannel | undefined;
  private opening = false;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everOpened = false;
  private generation: number | undefined;
  /** When the last channel ended on its own: the start of a gap to mark on resuming. */
  private gapSince: number | undefined;

  constructor(
    readonly host: string,
    readonly label: string,
    private readonly connection: SshConnection,
    /** The follower script, showing `initialLines` old lines first (0 when resuming). */
    private readonly script: (initialLines: number) => string,
    /** Whether the script may follow the journal (its JSON entries are read as such). */
    private readonly journal: boolean,
  ) {}

  start(handlers: LogStreamHandlers): void {
    this.stop();
    this.stopped = false;
    this.handlers = handlers;
    this.unsubscribe = this.connection.onState((state) => this.onConnection(state));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      // EOF first: the wrapper's `cat` sees it and kills the follower on the host.
      channel.end();
      channel.close();
    }
  }

  private onConnection(state: ConnectionState): void {
    if (this.stopped) return;
    if (state.status === 'ok') {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      if (!this.channel && !this.opening) void this.open();
    } else if (state.status !== 'connecting') {
      this.gapSince ??= this.everOpened ? state.since : undefined;
      this.handlers?.state('error', `${this.host}: ${state.error ?? state.status}`, state.hint);
    }
  }

  private async open(): Promise<void> {
    let script: string;
    try {
      script = this.script(this.everOpened ? 0 : INITIAL_LINES);
    } catch (error) {
      // An invalid path or unit: nothing is sent, and retrying would not make it valid.
      this.handlers?.state('error', `${this.host}: ${(error as Error).message}`);
      return;
    }
    this.opening = true;
    const queued = (): void =>
      this.handlers?.state('error', `${this.host}: waiting for a channel (at most ${this.connection.followerLimit} log followers per host, below sshd's MaxSessions)`);
    let opened: Awaited<ReturnType<SshConnection['openFollower']>>;
    try {
      opened = await this.connection.openFollower(script, queued);
    } catch (error) {
      this.opening = false;
      if (this.stopped) return;
      // A host that is down is reported by onConnection, which reopens when it is back.
      if (error instanceof ConnectionDown) return;
      this.handlers?.state('error', `${this.host}: ${(error as Error).message}`);
      this.scheduleRestart();
      return;
    }
    this.opening = false;
    if (this.stopped) {
      opened.channel.end();
      opened.channel.close();
      return;
    }
    if (this.gapSince !== undefined) {
      const how = opened.generation !== this.generation ? `reconnected to ${this.host}` : 'follower restarted';
      this.handlers?.mark(`— ${how}; lines written since ${formatClock(this.gapSince)} may be missing —`);
      this.gapSince = undefined;
    }
    this.everOpened = true;
    this.generation = opened.generation;
    this.follow(opened.channel, opened.exit);
  }

  private follow(channel: ClientChannel, exited: ChannelExit): void {
    const handlers = this.handlers!;
    this.channel = channel;
    handlers.state('ok');
    const { out, err, lastNote } = followerOutput(handlers, {
      errorPrefix: `${this.host}: `,
      missingHint: 'waiting for it to appear',
      journal: this.journal,
      onLine: () => {
        this.failures = 0;
      },
    });
    channel.on('data', (chunk: Buffer) => out.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    channel.on('close', () => {
      out.end();
      err.end();
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (this.stopped) return;
      this.gapSince = Date.now();
      // Without an exit status the connection went: onConnection takes over when it comes back.
      if (exited.code === undefined && exited.signal === undefined) {
        this.scheduleRestart();
        return;
      }
      const exit = exited.code === 127 ? `not found on ${this.host}` : exited.code !== undefined ? `exit code ${exited.code}` : `signal ${exited.signal}`;
      const delay = this.scheduleRestart();
      handlers.state('error', `${this.host}: follower ended (${exit})${lastNote() ? `: ${lastNote()}` : ''}`, `restarting in ${Math.round(delay / 1000)}s`);
    });
  }

  private scheduleRestart(): number {
    const delay = RESTART_DELAYS_MS[Math.min(this.failures, RESTART_DELAYS_MS.length - 1)]!;
    this.failures++;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped && !this.channel && !this.opening) void this.open();
    }, delay);
    return delay;
  }
}
