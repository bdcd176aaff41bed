// Follows this machine's journal through journalctl -f, restarting it if it dies (a file is read by
// opsdeck itself: file-follower.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogSourceConfig } from '../../domain/model.js';
import { followCommand, followerOutput, INITIAL_LINES, RESTART_DELAYS_MS, type LogStream, type LogStreamHandlers } from './stream.js';

type JournalSource = Extract<LogSourceConfig, { kind: 'journal' }>;

export class LocalJournalFollower implements LogStream {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    readonly host: string,
    private readonly source: JournalSource,
  ) {}

  get label(): string {
    return this.source.label;
  }

  start(handlers: LogStreamHandlers, initialLines = INITIAL_LINES): void {
    this.stopped = false;
    const [command, args] = followCommand(this.source, initialLines);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    handlers.state('ok');
    const { out, err, lastNote } = followerOutput(handlers, {
      errorPrefix: '',
      journal: true,
      onLine: () => {
        this.failures = 0;
      },
    });
    let notInstalled = false;
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // A follower that is not installed stays an error: restarting it every few seconds changes nothing.
      notInstalled = error.code === 'ENOENT';
      handlers.state('error', notInstalled ? `${command}: not found on this machine` : error.message);
    });
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      if (this.stopped || this.child !== child || notInstalled) return;
      const delay = RESTART_DELAYS_MS[Math.min(this.failures, RESTART_DELAYS_MS.length - 1)]!;
      this.failures++;
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      handlers.state('error', `${command} ended (${why})${lastNote() ? `: ${lastNote()}` : ''}`, `restarting in ${delay / 1000}s`);
      this.restartTimer = setTimeout(() => {
        handlers.mark(`— ${command} restarted; lines written meanwhile may be missing —`);
        // The backlog was shown before the restart: resume with new lines only.
        this.start(handlers, 0);
      }, delay);
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }
}
