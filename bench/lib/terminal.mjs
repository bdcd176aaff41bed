// A tool under measurement in a terminal of its own: a private tmux server (one per tool, so one
// tool's output never slows another's terminal), the pane's output piped into a FIFO the bench reads
// as it arrives (bytes to the terminal, and when a given text first reached the screen), and the CPU
// and RSS of the pane's whole process tree read from /proc.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Every pid below `root` (itself included), from one read of /proc. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i]) ?? []));
  return found;
}

/**
 * CPU seconds of a process tree: each live process's own time plus what its reaped children used
 * (cutime/cstime), so a `ps` that ran and exited inside the window is counted in its parent.
 */
export function treeCpuSeconds(root) {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // Gone meanwhile: its time is now in its parent's cutime.
    }
  }
  return ticks / CLOCK_TICKS;
}

/** Sum of VmRSS over the tree, in MiB. */
export function treeRssMiB(root) {
  let kib = 0;
  for (const pid of processTree(root)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kib / 1024;
}

const live = new Set();
// A bench stopped half-way (Ctrl-C: bench/run.mjs exits on it) leaves no tmux server running.
process.on('exit', () => {
  for (const terminal of live) terminal.stop();
});

export class Terminal {
  /** @param {{ name: string, command: string, env?: Record<string,string>, columns?: number, rows?: number, cwd?: string }} options */
  constructor({ name, command, env = {}, columns = 200, rows = 50, cwd }) {
    this.name = name;
    this.dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
    this.socket = join(this.dir, 'tmux.sock');
    this.bytes = 0;
    this.tail = '';
    this.waiters = [];
    const fifo = join(this.dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    // Read and write: the FIFO never reports end-of-file between tmux's writers, and opening it does not block.
    this.fd = openSync(fifo, 'r+');
    this.stream = new Socket({ fd: this.fd, readable: true, writable: false });
    this.stream.on('data', (chunk) => this.onOutput(chunk));
    const vars = Object.entries({ LANG: 'C.UTF-8', TERM: 'xterm-256color', ...env }).map(([k, v]) => `${k}=${shellQuote(v)}`);
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(columns), '-y', String(rows), ...(cwd ? ['-c', cwd] : []), `exec env ${vars.join(' ')} ${command}`);
    this.tmux('set-option', '-g', 'status', 'off');
    this.tmux('pipe-pane', '-t', 'bench', `exec cat > ${shellQuote(fifo)}`);
    this.pid = Number(this.tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
    live.add(this);
  }

  tmux(...args) {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  onOutput(chunk) {
    const at = Date.now();
    this.bytes += chunk.length;
    const text = this.tail + chunk.toString('latin1');
    this.waiters = this.waiters.filter((w) => {
      if (!text.includes(w.needle)) return true;
      w.resolve(at);
      return false;
    });
    this.tail = text.slice(-256);
  }

  /** Date.now() of the first output, from now on, that holds `needle` (undefined after `timeoutMs`). */
  waitForOutput(needle, timeoutMs) {
    return new Promise((resolve) => {
      const waiter = { needle, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
    });
  }

  screen() {
    return this.tmux('capture-pane', '-p', '-t', 'bench');
  }

  async waitForScreen(predicate, timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (predicate(this.screen())) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  keys(...keys) {
    this.tmux('send-keys', '-t', 'bench', ...keys);
  }

  cpuSeconds() {
    return treeCpuSeconds(this.pid);
  }

  rssMiB() {
    return treeRssMiB(this.pid);
  }

  stop() {
    live.delete(this);
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    this.stream.destroy();
    try {
      closeSync(this.fd);
    } catch {
      // Closed with the stream.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}
