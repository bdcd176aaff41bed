// Follows logs on a remote host over a shared connection: one channel runs one follower script (a
// single log, or a bundle of files or of journal units) inside a wrapper that ends the script and
// everything it started when the channel's stdin closes (closing a channel without a pty leaves the
// command running on the host). Resumes after a reconnect and marks the gap in every log it carries.
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
 * `prelude` may set the positional parameters the command uses. On EOF the whole process group is
 * signalled: sshd makes each session its own group (setsid), so a bundle's tails, awks and sleeps
 * go with it; where the script does not lead a group, only the command itself is killed.
 */
export function followerScript(command: string, prelude = ''): string {
  return [
    'exec 3<&0 </dev/null',
    prelude,
    `${command} 3<&- &`,
    'p=$!',
    '{ cat <&3 >/dev/null 2>&1; kill -s TERM -- -$$ 2>/dev/null || kill $p 2>/dev/null; } &',
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

/** argv of one log's follower; refuses a path or unit that is not what it claims to be. */
function followArgv(source: LogSourceConfig, initialLines: number, sudo: boolean): string[] {
  const refusal = logSourceRefusal(source);
  if (refusal) throw new Error(refusal);
  const [command, args] = followCommand(source, initialLines);
  return [...(sudo ? ['sudo', '-n'] : []), command, ...args];
}

/** Why a configured log cannot be followed as written, or undefined when it can. */
export function logSourceRefusal(source: LogSourceConfig): string | undefined {
  if (source.kind === 'file' && !isSafeRemotePath(source.path)) return `log file ${JSON.stringify(source.path)} is not an absolute path`;
  if (source.kind === 'journal' && source.unit !== '' && !isValidUnitName(source.unit)) return `journal unit ${JSON.stringify(source.unit)} is not a unit name`;
  return undefined;
}

/** The exit status of the system log's script on a host that has none of the logs it looks for. */
const NO_SYSTEM_LOG_EXIT = 3;

/**
 * `logs: auto` on a remote host, decided on the host each time the follower starts: the journal
 * when it has entries, else the first readable classic syslog file, else it exits NO_SYSTEM_LOG_EXIT.
 */
export function systemLogScript(initialLines: number, sudo: boolean, files: readonly string[] = SYSTEM_LOG_FILES): string {
  const journal = followArgv({ kind: 'journal', unit: '', label: 'journal' }, initialLines, sudo);
  const probe = shJoin([...(sudo ? ['sudo', '-n'] : []), 'journalctl', '-n', '1', '-q', '--no-pager']);
  const branches = [`if command -v journalctl >/dev/null 2>&1 && [ -n "$(${probe} 2>/dev/null)" ]; then set -- ${shJoin(journal)}`];
  for (const file of files) {
    const argv = followArgv({ kind: 'file', path: file, label: file }, initialLines, sudo);
    branches.push(`elif [ -r ${shJoin([file])} ]; then set -- ${shJoin(argv)}`);
  }
  branches.push(`else exit ${NO_SYSTEM_LOG_EXIT}`, 'fi');
  return followerScript('"$@"', branches.join('\n'));
}

/** What a follower's script says by its exit status: the host has nothing to follow (no system log). */
export interface FollowerAbsence {
  exitCode: number;
  /** The words beside the host's state: "no system log". */
  absent: string;
  error: string;
  hint: string;
}

/** How often a host that had nothing to follow is looked at again (a journal may start later). */
const ABSENT_RETRY_MS = 60_000;
/** A script that can find nothing to follow is following once it has run this long without ending. */
const ABSENCE_SETTLE_MS = 2000;

/** One run's output as it becomes each log's lines, notes and states. */
export interface FollowerOutput {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  end(): void;
  /** The last note on stderr, for the message when the follower ends. */
  lastNote(): string;
}

/**
 * Decodes the output of one run of a follower script. `outlets[i]` is the handlers of log i while it
 * is started (undefined otherwise: its lines are dropped); `onLine` says the follower is healthy.
 */
export type OutputDecoder = (outlets: readonly (LogStreamHandlers | undefined)[], onLine: () => void) => FollowerOutput;

/** Log i's handlers as they are at the time of each call. */
export function outletOf(outlets: readonly (LogStreamHandlers | undefined)[], index: number): LogStreamHandlers {
  return {
    line: (text) => outlets[index]?.line(text),
    mark: (text) => outlets[index]?.mark(text),
    state: (status, error, hint, absent) => outlets[index]?.state(status, error, hint, absent),
  };
}

/** The decoder of a script that follows one log: stdout is its lines, stderr the follower's notes. */
function singleLogOutput(host: string, journal: boolean): OutputDecoder {
  return (outlets, onLine) => {
    const { out, err, lastNote } = followerOutput(outletOf(outlets, 0), { errorPrefix: `${host}: `, missingHint: 'waiting for it to appear', journal, onLine });
    return {
      stdout: (chunk) => out.push(chunk),
      stderr: (chunk) => err.push(chunk),
      end: () => {
        out.end();
        err.end();
      },
      lastNote,
    };
  };
}

type Status = { status: 'ok' | 'error'; error?: string; hint?: string; absent?: string };

/**
 * One follower channel carrying one or more logs (`streams`, in the order of `labels`). The channel
 * runs while at least one of its logs is started; states and gap markers go to every log it carries.
 */
export class SshFollower {
  readonly streams: LogStream[];
  private readonly outlets: (LogStreamHandlers | undefined)[];
  private channel: ClientChannel | undefined;
  private opening = false;
  private running = false;
  private unsubscribe: (() => void) | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everOpened = false;
  private generation: number | undefined;
  /** When the last channel's lines stopped (the host last heard from): the start of a gap to mark on resuming. */
  private gapSince: number | undefined;
  /** The last state told to every log, for a log started later. */
  private current: Status | undefined;

  constructor(
    readonly host: string,
    labels: readonly string[],
    private readonly connection: SshConnection,
    /** The follower script, showing `initialLines` old lines first (0 when resuming). */
    private readonly script: (initialLines: number) => string,
    private readonly decode: OutputDecoder,
    /** The exit status by which the script says there is nothing to follow on the host. */
    private readonly absence?: FollowerAbsence,
  ) {
    this.outlets = labels.map(() => undefined);
    this.streams = labels.map((label, index) => ({
      host,
      label,
      start: (handlers: LogStreamHandlers) => this.attach(index, handlers),
      stop: () => this.detach(index),
    }));
  }

  private attach(index: number, handlers: LogStreamHandlers): void {
    this.outlets[index] = handlers;
    if (this.running) {
      if (this.current) handlers.state(this.current.status, this.current.error, this.current.hint, this.current.absent);
      return;
    }
    this.running = true;
    this.current = undefined;
    this.unsubscribe = this.connection.onState((state) => this.onConnection(state));
  }

  private detach(index: number): void {
    this.outlets[index] = undefined;
    if (this.outlets.every((outlet) => outlet === undefined)) this.halt();
  }

  private halt(): void {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const channel = this.channel;
    this.channel = undefined;
    if (channel) {
      // EOF first: the wrapper's `cat` sees it and ends the follower on the host.
      channel.end();
      channel.close();
    }
  }

  private state(status: 'ok' | 'error', error?: string, hint?: string, absent?: string): void {
    this.current = { status, error, hint, absent };
    for (const outlet of this.outlets) outlet?.state(status, error, hint, absent);
  }

  private mark(text: string): void {
    for (const outlet of this.outlets) outlet?.mark(text);
  }

  private onConnection(state: ConnectionState): void {
    if (!this.running) return;
    if (state.status === 'ok') {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      if (!this.channel && !this.opening) void this.open();
    } else if (state.status !== 'connecting') {
      this.gapSince ??= this.everOpened ? (this.connection.lastHeard() ?? state.since) : undefined;
      this.state('error', `${this.host}: ${state.error ?? state.status}`, state.hint);
    }
  }

  private async open(): Promise<void> {
    let script: string;
    try {
      script = this.script(this.everOpened ? 0 : INITIAL_LINES);
    } catch (error) {
      // An invalid path or unit: nothing is sent, and retrying would not make it valid.
      this.state('error', `${this.host}: ${(error as Error).message}`);
      return;
    }
    this.opening = true;
    const queued = (): void => this.state('error', `${this.host}: waiting for a channel (at most ${this.connection.followerLimit} follower channels per connection, below sshd's MaxSessions)`);
    let opened: Awaited<ReturnType<SshConnection['openFollower']>>;
    try {
      opened = await this.connection.openFollower(script, queued);
    } catch (error) {
      this.opening = false;
      if (!this.running) return;
      // A host that is down is reported by onConnection, which reopens when it is back.
      if (error instanceof ConnectionDown) return;
      this.state('error', `${this.host}: ${(error as Error).message}`);
      this.scheduleRestart();
      return;
    }
    this.opening = false;
    if (!this.running) {
      opened.channel.end();
      opened.channel.close();
      return;
    }
    if (this.gapSince !== undefined) {
      const how = opened.generation !== this.generation ? `reconnected to ${this.host}` : 'follower restarted';
      this.mark(`— ${how}; lines written since ${formatClock(this.gapSince)} may be missing —`);
      this.gapSince = undefined;
    }
    this.everOpened = true;
    this.generation = opened.generation;
    this.follow(opened.channel, opened.exit);
  }

  private follow(channel: ClientChannel, exited: ChannelExit): void {
    this.channel = channel;
    // A script that may find nothing to follow says so by ending at once: until its first line, or
    // until it has run a while, it is not yet following anything (no "ok" then "down" every retry).
    let settling: NodeJS.Timeout | undefined;
    const settled = (): void => {
      clearTimeout(settling);
      settling = undefined;
      this.state('ok');
    };
    if (this.absence) settling = setTimeout(settled, ABSENCE_SETTLE_MS);
    else this.state('ok');
    const output = this.decode(this.outlets, () => {
      this.failures = 0;
      if (settling) settled();
    });
    channel.on('data', (chunk: Buffer) => output.stdout(chunk));
    channel.stderr.on('data', (chunk: Buffer) => output.stderr(chunk));
    channel.on('close', () => {
      clearTimeout(settling);
      output.end();
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (!this.running) return;
      // Lines stopped coming when the host was last heard from; a hung host is noticed only later.
      this.gapSince ??= this.connection.lastHeard() ?? Date.now();
      // Without an exit status the connection went: onConnection takes over when it comes back.
      if (exited.code === undefined && exited.signal === undefined) {
        this.scheduleRestart();
        return;
      }
      if (this.absence && exited.code === this.absence.exitCode) {
        // Nothing was followed, so nothing was missed: no gap to mark; looked for again now and then.
        this.gapSince = undefined;
        this.scheduleRestart(ABSENT_RETRY_MS);
        this.state('error', `${this.host}: ${this.absence.error}`, this.absence.hint, this.absence.absent);
        return;
      }
      const exit = exited.code === 127 ? `not found on ${this.host}` : exited.code !== undefined ? `exit code ${exited.code}` : `signal ${exited.signal}`;
      const delay = this.scheduleRestart();
      const note = output.lastNote();
      this.state('error', `${this.host}: follower ended (${exit})${note ? `: ${note}` : ''}`, `restarting in ${Math.round(delay / 1000)}s`);
    });
  }

  private scheduleRestart(after?: number): number {
    const delay = after ?? RESTART_DELAYS_MS[Math.min(this.failures, RESTART_DELAYS_MS.length - 1)]!;
    this.failures++;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running && !this.channel && !this.opening) void this.open();
    }, delay);
    return delay;
  }
}

/** A follower channel for one log whose script prints its lines as they are. */
export function singleLogFollower(host: string, label: string, connection: SshConnection, script: (initialLines: number) => string, absence?: FollowerAbsence): LogStream {
  return new SshFollower(host, [label], connection, script, singleLogOutput(host, true), absence).streams[0]!;
}

/** `logs: auto` on a remote host: the journal in JSON where there is one, else a syslog file's text, else a note of how to add one. */
export function systemLogFollower(host: string, connection: SshConnection, sudo: boolean, files: readonly string[] = SYSTEM_LOG_FILES): LogStream {
  return singleLogFollower(host, 'system log', connection, (lines) => systemLogScript(lines, sudo, files), {
    exitCode: NO_SYSTEM_LOG_EXIT,
    absent: 'no system log',
    error: `no system log found (no journal entries, no ${files.join(' or ')})`,
    hint: `Add one to the config: hosts: {${host}: {logs: [{file: /var/log/app.log}]}} (looked for again every minute)`,
  });
}
