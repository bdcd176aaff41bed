// Follows a log on this machine through tail -F or journalctl -f, restarting the follower if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogSourceConfig } from '../model.js';
import { LineSplitter } from './lines.js';
import { followCommand, INITIAL_LINES, interpretFollowerNote, type LogStream, type LogStreamHandlers } from './stream.js';

const RESTART_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

export class LocalLogFollower implements LogStream {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    readonly id: string,
    readonly host: string,
    private readonly source: LogSourceConfig,
  ) {}

  get label(): string {
    return this.source.label;
  }

  start(handlers: LogStreamHandlers, initialLines = INITIAL_LINES): void {
    this.stopped = false;
    const [command, args] = followCommand(this.source, initialLines);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    let healthy = true;
    handlers.state('ok');
    const out = new LineSplitter((line) => {
      if (!healthy) {
        healthy = true;
        handlers.state('ok');
      }
      this.failures = 0;
      handlers.line(line);
    });
    const err = new LineSplitter((note) => {
      const { kind, text } = interpretFollowerNote(note);
      if (kind === 'missing') {
        healthy = false;
        handlers.state('error', text, this.source.kind === 'file' ? `waiting for ${this.source.path} to appear` : undefined);
      } else {
        healthy = true;
        handlers.state('ok');
      }
      handlers.mark(text);
    });
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? `${command}: not found on this machine` : error.message;
      handlers.state('error', reason);
    });
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      if (this.stopped || this.child !== child) return;
      const delay = RESTART_DELAYS_MS[Math.min(this.failures, RESTART_DELAYS_MS.length - 1)]!;
      this.failures++;
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      handlers.state('error', `${command} ended (${why})`, `restarting in ${delay / 1000}s`);
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
