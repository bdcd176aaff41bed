// Drives a real terminal: opsdeck runs in a tmux pane, keys go in with send-keys, the screen comes
// back with capture-pane, exactly what an operator would see.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { waitFor } from './wait.js';

export class TmuxTerminal {
  readonly session = `opsdeck-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    command: string,
    readonly columns: number,
    readonly rows: number,
    private readonly exitFile: string,
  ) {
    // A tmux server of its own (-L): a shared one exits when its last session ends, and a test starting
    // a session just then fails with "server exited unexpectedly"; nor can anyone's kill-server reach it.
    // The pane stays after the program ends so the restored screen can be read; the exit code goes to a file.
    execFileSync('tmux', ['-L', this.session, 'new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), `${command}; echo $? > ${exitFile}; sleep 60`]);
  }

  screen(): string {
    return execFileSync('tmux', ['-L', this.session, 'capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
  }

  /**
   * The screen with every line as wide as the terminal, trailing blanks kept (`capture-pane -N`): what
   * sits in each line's last column, as tmux itself counted the cells (a wide character is one
   * character here and two cells there).
   */
  cellScreen(): string {
    return execFileSync('tmux', ['-L', this.session, 'capture-pane', '-p', '-N', '-t', this.session], { encoding: 'utf8' });
  }

  /** The screen with its attributes as escape sequences (`capture-pane -e`): what colours and styles are on it. */
  styledScreen(): string {
    return execFileSync('tmux', ['-L', this.session, 'capture-pane', '-p', '-e', '-t', this.session], { encoding: 'utf8' });
  }

  /** What tmux knows of the pane's modes: the alternate screen, and whether the cursor is shown. */
  modes(): { alternateScreen: boolean; cursorVisible: boolean } {
    const [alternate, cursor] = execFileSync('tmux', ['-L', this.session, 'display', '-p', '-t', this.session, '#{alternate_on} #{cursor_flag}'], { encoding: 'utf8' }).trim().split(' ');
    return { alternateScreen: alternate === '1', cursorVisible: cursor === '1' };
  }

  /** The pid of the shell running the pane's command. */
  panePid(): number {
    return Number(execFileSync('tmux', ['-L', this.session, 'display', '-p', '-t', this.session, '#{pane_pid}'], { encoding: 'utf8' }).trim());
  }

  keys(...keys: string[]): void {
    for (const key of keys) execFileSync('tmux', ['-L', this.session, 'send-keys', '-t', this.session, key]);
  }

  resize(columns: number, rows: number): void {
    execFileSync('tmux', ['-L', this.session, 'resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows)]);
  }

  async waitForScreen(predicate: (screen: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(what, () => {
        last = this.screen();
        return predicate(last) ? last : undefined;
      }, timeoutMs, 100);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- screen ---\n${last}`, { cause: error });
    }
  }

  async exitCode(timeoutMs = 10_000): Promise<number> {
    // Not there until the program ends: waitFor asks again while reading it fails.
    const text = await waitFor('the program to exit', () => readFileSync(this.exitFile, 'utf8').trim() || undefined, timeoutMs);
    return Number(text);
  }

  kill(): void {
    try {
      const socket = execFileSync('tmux', ['-L', this.session, 'display', '-p', '#{socket_path}'], { encoding: 'utf8' }).trim();
      execFileSync('tmux', ['-L', this.session, 'kill-server'], { stdio: 'ignore' });
      // tmux leaves its socket file behind.
      rmSync(socket, { force: true });
    } catch {
      // Already gone.
    }
  }
}
