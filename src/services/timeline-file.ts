// The lasting timeline on disk: `<state dir>/timeline/YYYY-MM-DD.jsonl`, one file per UTC day, one
// JSON line per event. Bounded: a day's file stops growing at MAX_DAY_BYTES (one line says so), and
// only the newest KEEP_DAYS files are kept. Appends are buffered and written in the background, so
// a slow disk never holds up a frame; the last buffer is written on quit (close).
import { appendFile, mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsEvent } from '../domain/model.js';
import { parseTimelineLine, timelineLine } from '../domain/timeline.js';
import { opsdeckStateDir } from './state-dir.js';

export const MAX_DAY_BYTES = 8 * 1024 * 1024;
export const KEEP_DAYS = 14;
/** Events wait this long for company before they are written: a burst costs one append. */
const FLUSH_MS = 250;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function timelineDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(opsdeckStateDir(env), 'timeline');
}

const dayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

export class TimelineWriter {
  private queue: OpsEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Bytes in each day's file as far as this writer knows (read once from the file). */
  private readonly sizes = new Map<string, number>();
  private readonly full = new Set<string>();

  constructor(
    readonly dir: string,
    /** A write that failed (disk full, permissions): said once per distinct error, never thrown at the screen. */
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  append(events: readonly OpsEvent[]): void {
    if (events.length === 0) return;
    this.queue.push(...events);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered; resolves once it (and every earlier write) is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private lastError = '';

  private async write(batch: readonly OpsEvent[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const byDay = new Map<string, OpsEvent[]>();
      for (const event of batch) byDay.set(dayOf(event.at), [...(byDay.get(dayOf(event.at)) ?? []), event]);
      for (const [day, events] of byDay) await this.writeDay(day, events);
    } catch (error) {
      const message = `timeline not written to ${this.dir}: ${error instanceof Error ? error.message : String(error)}`;
      if (message !== this.lastError) this.onError(message);
      this.lastError = message;
    }
  }

  private async writeDay(day: string, events: readonly OpsEvent[]): Promise<void> {
    if (this.full.has(day)) return;
    const lines = events.map(timelineLine);
    const path = join(this.dir, `${day}.jsonl`);
    if (!this.sizes.has(day)) {
      this.sizes.set(day, await stat(path).then((s) => s.size, () => 0));
      await this.prune(day);
    }
    let size = this.sizes.get(day)!;
    const kept: string[] = [];
    for (const [i, line] of lines.entries()) {
      const bytes = Buffer.byteLength(line);
      if (size + bytes > MAX_DAY_BYTES) {
        this.full.add(day);
        // At the time of the first event left out: from there on, that day's file has nothing.
        kept.push(timelineLine({ at: events[i]!.at, host: 'opsdeck', kind: 'source', level: 'warn', message: `timeline full for ${day} (${MAX_DAY_BYTES / 1024 / 1024} MiB): later events of that day are not kept` }));
        break;
      }
      size += bytes;
      kept.push(line);
    }
    await appendFile(path, kept.join(''), { mode: 0o600 });
    this.sizes.set(day, size);
  }

  /** A new day's file: the oldest beyond KEEP_DAYS go. */
  private async prune(today: string): Promise<void> {
    const days = (await readdir(this.dir)).flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).filter((d) => d !== today);
    const old = days.sort().slice(0, Math.max(0, days.length + 1 - KEEP_DAYS));
    await Promise.all(old.map((d) => unlink(join(this.dir, `${d}.jsonl`)).catch(() => undefined)));
  }
}

export interface TimelineRead {
  /** Oldest first. */
  events: OpsEvent[];
  /** Lines that were not events, by file. */
  skipped: { file: string; lines: number }[];
}

/** The events between `from` and `to` (epoch ms) from the day files that cover them; bad lines are counted and skipped. */
export async function readTimeline(dir: string, from: number, to: number = Date.now()): Promise<TimelineRead> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const [first, last] = [dayOf(from), dayOf(to)];
  const days = names.flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []).filter((d) => d >= first && d <= last).sort();
  const events: OpsEvent[] = [];
  const skipped: TimelineRead['skipped'] = [];
  for (const day of days) {
    const file = join(dir, `${day}.jsonl`);
    const text = await readFile(file, 'utf8').catch(() => '');
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const event = parseTimelineLine(line);
      if (!event) bad++;
      else if (event.at >= from && event.at <= to) events.push(event);
    }
    if (bad > 0) skipped.push({ file, lines: bad });
  }
  return { events: events.sort((a, b) => a.at - b.at), skipped };
}
