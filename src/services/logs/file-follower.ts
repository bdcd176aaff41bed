// Follows a file on this machine as `tail -F` does (rotation by rename and recreate, truncation in
// place, a file missing or appearing later), read by opsdeck itself: while the file grows it is read
// every READ_EVERY_MS, not on every write. A busy log written a line at a time woke `tail` and then
// opsdeck on each write, and each wake-up cost more than the lines it brought (docs/PERFORMANCE.md
// change 21). A quiet file costs nothing: inotify (fs.watch) says when it is written again.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from './lines.js';
import { INITIAL_LINES, type LogStream, type LogStreamHandlers } from './stream.js';

/** How often a growing file is read: the lines wait at most this, then the flush that shows them. */
export const READ_EVERY_MS = 50;
/** How often the path is checked for rotation, truncation or a missing file appearing. */
export const CHECK_EVERY_MS = 1000;
/** One read's size; a larger burst takes several reads in a row. */
const READ_BYTES = 256 * 1024;

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
  private splitter: LineSplitter | undefined;
  private current: OpenFile | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by start and stop: a step begun before either drops what it finds. */
  private generation = 0;
  private stepping = false;
  private stepAgain = false;
  private checkedAt = 0;
  /** The note shown while the file cannot be opened, so it is said once, not every check. */
  private missing: string | undefined;
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
    this.generation++;
    this.handlers = handlers;
    this.splitter = new LineSplitter((line) => handlers.line(line));
    this.missing = undefined;
    const generation = this.generation;
    void this.openFile(true, generation).then(() => this.kick());
  }

  stop(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.disarm();
    void this.current?.handle.close().catch(() => {});
    this.current = undefined;
  }

  /** One step at a time: a wake-up during a step runs another after it. */
  private readonly kick = (): void => {
    if (this.stepping) {
      this.stepAgain = true;
      return;
    }
    this.stepping = true;
    void (async () => {
      const generation = this.generation;
      try {
        do {
          this.stepAgain = false;
          await this.step(generation);
        } while (this.stepAgain && generation === this.generation);
      } finally {
        this.stepping = false;
      }
    })();
  };

  private async step(generation: number): Promise<void> {
    if (!this.current) {
      if (await this.openFile(false, generation)) this.handlers!.mark(`'${this.source.path}' has appeared; following new file`);
    } else if (Date.now() - this.checkedAt >= CHECK_EVERY_MS) await this.checkPath(generation);
    if (generation !== this.generation) return;
    const file = this.current;
    if (!file) return this.wakeIn(CHECK_EVERY_MS);
    if (await this.read(file, generation)) {
      this.disarm();
      return this.wakeIn(READ_EVERY_MS);
    }
    // Quiet: inotify says when it is written next. Armed, then read once more, for a write between.
    if (this.arm() && !(await this.read(file, generation))) return this.wakeIn(CHECK_EVERY_MS);
    this.disarm();
    this.wakeIn(READ_EVERY_MS);
  }

  private wakeIn(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.kick, ms).unref();
  }

  /** Watches the open file for writes; false where inotify cannot (its limit reached), which leaves polling. */
  private arm(): boolean {
    if (this.watcher) return true;
    try {
      this.watcher = watch(this.source.path, { persistent: false }, this.kick);
      this.watcher.on('error', () => this.disarm());
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
    try {
      const handle = await open(path, 'r');
      const info = await handle.stat().catch(async (error: unknown) => {
        await handle.close();
        throw error;
      });
      if (info.isDirectory()) {
        await handle.close();
        throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
      }
      if (generation !== this.generation) {
        await handle.close();
        return false;
      }
      const file: OpenFile = { handle, ino: info.ino, position: 0 };
      this.current = file;
      this.checkedAt = Date.now();
      this.missing = undefined;
      if (atStart) await this.readBacklog(file, info.size);
      this.handlers!.state('ok');
      return true;
    } catch (error) {
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

  /** The file's last INITIAL_LINES lines (from at most its last READ_BYTES); following starts after them. */
  private async readBacklog(file: OpenFile, size: number): Promise<void> {
    const from = Math.max(0, size - this.buffer.length);
    const { bytesRead } = await file.handle.read(this.buffer, 0, size - from, from);
    file.position = from + bytesRead;
    let text = this.buffer.subarray(0, bytesRead);
    // A first line that began before the bytes read is not shown cut.
    if (from > 0) text = text.subarray(text.indexOf(10) + 1);
    // Back from the end (a last line without its newline yet counts as one) to the INITIAL_LINES-th line's start.
    let start = text.length;
    // (Buffer.lastIndexOf counts a negative offset from the end: below 2 there is no earlier line.)
    for (let lines = 0; start > 0 && lines < INITIAL_LINES; lines++) start = start >= 2 ? text.lastIndexOf(10, start - 2) + 1 : 0;
    this.splitter!.push(text.subarray(start));
  }

  /** Reads what was written since the last read; true when there was something. */
  private async read(file: OpenFile, generation: number): Promise<boolean> {
    let grew = false;
    for (;;) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, this.buffer.length, file.position);
      if (generation !== this.generation || bytesRead === 0) return grew;
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
    // Renamed away and not recreated yet: the old file is read on until the new one is there.
    if (info instanceof Error) return;
    if (info.ino !== file.ino) {
      await this.read(file, generation);
      if (generation !== this.generation) return;
      this.disarm();
      await file.handle.close().catch(() => {});
      this.current = undefined;
      if (await this.openFile(false, generation)) this.handlers!.mark(`'${path}' has been replaced; following new file`);
      return;
    }
    if (info.size < file.position) {
      file.position = 0;
      this.handlers!.mark(`${path}: file truncated`);
    }
  }
}
