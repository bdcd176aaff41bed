// Splits a byte stream into lines: a line that never ends (a megabyte of JSON, a binary file) is cut
// instead of growing memory without bound. Splitting happens on the bytes, where a newline is never
// part of a multi-byte character, so a character cut by a chunk boundary is whole in its line.

/** Receives a line as the bytes between `start` and `end`, without its newline: valid only during the call. */
export type ByteLineHandler = (bytes: Buffer, start: number, end: number) => void;

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

export class ByteLineSplitter {
  /** The unfinished line's bytes so far, at most `maxPending` of them. */
  private pending = Buffer.allocUnsafe(256);
  private pendingLength = 0;
  /** The line in progress passed `maxPending`: what it was is out, the rest is dropped up to its newline. */
  private discarding = false;

  constructor(
    private readonly onLine: ByteLineHandler,
    private readonly maxPending = 64 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let from = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, from)) {
      if (this.discarding) this.discarding = false;
      else if (this.pendingLength === 0) this.emit(bytes, from, newline);
      else {
        // Ends a line begun in an earlier chunk: it is emitted whole, or cut at `maxPending`.
        this.keep(bytes, from, newline);
        this.emit(this.pending, 0, this.pendingLength);
      }
      this.pendingLength = 0;
      from = newline + 1;
    }
    if (from < bytes.length && !this.discarding && !this.keep(bytes, from, bytes.length)) {
      // Emit what fits; the rest of this line is dropped up to its newline.
      this.emit(this.pending, 0, this.pendingLength);
      this.pendingLength = 0;
      this.discarding = true;
    }
  }

  end(): void {
    if (this.pendingLength > 0 && !this.discarding) this.emit(this.pending, 0, this.pendingLength);
    this.pendingLength = 0;
    this.discarding = false;
  }

  /** Adds to the unfinished line; false when it would pass `maxPending` (it then holds the first `maxPending` bytes). */
  private keep(bytes: Buffer, start: number, end: number): boolean {
    const room = this.maxPending - this.pendingLength;
    const take = Math.min(end - start, room);
    const needed = this.pendingLength + take;
    if (needed > this.pending.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.maxPending, Math.max(needed, this.pending.length * 2)));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    bytes.copy(this.pending, this.pendingLength, start, start + take);
    this.pendingLength = needed;
    return take === end - start;
  }

  private emit(bytes: Buffer, start: number, end: number): void {
    this.onLine(bytes, start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
  }
}

/** The same lines as text. */
export class LineSplitter extends ByteLineSplitter {
  constructor(onLine: (line: string) => void, maxPending?: number) {
    super((bytes, start, end) => onLine(bytes.toString('utf8', start, end)), maxPending);
  }
}
