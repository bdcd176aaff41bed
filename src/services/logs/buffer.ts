// A bounded log buffer per source: sanitizes, classifies (where the source gave no level) and
// collapses identical repeated lines.
//
// Kept as parallel arrays used as a ring of slots, and a line becomes an object (and is
// classified) only when a snapshot first includes it: in a burst that overwrites the window between
// two flushes (50,000 lines a second against 10,000 kept, flushed twice a second) most lines never
// reach a snapshot, and cost one sanitized string each.
import type { LogLevel, LogLine } from '../../domain/model.js';
import { sanitizeLine } from '../../domain/sanitize.js';

// "ValueError", "OperationalError" count as errors; a 5xx counts where it is a status (after the
// quoted request of an access log, or status=503), not where it is a body size.
const ERROR_WORDS = /(?:\b|[a-z])(?:error|exception)\b|\b(?:err|fatal|crit(?:ical)?|emerg(?:ency)?|alert|panic|traceback)\b|"\s5\d\d\s|\bstatus[=: ]+5\d\d\b/i;
const WARN_WORDS = /\b(warn(ing)?|deprecated)\b/i;

export function classify(text: string): LogLevel {
  if (ERROR_WORDS.test(text)) return 'error';
  if (WARN_WORDS.test(text)) return 'warn';
  return 'info';
}

// One sequence across all buffers: merged views order lines by arrival and keep a stable anchor.
let nextSeq = 0;

/** Where a buffer's lines come from, carried by each line so a merged view needs no copy to say so. */
export type LineOrigin = Required<Pick<LogLine, 'host' | 'source'>>;

export class LogBuffer {
  // Grown line by line up to the capacity (a quiet log of a 200-host fleet holds a few lines, not
  // 10,000 empty slots), then written over in place.
  private readonly texts: string[] = [];
  /** The source's level (journal PRIORITY), 'marker', or the classified one once made; undefined until then. */
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
    const level = (this.levels[slot] ??= classify(text));
    const seq = this.seqs[slot]!;
    const at = this.ats[slot]!;
    const count = this.counts[slot]!;
    const line: LogLine = this.origin ? { seq, at, text, level, count, host: this.origin.host, source: this.origin.source } : { seq, at, text, level, count };
    this.made[slot] = line;
    return line;
  }
}
