// Follows a file on this machine as `tail -F` does (rotation by rename and recreate, truncation in
// place, a file missing or appearing later), read by opsdeck itself. `tail` passes each write on as
// it comes, so a log written a line at a time woke `tail` and then opsdeck on every write, each
// wake-up costing more than its lines (docs/PERFORMANCE.md change 21). Here a quiet file waits on
// inotify (fs.watch); once written, it is read, and then read again only when the screen is about to
// show its lines (`pull`, before each flush) for as long as it keeps growing: a few reads a second
// however busy the log.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ByteLineSplitter } from './lines.js';
import { INITIAL_LINES, type LogStream, type LogStreamHandlers } from './stream.js';

/**
 * How often the path is checked for rotation, truncation or a missing file appearing, and the file
 * read whatever inotify said (a network filesystem has no inotify; `tail -F` polls once a second too).
 */
export const CHECK_EVERY_MS = 1000;
/** One read's size, a pipe's worth: a burst is taken in several reads, keys and frames handled between them. */
const READ_BYTES = 64 * 1024;
/** How much of a file's end is read for its last INITIAL_LINES lines (200 long JSON lines fit). */
const BACKLOG_BYTES = 1024 * 1024;

type FileSource = { kind: 'file'; path: string; label: string };

interface OpenFile {
  handle: FileHandle;
  ino: number;
  position: number;
}

/** The words `tail` uses for these, so a note reads the same whichever follower wrote it. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (error as Error).message;
}

export class LocalFileFollower implements LogStream {
  private handlers: LogStreamHandlers | undefined;
  private splitter: ByteLineSplitter | undefined;
  private current: OpenFile | undefined;
  private watcher: FSWatcher | undefined;
  private checker: NodeJS.Timeout | undefined;
  /** Bumped by start and stop: a step begun before either drops what it finds. */
  private generation = 0;
  /** Steps run one after another; a step asked for while one waits to start is that one. */
  private steps: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private checkedAt = 0;
  /** The last read failed: the next that does not says the file is followed again. */
  private failing = false;
  /** The note shown while the file cannot be opened, so it is said once, not every check. */
  private missing: string | undefined;
  /** The note shown while the path of the file being read is gone (deleted, renamed away), said once. */
  private gone: string | undefined;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);

  constructor(
    readonly host: string,
    private readonly source: FileSource,
  ) {}

  get file(): string {
    return this.source.path;
  }

  get label(): string {
    return this.source.label;
  }

  start(handlers: LogStreamHandlers): void {
    this.stop();
    const generation = ++this.generation;
    this.handlers = handlers;
    this.splitter = new ByteLineSplitter(handlers.bytes ? handlers.bytes.bind(handlers) : (bytes, start, end) => handlers.line(bytes.toString('utf8', start, end)));
    this.missing = undefined;
    this.gone = undefined;
    // openFile says its own failures: nothing to catch here.
    this.steps = this.steps.then(() => this.openFile(true, generation)).then(() => undefined);
    void this.pull();
    this.checker = setInterval(() => void this.pull(), CHECK_EVERY_MS).unref();
  }

  stop(): void {
    this.generation++;
    this.waiting = undefined;
    clearInterval(this.checker);
    this.checker = undefined;
    this.disarm();
    const file = this.current;
    this.current = undefined;
    // After any step still reading it.
    if (file) this.steps = this.steps.then(() => file.handle.close()).catch(() => undefined);
  }

  /** Reads what the file has now: before a flush, when inotify says it was written, and each second. */
  pull(): Promise<void> {
    if (this.waiting) return this.waiting;
    const generation = this.generation;
    const step = this.steps.then(() => {
      this.waiting = undefined;
      return this.step(generation);
    });
    this.waiting = step;
    this.steps = step.catch((error: unknown) => this.readFailed(error, generation));
    return this.steps;
  }

  /** A read that failed (EIO on a dying disk, a stale NFS handle) is said; the next pull tries again. */
  private readFailed(error: unknown, generation: number): void {
    if (generation !== this.generation) return;
    this.failing = true;
    this.handlers!.state('error', `cannot read '${this.source.path}': ${reason(error)}`);
  }

  private async step(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    if (!this.current) {
      if (await this.openFile(false, generation)) this.handlers!.mark(`'${this.source.path}' has appeared; following new file`);
    } else if (Date.now() - this.checkedAt >= CHECK_EVERY_MS) await this.checkPath(generation);
    const file = this.current;
    if (!file || generation !== this.generation) return;
    // Growing: the flush that shows these lines pulls the next ones, so no write wakes opsdeck meanwhile.
    let grew = await this.read(file, generation);
    if (generation !== this.generation) return;
    // Nothing new: shrunk in place? (inotify wakes us for a truncation too, as it woke tail.)
    if (!grew && (await file.handle.stat()).size < file.position && generation === this.generation) {
      this.truncated(file);
      grew = await this.read(file, generation);
      if (generation !== this.generation) return;
    }
    if (grew) return this.disarm();
    if (this.watcher || generation !== this.generation || !this.arm()) return;
    // Quiet, and inotify armed from now on: a write between the read and the arming is read now.
    if ((await this.read(file, generation)) && generation === this.generation) this.disarm();
  }

  private pathGone(error: unknown): void {
    const note = `'${this.source.path}' has become inaccessible: ${reason(error)}`;
    if (this.gone === note) return;
    this.gone = note;
    this.handlers!.mark(`${note}; reading the file it named until the path is back`);
    this.handlers!.state('error', note, `reading the file it named until ${this.source.path} is back`);
  }

  private truncated(file: OpenFile): void {
    file.position = 0;
    this.handlers!.mark(`${this.source.path}: file truncated`);
  }

  /** False where inotify cannot watch (its limit reached): the check each second reads the file then. */
  private arm(): boolean {
    try {
      this.watcher = watch(this.source.path, { persistent: false }, () => void this.pull());
      this.watcher.on('error', () => {
        this.disarm();
        void this.pull();
      });
      return true;
    } catch {
      return false;
    }
  }

  private disarm(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Opens the path: at its end (its last lines shown first) when starting, else from its start. */
  private async openFile(atStart: boolean, generation: number): Promise<boolean> {
    const path = this.source.path;
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const info = await handle.stat();
      if (info.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
      if (generation !== this.generation) {
        await handle.close();
        return false;
      }
      const file: OpenFile = { handle, ino: info.ino, position: 0 };
      this.current = file;
      this.checkedAt = Date.now();
      this.missing = undefined;
      if (atStart) await this.readBacklog(file, info.size, generation);
      if (generation !== this.generation) return false;
      this.handlers!.state('ok');
      return true;
    } catch (error) {
      if (handle && this.current?.handle !== handle) await handle.close().catch(() => undefined);
      if (generation !== this.generation) return false;
      const note = `cannot open '${path}' for reading: ${reason(error)}`;
      if (this.missing !== note) {
        this.missing = note;
        this.handlers!.state('error', note, `waiting for ${path} to appear`);
        this.handlers!.mark(note);
      }
      return false;
    }
  }

  /** The file's last INITIAL_LINES lines (from at most its last BACKLOG_BYTES); following starts after them. */
  private async readBacklog(file: OpenFile, size: number, generation: number): Promise<void> {
    const from = Math.max(0, size - BACKLOG_BYTES);
    const end = Buffer.allocUnsafe(size - from);
    const { bytesRead } = await file.handle.read(end, 0, end.length, from);
    if (generation !== this.generation) return;
    file.position = from + bytesRead;
    let text = end.subarray(0, bytesRead);
    // A first line that began before the bytes read is not shown cut.
    if (from > 0) text = text.subarray(text.indexOf(10) + 1);
    // Back from the end (a last line without its newline yet counts as one) to the INITIAL_LINES-th line's
    // start. Buffer.lastIndexOf counts a negative offset from the end: below 2 there is no earlier line.
    let start = text.length;
    for (let lines = 0; start > 0 && lines < INITIAL_LINES; lines++) start = start >= 2 ? text.lastIndexOf(10, start - 2) + 1 : 0;
    this.splitter!.push(text.subarray(start));
  }

  /** Reads what was written since the last read; true when there was something. */
  private async read(file: OpenFile, generation: number): Promise<boolean> {
    let grew = false;
    for (;;) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, this.buffer.length, file.position);
      if (generation !== this.generation) return grew;
      if (this.failing) {
        this.failing = false;
        this.handlers!.state('ok');
      }
      if (bytesRead === 0) return grew;
      grew = true;
      file.position += bytesRead;
      this.splitter!.push(this.buffer.subarray(0, bytesRead));
      if (bytesRead < this.buffer.length) return grew;
    }
  }

  /** Whether the path now names another file (rotated: the old one read to its end first) or the file shrank (truncated). */
  private async checkPath(generation: number): Promise<void> {
    this.checkedAt = Date.now();
    const file = this.current!;
    const path = this.source.path;
    const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (generation !== this.generation) return;
    // Deleted, or renamed away and not recreated yet: the old file is read on (a writer may still hold
    // it) until the path is back, and the operator told, as tail -F does, since nothing may come.
    if (info instanceof Error) return this.pathGone(info);
    if (this.gone) {
      this.gone = undefined;
      if (info.ino === file.ino) this.handlers!.state('ok');
    }
    if (info.ino !== file.ino) {
      await this.read(file, generation);
      if (generation !== this.generation) return;
      this.disarm();
      this.current = undefined;
      await file.handle.close().catch(() => undefined);
      if (await this.openFile(false, generation)) this.handlers!.mark(`'${path}' has been replaced; following new file`);
      return;
    }
    if (info.size < file.position) this.truncated(file);
  }
}
