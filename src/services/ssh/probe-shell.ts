// One long-lived `sh` per poll source of a host, fed its scripts on stdin one after another: a
// channel per poll cost sshd a session (fork, login shell, `sh -c`, the channel watcher) and opsdeck
// a channel's open, requests and close, about 5 ms of opsdeck's CPU a poll against 2 through this
// shell (docs/PERFORMANCE.md, change 18), which is what a fleet of hundreds polled every 2 s needs.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import type { ExecResult } from '../exec.js';
import { ExecError } from '../exec.js';
import type { OpenedChannel } from './exec.js';
import { MAX_STDOUT } from './exec.js';
import { shQuote } from '../shell-quote.js';

const MAX_STDERR = 64 * 1024;
/** A shell no script came to for this long is closed: its source is not polled for now (a hidden pane, a slow retry). */
const IDLE_CLOSE_MS = 60_000;

/**
 * The shell's own command: the channel's stdin goes through `cat` into `sh -s`, and when it ends
 * (the channel closed at a deadline, or the connection gone) the session's process group is stopped,
 * a script still running included, as boundToChannel does for a one-off channel (exec.ts).
 */
export const PROBE_SHELL = [
  'exec 3<&0 </dev/null',
  '{ cat <&3; read -r _ _ _ _ g _ </proc/$$/stat && [ "$g" = $$ ] && kill -TERM 0; } 2>/dev/null | sh -s 3<&-',
].join('\n');

/** A shell channel opened on an exec slot, and the connection's calls for that slot (ChannelSlots). */
interface OpenedShell extends OpenedChannel {
  whenWaited(listener: () => void): () => void;
  /** Whether a channel waits for a slot now: a shell that opens then gives its slot back after its script. */
  starved(): boolean;
}

type OpenShell = (signal: AbortSignal) => Promise<OpenedShell>;

interface Shell {
  opened: OpenedShell;
  /** Ends each script's output on both streams, with its exit status on stdout; random, so no output can end a script early. */
  nonce: string;
  /** The script under way, told of each chunk and of the channel's end. */
  current?: Pending;
  /** Another channel waits for a slot: the shell gives its own back once its script is done. */
  wanted: boolean;
}

interface Pending {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  closed(): void;
}

/**
 * One stream of a script's output, up to the trailer that ends it: a line `<nonce>` and, on stdout,
 * ` <exit status>`, after a newline of its own. The trailer is the last thing the shell writes for
 * a script, so it is looked for only at the very end of what came, never inside the output.
 */
class TrailedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;
  private tail = '';
  private readonly ending: RegExp;
  /** The trailer's text after the nonce (the exit status on stdout), once it came. */
  trailer: string | undefined;

  constructor(
    private readonly marker: string,
    /** Bytes kept; past them the rest is dropped (stderr) or the caller gives up (stdout). */
    private readonly keep: number,
  ) {
    this.ending = new RegExp(`\\n${marker}(| \\d+)\\n$`);
  }

  /** The output's own bytes (the trailer not counted once it came). */
  get bytes(): number {
    return this.total - (this.trailer === undefined ? 0 : this.marker.length + this.trailer.length + 2);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept < this.keep + this.marker.length + 32) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    }
    // The nonce is hex and the status digits: latin1 keeps them byte for byte.
    const room = this.marker.length + 32;
    this.tail = (this.tail + chunk.subarray(-room).toString('latin1')).slice(-room);
    const found = this.ending.exec(this.tail);
    if (found) this.trailer = found[1]!;
  }

  /** The output without its trailer, at most `keep` bytes of it. */
  text(): string {
    return Buffer.concat(this.chunks).subarray(0, Math.min(this.keep, this.bytes)).toString('utf8');
  }
}

export class ProbeShell {
  private shell: Shell | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly open: OpenShell) {}

  /**
   * Runs `script` (a POSIX script, in a subshell so nothing it sets outlives it) and resolves as
   * a channel of its own would: output and exit code, a non-zero code an answer, not an error.
   * Rejects on abort or output past `maxStdout`, ending the shell and whatever it runs; the next
   * script starts a new shell.
   */
  run(script: string, signal: AbortSignal, maxStdout = MAX_STDOUT): Promise<ExecResult> {
    const turn = this.queue.then(() => this.runNow(script, signal, maxStdout));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runNow(script: string, signal: AbortSignal, maxStdout: number): Promise<ExecResult> {
    // Before the idle timer is cleared: a run whose deadline passed while it waited its turn leaves
    // the shell's idle close in place.
    signal.throwIfAborted();
    clearTimeout(this.idleTimer);
    const shell = this.shell ?? (this.shell = this.start(await this.open(signal)));
    try {
      const result = await this.exchange(shell, script, signal, maxStdout);
      if (shell.wanted) this.end(shell);
      else this.idleTimer = setTimeout(() => this.end(shell), IDLE_CLOSE_MS).unref();
      return result;
    } catch (error) {
      // A deadline or a flood: the script may still run, and closing the channel stops it (PROBE_SHELL).
      this.end(shell);
      throw error;
    }
  }

  private end(shell: Shell): void {
    if (this.shell === shell) this.shell = undefined;
    shell.opened.channel.close();
  }

  private start(opened: OpenedShell): Shell {
    // A channel that waited for a slot before this shell opened would not hear it give its own back.
    const shell: Shell = { opened, nonce: `@opsdeck-end-${randomBytes(8).toString('hex')}`, wanted: opened.starved() };
    const { channel } = opened;
    // Held while idle, the slot would keep an operation's channel (a restart, a flag) waiting.
    const unsubscribe = opened.whenWaited(() => {
      shell.wanted = true;
      if (!shell.current) this.end(shell);
    });
    // Output while no script runs (a process a script left behind, still writing) would be read as
    // the next script's: that shell is not to be trusted again.
    channel.on('data', (chunk: Buffer) => (shell.current ? shell.current.stdout(chunk) : this.end(shell)));
    channel.stderr.on('data', (chunk: Buffer) => (shell.current ? shell.current.stderr(chunk) : this.end(shell)));
    channel.on('close', () => {
      unsubscribe();
      if (this.shell === shell) this.shell = undefined;
      shell.current?.closed();
    });
    return shell;
  }

  private exchange(shell: Shell, script: string, signal: AbortSignal, maxStdout: number): Promise<ExecResult> {
    const channel: ClientChannel = shell.opened.channel;
    const stdout = new TrailedOutput(shell.nonce, maxStdout);
    const stderr = new TrailedOutput(shell.nonce, MAX_STDERR);
    return new Promise<ExecResult>((resolve, reject) => {
      const finish = (error?: Error): void => {
        if (shell.current !== pending) return;
        shell.current = undefined;
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else
          resolve({ stdout: stdout.text(), stderr: stderr.text(), code: Number(stdout.trailer) });
      };
      const settleIfDone = (): void => {
        if (stdout.trailer !== undefined && stderr.trailer !== undefined) finish();
      };
      const pending: Pending = {
        stdout: (chunk) => {
          stdout.push(chunk);
          if (stdout.bytes > maxStdout + (stdout.trailer === undefined ? 64 : 0)) finish(new ExecError(`output larger than ${maxStdout} bytes`));
          else settleIfDone();
        },
        stderr: (chunk) => {
          stderr.push(chunk);
          settleIfDone();
        },
        closed: () => finish(new ExecError('no exit status from the host (connection lost?)', { stdout: stdout.text(), stderr: stderr.text(), code: -1 })),
      };
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new ExecError('stopped (deadline)'));
      shell.current = pending;
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) {
        onAbort();
        return;
      }
      // The script reaches the shell quoted and is parsed by eval in the subshell: a syntax error in
      // it is the subshell's exit status 2, where parsed by the shell itself it would end the shell.
      // Each printf's leading newline ends output that has none, so the trailer starts a line; it is
      // taken off again with the trailer.
      channel.write(`( eval ${shQuote(script)} ) </dev/null\nprintf '\\n%s %s\\n' ${shell.nonce} "$?"\nprintf '\\n%s\\n' ${shell.nonce} >&2\n`);
    });
  }
}
