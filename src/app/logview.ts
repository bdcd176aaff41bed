// What the Logs pane shows: the scope's sources merged in arrival order, filtered, and where the
// window is. A function of its input, so the pane and the e/E/w/W jumps agree on the same lines (the
// last merge is kept only to make the next one cheaper).
import { levelOf } from '../domain/log-level.js';
import type { LogLevel, LogLine, LogLines } from '../domain/model.js';
import { sourceKey } from '../domain/source-id.js';
import { scopeHosts } from './scope.js';
import type { DataState, LogView, UiState } from './store.js';

export interface DisplayLine extends LogLine {
  host: string;
  source: string;
}

export interface LogFilter {
  test(text: string): boolean;
  /** The pattern used for highlighting matches; absent when inverted or empty. */
  highlight?: RegExp;
  error?: string;
}

/** `/pattern` filters by regex (case-insensitive); `/!pattern` keeps the lines that do not match. */
export function compileLogFilter(text: string): LogFilter {
  const invert = text.startsWith('!');
  const source = invert ? text.slice(1) : text;
  if (source === '') return { test: () => true };
  let pattern: RegExp;
  let error: string | undefined;
  try {
    pattern = new RegExp(source, 'i');
  } catch (e) {
    // Half-typed regexes are normal while typing: match the text literally meanwhile.
    error = (e as Error).message;
    pattern = new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
  return {
    test: (line) => pattern.test(line) !== invert,
    highlight: invert ? undefined : new RegExp(pattern.source, 'gi'),
    error,
  };
}

// Log lines are immutable and live in a buffer for a long time: a line without its host and source
// (a test's, a snapshot's) is decorated once, not on every flush (a full buffer is 10,000 lines).
const decorated = new WeakMap<LogLine, DisplayLine>();

/** A follower's buffer stamps its lines with where they came from: such a line is shown as it is. */
function isStamped(line: LogLine, view: LogView): line is DisplayLine {
  return line.host === view.host && line.source === view.label;
}

function decorate(line: LogLine, view: LogView): DisplayLine {
  if (isStamped(line, view)) return line;
  let shown = decorated.get(line);
  if (!shown) {
    shown = { ...line, host: view.host, source: view.label };
    decorated.set(line, shown);
  }
  return shown;
}

export interface LogDisplay {
  lines: LogLines<DisplayLine>;
  sources: LogView[];
  shown: LogView[];
  filter: LogFilter;
}

type LinesUi = { logs: { source: number }; filters: { logs: string }; unitLog: UiState['unitLog'] };

export function displayLines(data: Pick<DataState, 'logs' | 'hostOrder' | 'hosts'>, ui: Pick<UiState, 'host' | 'group'> & LinesUi): LogDisplay {
  return linesOfHosts(data.logs, scopeHosts(data, ui), ui);
}

/** Which logs are shown: the one unit's, while its view is open; else the scope's own, never a unit's. */
function logsInView(logs: DataState['logs'], hosts: readonly string[], unitLog: UiState['unitLog']): LogView[] {
  if (unitLog) return Object.values(logs).filter((view) => view.host === unitLog.host && view.unit === unitLog.unit);
  const inScope = new Set(hosts);
  return Object.values(logs).filter((view) => view.unit === undefined && inScope.has(view.host));
}

/**
 * displayLines for hosts already chosen. The Logs pane works out its scope apart: the scope reads the
 * hosts, which change on every resources tick, and merging the lines again each time would be waste.
 */
export function linesOfHosts(logs: DataState['logs'], hosts: readonly string[], ui: LinesUi): LogDisplay {
  const sources = logsInView(logs, hosts, ui.unitLog);
  const shown = ui.logs.source >= 0 && ui.logs.source < sources.length ? [sources[ui.logs.source]!] : sources;
  const filter = compileLogFilter(ui.filters.logs);
  const only = shown.length === 1 ? shown[0]! : undefined;
  // One log, unfiltered, whose lines its follower stamped (a snapshot's lines all come from one
  // buffer, so the first says it for all): shown as they are, no pass over the window per flush.
  const firstLine = only?.lines.at(0);
  if (only && ui.filters.logs === '' && (!firstLine || isStamped(firstLine, only))) return { lines: only.lines as LogLines<DisplayLine>, sources, shown, filter };
  return { lines: mergedLines(shown, ui.filters.logs === '' ? undefined : filter, ui.filters.logs), sources, shown, filter };
}

/** Line i's seq, read without making the line where the lines allow it. */
const seqAt = (lines: LogLines, i: number): number => (lines.seqAt ? lines.seqAt(i) : lines.at(i)!.seq);

/** The index of the line with this seq, or -1: lines are in seq order. */
function indexOfSeq(lines: LogLines, seq: number): number {
  let low = 0;
  let high = lines.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = seqAt(lines, middle);
    if (found === seq) return middle;
    if (found < seq) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * Several logs' lines, or one log's filtered, in arrival order. It keeps each line's seq and log, and
 * reads the line from its log when asked: a buffer makes a line only when read, and a pane reads a
 * few dozen a frame, where copying every line of a busy log each flush cost more than following it.
 */
class MergedLines implements LogLines<DisplayLine> {
  constructor(
    private readonly views: readonly LogView[],
    /** Each view's lines in seq order. */
    private readonly sources: readonly LogLines[],
    private readonly seqs: Float64Array,
    private readonly viewOf: Uint32Array,
  ) {}

  get length(): number {
    return this.seqs.length;
  }

  at(index: number): DisplayLine | undefined {
    const i = index < 0 ? index + this.seqs.length : index;
    if (i < 0 || i >= this.seqs.length) return undefined;
    const v = this.viewOf[i]!;
    // A line its buffer has dropped since (a burst before the next flush) is no longer there.
    const found = indexOfSeq(this.sources[v]!, this.seqs[i]!);
    const line = found < 0 ? undefined : this.sources[v]!.at(found);
    return line && decorate(line, this.views[v]!);
  }

  seqAt(index: number): number {
    return this.seqs[index]!;
  }

  *[Symbol.iterator](): Iterator<DisplayLine> {
    for (let i = 0; i < this.seqs.length; i++) {
      const line = this.at(i);
      if (line) yield line;
    }
  }
}

/**
 * The last merge, kept for the next: every line a buffer takes after a flush has a larger seq than any
 * line of any snapshot of that flush, so with the same logs and filter the next merge keeps the lines
 * still held, in their order, and merges only the lines newer than `scanned` after them. A fleet's
 * group of busy logs is merged again on every flush. `newest` is each view's newest seq then: older
 * lines than those (a paused screen's, kept from before) are merged anew.
 */
let lastMerge: { key: string; seqs: Float64Array; viewOf: Uint32Array; newest: Float64Array; scanned: number } | undefined;

/** Each view's seqs of the lines kept (all, or those the filter passes), merged in seq order. */
function mergedLines(views: readonly LogView[], filter: LogFilter | undefined, filterText: string): MergedLines {
  const sources = views.map((view) => inSeqOrder(view.lines));
  const key = `${views.map((view) => sourceKey(view.id)).join('\n')}\u0000${filterText}`;
  const buffered = sources.every((lines) => lines.seqAt !== undefined);
  const newest = Float64Array.from(sources, (lines) => (lines.length > 0 ? seqAt(lines, lines.length - 1) : -Infinity));
  const previous = buffered && lastMerge?.key === key && newest.every((seq, v) => seq >= lastMerge!.newest[v]!) ? lastMerge : undefined;
  const kept = sources.map((lines) => {
    // Only the lines after the last merge's, when there was one.
    let from = 0;
    if (previous) for (let high = lines.length; from < high; ) {
      const middle = (from + high) >>> 1;
      if (seqAt(lines, middle) <= previous.scanned) from = middle + 1;
      else high = middle;
    }
    const seqs = new Float64Array(lines.length - from);
    let count = 0;
    for (let i = from; i < lines.length; i++) {
      if (!filter) seqs[count++] = seqAt(lines, i);
      else {
        const line = lines.at(i)!;
        if (filter.test(line.text)) seqs[count++] = line.seq;
      }
    }
    return seqs.subarray(0, count);
  });
  const added = mergeInOrder(kept);
  let seqs = added.seqs;
  let viewOf = added.viewOf;
  if (previous) {
    // The last merge's lines still held (a buffer drops its oldest), then the new ones.
    const oldest = Float64Array.from(sources, (lines) => (lines.length > 0 ? seqAt(lines, 0) : Infinity));
    const { seqs: before, viewOf: beforeOf } = previous;
    const room = before.length + added.seqs.length;
    seqs = new Float64Array(room);
    viewOf = new Uint32Array(room);
    let out = 0;
    for (let i = 0; i < before.length; i++) {
      const v = beforeOf[i]!;
      if (before[i]! < oldest[v]!) continue;
      seqs[out] = before[i]!;
      viewOf[out++] = v;
    }
    seqs.set(added.seqs, out);
    viewOf.set(added.viewOf, out);
    seqs = seqs.subarray(0, out + added.seqs.length);
    viewOf = viewOf.subarray(0, out + added.seqs.length);
  }
  const scanned = Math.max(previous?.scanned ?? -Infinity, ...newest);
  lastMerge = buffered ? { key, seqs, viewOf, newest, scanned } : undefined;
  return new MergedLines(views, sources, seqs, viewOf);
}

/** Sorted lists of seqs merged into one, with the list each came from: a heap of the lists' next seqs. */
function mergeInOrder(kept: readonly Float64Array[]): { seqs: Float64Array; viewOf: Uint32Array } {
  const total = kept.reduce((sum, seqs) => sum + seqs.length, 0);
  const seqs = new Float64Array(total);
  const viewOf = new Uint32Array(total);
  const next = kept.map(() => 0);
  // The lists with seqs left, as a binary min-heap on their next seq.
  const heap = kept.flatMap((list, v) => (list.length > 0 ? [v] : []));
  const head = (v: number) => kept[v]![next[v]!]!;
  const sift = (from: number) => {
    for (let i = from; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && head(heap[left]!) < head(heap[least]!)) least = left;
      if (right < heap.length && head(heap[right]!) < head(heap[least]!)) least = right;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) sift(i);
  for (let out = 0; out < total; out++) {
    const v = heap[0]!;
    seqs[out] = head(v);
    viewOf[out] = v;
    if (++next[v]! === kept[v]!.length) {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    }
    if (heap.length > 0) sift(0);
  }
  return { seqs, viewOf };
}

/** A buffer's lines are in seq order; lines given as an array (a test's, a fixture's) are put in it. */
function inSeqOrder(lines: LogLines): LogLines {
  if (lines.seqAt) return lines;
  for (let i = 1; i < lines.length; i++) if (lines.at(i - 1)!.seq > lines.at(i)!.seq) return [...lines].sort((a, b) => a.seq - b.seq);
  return lines;
}

/**
 * Index of the anchored line (the window's bottom line, or where a jump landed): the last line at or
 * before the anchor's seq, found by halving (lines are in seq order, and a buffer's are made as read);
 * the last line while following.
 */
export function anchorIndex(lines: LogLines, anchor: number | null): number {
  if (anchor === null) return lines.length - 1;
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (seqAt(lines, middle) <= anchor) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? low - 1 : Math.min(0, lines.length - 1);
}

/**
 * The bottom line of a window of `rows` rows that shows line `at` a third from its top: lower where
 * fewer lines follow it, higher where fewer precede it, so the window stays full. `rowsOf(i)` is how
 * many rows line i takes (several when wrapped).
 */
export function bottomAround(count: number, at: number, rows: number, rowsOf: (index: number) => number): number {
  const third = Math.floor(rows / 3);
  let above = 0;
  for (let i = at - 1; i >= 0 && above < third; i--) above += rowsOf(i);
  let room = rows - Math.min(above, third) - rowsOf(at);
  let bottom = at;
  // A line that would not fit whole stays out: the window is drawn up from its bottom line.
  for (let next = at + 1; next < count; next++) {
    const taken = rowsOf(next);
    if (taken > room) break;
    room -= taken;
    bottom = next;
  }
  return bottom;
}

/**
 * The bottom line of the window: the anchored line, or, after a jump, the line that shows it a third
 * from the top. Either way the window is full while there are lines to fill it: an anchor within the
 * first page (`g`, or an anchor whose older lines the buffer has dropped since) shows that page, not
 * a line or two under empty rows.
 */
export function windowBottom(count: number, anchor: number, jumped: boolean, rows: number, rowsOf: (index: number) => number): number {
  if (count === 0) return anchor;
  if (jumped) return bottomAround(count, anchor, rows, rowsOf);
  let used = 0;
  let firstPage = -1;
  for (let i = 0; i < count; i++) {
    used += rowsOf(i);
    if (used > rows) break;
    firstPage = i;
  }
  return Math.max(anchor, firstPage);
}

/** The seq of the next line of `level` after (or before) the anchored line; undefined when there is none. */
export function jumpTo(lines: LogLines, anchor: number | null, level: LogLevel, direction: 1 | -1): number | undefined {
  const from = anchorIndex(lines, anchor);
  for (let i = from + direction; i >= 0 && i < lines.length; i += direction) {
    const line = lines.at(i);
    if (line && levelOf(line) === level) return line.seq;
  }
  return undefined;
}
