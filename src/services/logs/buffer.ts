// A bounded log buffer per source: sanitizes and collapses identical repeated lines. A line's level
// is the source's where it gave one, else classified when first read (domain/log-level.ts).
//
// Kept as parallel arrays used as a ring of slots, and a line becomes an object only when a snapshot
// first includes it: in a burst that overwrites the window between
// two flushes (50,000 lines a second against 10,000 kept, flushed twice a second) most lines never
// reach a snapshot, and cost one sanitized string each.
import type { LogLevel, LogLine } from '../../domain/model.js';
import { sanitizeLine } from '../../domain/sanitize.js';

// One sequence across all buffers: merged views order lines by arrival and keep a stable anchor.
let nextSeq = 0;

/** Where a buffer's lines come from, carried by each line so a merged view needs no copy to say so. */
export type LineOrigin = Required<Pick<LogLine, 'host' | 'source'>>;

export class LogBuffer {
  // Grown line by line up to the capacity (a quiet log of a 200-host fleet holds a few lines, not
  // 10,000 empty slots), then written over in place.
  private readonly texts: string[] = [];
  /** The source's level (journal PRIORITY) or 'marker'; undefined for a line to classify when read. */
  private readonly levels: (LogLevel | undefined)[] = [];
  private readonly seqs: number[] = [];
  private readonly ats: number[] = [];
  private readonly counts: number[] = [];
  /** Each slot's line as handed out, made at the first snapshot that includes it (again after a repeat bumps its count). */
  private readonly made: (LogLine | undefined)[] = [];
  private start = 0;
  private length = 0;
  private dirty = false;

  constructor(
    readonly capacity: number,
    private readonly maxLineLength: number,
    private readonly origin?: LineOrigin,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log buffer capacity must be a positive integer, got ${capacity}`);
  }

  /** A line; `level` when its source said it (the journal's PRIORITY), else guessed from its words. */
  append(raw: string, at = Date.now(), level?: LogLevel): void {
    const text = sanitizeLine(raw, this.maxLineLength);
    this.dirty = true;
    if (this.length > 0) {
      const last = this.slot(this.length - 1);
      if (this.texts[last] === text && this.levels[last] !== 'marker') {
        this.ats[last] = at;
        this.counts[last]!++;
        this.made[last] = undefined;
        return;
      }
    }
    this.push(text, at, level);
  }

  /** A line opsdeck itself writes into the stream: rotation, truncation, a gap after a reconnect. */
  mark(text: string, at = Date.now()): void {
    this.dirty = true;
    this.push(sanitizeLine(text, this.maxLineLength), at, 'marker');
  }

  /** The lines, if any arrived since the last call; undefined when nothing changed (no re-render). */
  takeSnapshot(): LogLine[] | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    const out = new Array<LogLine>(this.length);
    for (let i = 0; i < this.length; i++) {
      const slot = this.slot(i);
      out[i] = this.made[slot] ?? this.make(slot);
    }
    return out;
  }

  get size(): number {
    return this.length;
  }

  private slot(index: number): number {
    return (this.start + index) % this.capacity;
  }

  private push(text: string, at: number, level: LogLevel | undefined): void {
    const slot = this.slot(this.length);
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
    this.texts[slot] = text;
    this.levels[slot] = level;
    this.seqs[slot] = ++nextSeq;
    this.ats[slot] = at;
    this.counts[slot] = 1;
    this.made[slot] = undefined;
  }

  private make(slot: number): LogLine {
    const text = this.texts[slot]!;
    const level = this.levels[slot];
    const seq = this.seqs[slot]!;
    const at = this.ats[slot]!;
    const count = this.counts[slot]!;
    const line: LogLine = this.origin ? { seq, at, text, knownLevel: level, count, host: this.origin.host, source: this.origin.source } : { seq, at, text, knownLevel: level, count };
    this.made[slot] = line;
    return line;
  }
}
