// A bounded log buffer per source: sanitizes, classifies (where the source gave no level) and
// collapses identical repeated lines.
import type { LogLevel, LogLine } from '../../domain/model.js';
import { RingBuffer } from '../ring.js';
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

export class LogBuffer {
  private readonly ring: RingBuffer<LogLine>;
  private dirty = false;

  constructor(
    capacity: number,
    private readonly maxLineLength: number,
  ) {
    this.ring = new RingBuffer(capacity);
  }

  /** A line; `level` when its source said it (the journal's PRIORITY), else guessed from its words. */
  append(raw: string, at = Date.now(), level?: LogLevel): void {
    const text = sanitizeLine(raw, this.maxLineLength);
    const last = this.ring.last();
    this.dirty = true;
    if (last && last.text === text && last.level !== 'marker') {
      this.ring.replaceLast({ ...last, at, count: last.count + 1 });
      return;
    }
    this.ring.push({ seq: ++nextSeq, at, text, level: level ?? classify(text), count: 1 });
  }

  /** A line opsdeck itself writes into the stream: rotation, truncation, a gap after a reconnect. */
  mark(text: string, at = Date.now()): void {
    this.dirty = true;
    this.ring.push({ seq: ++nextSeq, at, text: sanitizeLine(text, this.maxLineLength), level: 'marker', count: 1 });
  }

  /** The lines, if any arrived since the last call; undefined when nothing changed (no re-render). */
  takeSnapshot(): LogLine[] | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    return this.ring.toArray();
  }

  get size(): number {
    return this.ring.size;
  }
}
