// A database client program started for a backup or a restore: streamed output, its stderr's last
// lines kept for the error message, stopped with the operation's signal, and its ending (code or
// signal) always read, since a dump killed half-way closes its output like one that finished.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ClientCommand } from './clients.js';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines it wrote to stderr, for messages. */
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  ended: Promise<Ending>;
}

const STDERR_KEPT = 4096;
/** How long a program told to stop (SIGTERM) gets before SIGKILL. */
const KILL_GRACE_MS = 3000;

/** What a program that could not start needs: which package has it. */
const PACKAGES: Record<string, string> = {
  pg_dump: 'the PostgreSQL client (postgresql-client)',
  pg_restore: 'the PostgreSQL client (postgresql-client)',
  psql: 'the PostgreSQL client (postgresql-client)',
  mysqldump: 'the MariaDB/MySQL client (mariadb-client)',
  mysql: 'the MariaDB/MySQL client (mariadb-client)',
  'redis-cli': 'redis-tools',
  'redis-check-rdb': 'redis-tools (redis-check-rdb)',
  'redis-server': 'redis-server',
  gzip: 'gzip',
};

/** Starts `command`; stdin is `input` (a stream piped in by the caller) or nothing. */
export function startClient(command: ClientCommand, signal: AbortSignal, stdin: 'pipe' | 'ignore' = 'ignore'): Running {
  const child = spawn(command.file, command.args, { env: { ...process.env, LC_ALL: 'C', ...command.env }, stdio: [stdin, 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  let killer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    killer.unref();
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const ended = new Promise<Ending>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', stop);
      reject(new BackupError(error.code === 'ENOENT' ? `${command.file} not found: install ${PACKAGES[command.file] ?? command.file}` : `${command.file}: ${error.message}`));
    });
    child.on('close', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      clearTimeout(killer);
      resolve({ code, signal: killedBy, stderr: stderr.trim() });
    });
  });
  return { child, ended };
}

/** Why a program's ending is a failure, or undefined when it exited 0. */
export function endingProblem(file: string, ending: Ending): string | undefined {
  const said = ending.stderr ? `: ${lastLines(ending.stderr)}` : '';
  if (ending.signal) return `${file} was killed by ${ending.signal}${said}`;
  if (ending.code !== 0) return `${file} exited with status ${ending.code}${said}`;
  return undefined;
}

/** The last lines of a program's stderr, on one line. */
export function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** Runs `command` to its end, its stdout read whole (small outputs: a size, a count, a table list). */
export async function runClient(command: ClientCommand, signal: AbortSignal, input?: NodeJS.ReadableStream): Promise<Ending & { stdout: string }> {
  const running = startClient(command, signal, input ? 'pipe' : 'ignore');
  let stdout = '';
  running.child.stdout?.setEncoding('utf8');
  running.child.stdout?.on('data', (chunk: string) => {
    if (stdout.length < 8 * 1024 * 1024) stdout += chunk;
  });
  if (input && running.child.stdin) {
    running.child.stdin.on('error', () => undefined);
    input.pipe(running.child.stdin);
  }
  const ending = await running.ended;
  return { ...ending, stdout };
}

/** Runs `command` and returns its stdout, or throws what went wrong. */
export async function query(command: ClientCommand, signal: AbortSignal, what: string): Promise<string> {
  const result = await runClient(command, signal);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  const problem = endingProblem(command.file, result);
  if (problem) throw new BackupError(`${what}: ${problem}`);
  return result.stdout;
}

/** A redis-cli reply: redis-cli exits 0 on an error reply (NOAUTH, WRONGPASS, ERR...), so the reply itself is read. */
export async function redisReply(command: ClientCommand, signal: AbortSignal, what: string): Promise<string> {
  const result = await runClient(command, signal);
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new BackupError('stopped');
  const problem = endingProblem(command.file, result);
  if (problem) throw new BackupError(`${what}: ${problem}`);
  const refused = /^(AUTH failed:.*)$/m.exec(result.stderr)?.[1] ?? /^((ERR|NOAUTH|WRONGPASS|NOPERM|LOADING|MISCONF)\b.*)$/.exec(result.stdout.trim())?.[1];
  if (refused) throw new BackupError(`${what}: ${refused}`);
  return result.stdout;
}
