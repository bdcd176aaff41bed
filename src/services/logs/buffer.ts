// A bounded log buffer per source: sanitizes and collapses identical repeated lines. A line's level
// is the source's where it gave one, else classified when read (domain/log-level.ts).
//
// The lines are kept off the JS heap: their text as UTF-8 in one byte ring, their figures in typed
// arrays. A followed log at 10,000 lines a second keeps a line for about a second, long enough for
// V8 to move a line kept as a string and an object into its old generation and to mark it there,
// and that garbage collection was most of what following a busy log cost (docs/PERFORMANCE.md
// change 24). A line becomes a string and an object only when something reads it: the pane's few
// dozen rows a frame.
import type { LogLevel, LogLine, LogLines } from '../../domain/model.js';
import { sanitizeLine } from '../../domain/sanitize.js';

// One sequence across all buffers: merged views order lines by arrival and keep a stable anchor.
let nextSeq = 0;

/** Where a buffer's lines come from, carried by each line so a merged view needs no copy to say so. */
export type LineOrigin = Required<Pick<LogLine, 'host' | 'source'>>;

/** A level as stored: 0 for a line to classify when read. */
const LEVEL_CODES: readonly (LogLevel | undefined)[] = [undefined, 'error', 'warn', 'info', 'marker'];
const MARKER = LEVEL_CODES.indexOf('marker');
const FIRST_SLOTS = 64;
const FIRST_BYTES = 8 * 1024;
/** UTF-8 takes at most 3 bytes for each UTF-16 unit; the cut mark adds a few units. */
const BYTES_PER_UNIT = 3;
const CUT_MARK_UNITS = 32;

/** A sanitized line's bytes, before they are known to be a repeat or a new line: one for every buffer, as the longest line allowed needs. */
let scratch = Buffer.alloc(0);

/** The first power of two at or above n. */
const powerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

export class LogBuffer {
  // Lines are numbered in arrival order; line n sits in slot n % slots. The slots and the bytes grow
  // as lines come (a quiet log of a 200-host fleet holds a few lines, not 10,000 empty slots).
  private slots = 0;
  private offsets = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  private seqs = new Float64Array(0);
  private ats = new Float64Array(0);
  private counts = new Float64Array(0);
  private levels = new Uint8Array(0);
  private bytes = Buffer.alloc(0);
  /** The oldest line kept and the one after the newest. */
  private first = 0;
  private end = 0;
  /** Where the next line's bytes go, and the bytes of the lines kept (a ring with lines of no bytes is not full). */
  private head = 0;
  private keptBytes = 0;
  private dirty = false;
  /**
   * Lines beyond `capacity` are dropped when a snapshot is taken, so a snapshot handed out stays
   * whole until the next one (a flush, a fifth of a second later); past this many they go at once.
   */
  private readonly mostKept: number;

  constructor(
    readonly capacity: number,
    private readonly maxLineLength: number,
    private readonly origin?: LineOrigin,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log buffer capacity must be a positive integer, got ${capacity}`);
    this.mostKept = capacity + Math.ceil(capacity / 2);
    if (scratch.length < (maxLineLength + CUT_MARK_UNITS) * BYTES_PER_UNIT) scratch = Buffer.allocUnsafe((maxLineLength + CUT_MARK_UNITS) * BYTES_PER_UNIT);
  }

  /** A line; `level` when its source said it (the journal's PRIORITY), else guessed from its words. */
  append(raw: string, at = Date.now(), level?: LogLevel): void {
    const text = sanitizeLine(raw, this.maxLineLength);
    const length = scratch.write(text, 0);
    this.add(scratch, 0, length, at, level ? LEVEL_CODES.indexOf(level) : 0);
  }

  /**
   * A line as UTF-8 bytes (a local file's, read without becoming a string): kept as it is when it is
   * short printable ASCII, as sanitizeLine would keep it; else as its sanitized text.
   */
  appendBytes(source: Buffer, start: number, end: number, at = Date.now()): void {
    if (end - start > this.maxLineLength) return this.append(source.toString('utf8', start, end), at);
    for (let i = start; i < end; i++) {
      const byte = source[i]!;
      if (byte < 0x20 || byte > 0x7e) return this.append(source.toString('utf8', start, end), at);
    }
    this.add(source, start, end, at, 0);
  }

  /** A line opsdeck itself writes into the stream: rotation, truncation, a gap after a reconnect. */
  mark(text: string, at = Date.now()): void {
    const length = scratch.write(sanitizeLine(text, this.maxLineLength), 0);
    this.push(scratch, 0, length, at, MARKER);
  }

  /** The lines, if any arrived since the last call; undefined when nothing changed (no re-render). */
  takeSnapshot(): LogLines | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    this.drop(this.end - this.capacity);
    return new BufferWindow(this, this.first, this.end);
  }

  /** How many lines the next snapshot holds. */
  get size(): number {
    return Math.min(this.capacity, this.end - this.first);
  }

  /** The number of the oldest line kept. */
  get oldest(): number {
    return this.first;
  }

  /** Line number n's seq (a kept line's). */
  seqOf(n: number): number {
    return this.seqs[n % this.slots]!;
  }

  /**
   * Lines `from` to before `end` as a buffer of their own that takes no more lines, so they outlive
   * what this one drops: a paused screen's, copied as bytes rather than made into lines.
   */
  copyOf(from: number, end: number): LogLines {
    const copy = new LogBuffer(this.capacity, this.maxLineLength, this.origin);
    copy.slots = this.slots;
    copy.offsets = this.offsets.slice();
    copy.lengths = this.lengths.slice();
    copy.seqs = this.seqs.slice();
    copy.ats = this.ats.slice();
    copy.counts = this.counts.slice();
    copy.levels = this.levels.slice();
    copy.bytes = Buffer.from(this.bytes);
    copy.first = Math.max(from, this.first);
    copy.end = end;
    return new BufferWindow(copy, copy.first, end);
  }

  /** Line number n as an object of its own, or undefined once it is no longer kept. */
  lineAt(n: number): LogLine | undefined {
    if (n < this.first || n >= this.end) return undefined;
    const slot = n % this.slots;
    const offset = this.offsets[slot]!;
    const line: LogLine = { seq: this.seqs[slot]!, at: this.ats[slot]!, text: this.bytes.toString('utf8', offset, offset + this.lengths[slot]!), knownLevel: LEVEL_CODES[this.levels[slot]!], count: this.counts[slot]! };
    if (this.origin) {
      line.host = this.origin.host;
      line.source = this.origin.source;
    }
    return line;
  }

  private add(source: Buffer, start: number, end: number, at: number, level: number): void {
    const last = (this.end - 1) % this.slots;
    if (this.end > this.first && this.levels[last] !== MARKER && this.lengths[last] === end - start && this.bytes.compare(source, start, end, this.offsets[last]!, this.offsets[last]! + end - start) === 0) {
      this.dirty = true;
      this.ats[last] = at;
      this.counts[last]!++;
      return;
    }
    this.push(source, start, end, at, level);
  }

  private push(source: Buffer, start: number, end: number, at: number, level: number): void {
    this.dirty = true;
    if (this.end - this.first >= this.mostKept) this.drop(this.first + 1);
    if (this.end - this.first === this.slots) this.growSlots();
    const length = end - start;
    let offset = this.room(length);
    if (offset < 0) {
      this.growBytes(length);
      offset = this.head;
    }
    source.copy(this.bytes, offset, start, end);
    this.head = offset + length;
    this.keptBytes += length;
    const slot = this.end % this.slots;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.seqs[slot] = ++nextSeq;
    this.ats[slot] = at;
    this.counts[slot] = 1;
    this.levels[slot] = level;
    this.end++;
  }

  /** Drops the lines before line number `until`. */
  private drop(until: number): void {
    for (; this.first < until; this.first++) this.keptBytes -= this.lengths[this.first % this.slots]!;
  }

  /** Where `length` bytes fit after the newest line's (wrapping to the start), or -1. */
  private room(length: number): number {
    if (this.keptBytes === 0) {
      // The lines kept, if any, are blank (markers of nothing): they start where the ring does now.
      for (let n = this.first; n < this.end; n++) this.offsets[n % this.slots] = 0;
      this.head = 0;
      return length <= this.bytes.length ? 0 : -1;
    }
    const tail = this.offsets[this.first % this.slots]!;
    if (this.head > tail) {
      if (this.bytes.length - this.head >= length) return this.head;
      return tail >= length ? 0 : -1;
    }
    if (this.head < tail) return tail - this.head >= length ? this.head : -1;
    return -1;
  }

  private growSlots(): void {
    const slots = Math.min(powerOfTwo(this.mostKept), Math.max(FIRST_SLOTS, this.slots * 2));
    const moved = <T extends Uint32Array | Float64Array | Uint8Array>(old: T, made: T): T => {
      for (let n = this.first; n < this.end; n++) made[n % slots] = old[n % this.slots]!;
      return made;
    };
    this.offsets = moved(this.offsets, new Uint32Array(slots));
    this.lengths = moved(this.lengths, new Uint32Array(slots));
    this.seqs = moved(this.seqs, new Float64Array(slots));
    this.ats = moved(this.ats, new Float64Array(slots));
    this.counts = moved(this.counts, new Float64Array(slots));
    this.levels = moved(this.levels, new Uint8Array(slots));
    this.slots = slots;
  }

  /** A bigger ring with the kept lines' bytes laid out from its start, in order. */
  private growBytes(length: number): void {
    let size = Math.max(FIRST_BYTES, this.bytes.length * 2);
    while (size < this.keptBytes + length) size *= 2;
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    for (let n = this.first; n < this.end; n++) {
      const slot = n % this.slots;
      const offset = this.offsets[slot]!;
      this.bytes.copy(bytes, at, offset, offset + this.lengths[slot]!);
      this.offsets[slot] = at;
      at += this.lengths[slot]!;
    }
    this.bytes = bytes;
    this.head = at;
  }
}

/**
 * A buffer's lines as a snapshot handed them out: up to the newest line then, from the oldest still
 * kept. Past half a capacity of new lines before the next snapshot its oldest go, and the window
 * starts later; read within one turn, it does not change.
 */
class BufferWindow implements LogLines {
  constructor(
    private readonly buffer: LogBuffer,
    private readonly from: number,
    private readonly end: number,
  ) {}

  private get start(): number {
    return Math.max(this.from, this.buffer.oldest);
  }

  get length(): number {
    // Past one and a half capacities of new lines, none of its lines may be left.
    return Math.max(0, this.end - this.start);
  }

  at(index: number): LogLine | undefined {
    const length = this.length;
    const i = index < 0 ? index + length : index;
    return i >= 0 && i < length ? this.buffer.lineAt(this.start + i) : undefined;
  }

  seqAt(index: number): number {
    return this.buffer.seqOf(this.start + index);
  }

  detached(): LogLines {
    return this.buffer.copyOf(this.start, this.end);
  }

  *[Symbol.iterator](): Iterator<LogLine> {
    for (let n = this.start; n < this.end; n++) yield this.buffer.lineAt(n)!;
  }
}
