// Several log files followed through one channel: on the host, each file has its own `tail -F` and
// its own tagger (awk) that writes every line as a record `ID o TEXT`, its tail's notes as `ID e
// TEXT`; the shell adds `ID x DELAY` when a tail ended and `ID r` when it runs again. The ID is put
// there by the program reading that file, never taken from the file, so a log line that looks like a
// record or like tail's `==> FILE <==` header is just text of its own log. Every record is written
// with one write(2) of at most 512 bytes (POSIX's smallest PIPE_BUF) into one pipe, so records from
// different files never interleave; longer lines travel as `ID c CHUNK` records, joined here.
import { interpretFollowerNote, RESTART_DELAYS_MS, type LogStreamHandlers } from '../logs/stream.js';
import { LineSplitter } from '../logs/lines.js';
import { formatClock } from '../../domain/duration.js';
import { shJoin, shQuote } from '../shell-quote.js';
import { followerScript, outletOf, type FollowerOutput, type OutputDecoder } from './follower.js';

/** Bytes of a line per record: with the ID and the tag a record stays within 512 bytes. */
export const RECORD_CHUNK = 480;

/**
 * The tagger: LC_ALL=C makes length and substr count bytes; one printf of one string and fflush()
 * make one write per record (mawk splits a printf with several arguments into several writes).
 */
export const TAGGER = [
  '{ n = length($0); i = 1',
  `  if (t == "e") { r = id " e " substr($0, 1, ${RECORD_CHUNK}) "\\n"; printf "%s", r; fflush(); next }`,
  `  while (n - i >= ${RECORD_CHUNK}) { r = id " c " substr($0, i, ${RECORD_CHUNK}) "\\n"; printf "%s", r; fflush(); i += ${RECORD_CHUNK} }`,
  '  r = id " o " substr($0, i) "\\n"; printf "%s", r; fflush() }',
].join('\n');

/** The remote tail's restart delays in seconds, as the local follower's. */
const REMOTE_DELAYS = RESTART_DELAYS_MS.map((ms) => ms / 1000);

/**
 * The bundle's script: file i of `paths` is record ID i. mawk reads a pipe in blocks unless
 * `-W interactive`; a tail that ends (sudo refused, killed on the host) is restarted on the host
 * after a delay, without disturbing the other files.
 */
export function fileBundleScript(paths: readonly string[], initialLines: number, sudo: boolean): string {
  const tail = shJoin([...(sudo ? ['sudo', '-n'] : []), 'tail', '-F', '-n']);
  const delays = REMOTE_DELAYS.slice(1).map((next, i) => `${REMOTE_DELAYS[i]}) d=${next};;`).join(' ');
  const prelude = [
    'export LC_ALL=C',
    'for c in tail awk; do command -v "$c" >/dev/null 2>&1 || { echo "$c: not found" >&2; exit 127; }; done',
    `T=${shQuote(TAGGER)}`,
    'A=awk',
    'case $(awk -W version 2>&1 </dev/null) in *mawk*) A="awk -W interactive";; esac',
    'tag() { exec $A -v id="$1" -v t="$2" "$T"; }',
    // Per file: its tail's lines go to fd 4 (the `o` tagger), its notes through the `e` tagger;
    // the shell's own records go straight to fd 5, the pipe every tagger writes into.
    'follow() {',
    `  n=$2 d=${REMOTE_DELAYS[0]}`,
    '  while :; do',
    `    ${tail} "$n" -- "$3" 2>&1 >&4 4>&- | tag "$1" e`,
    '    n=0',
    '    printf \'%s x %s\\n\' "$1" "$d"',
    '    sleep "$d"',
    '    printf \'%s r\\n\' "$1"',
    `    case $d in ${delays} esac`,
    '  done',
    '}',
  ].join('\n');
  // The loop's own notes ("Killed" when a tail is killed) are not the log's: its stderr is dropped.
  const files = paths.map((path, id) => `  follow ${id} ${initialLines} ${shQuote(path)} 4>&1 >&5 2>/dev/null | tag ${id} o &`);
  const command = ['{', ...files, '  wait', '} 5>&1 | cat'].join('\n');
  return followerScript(`{ ${command}; }`, prelude);
}

/** A record's parts: the ID of its file, its tag, and its bytes after the tag. */
export interface BundleRecord {
  id: number;
  tag: 'o' | 'c' | 'e' | 'x' | 'r';
  payload: Buffer;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
/** A line of the bundle's stdout longer than any record can be is not a record: dropped. */
const MAX_RECORD = 4096;

/** Parses one line of the bundle's stdout, or undefined when it is not a record. */
export function parseRecord(line: Buffer): BundleRecord | undefined {
  const space = line.indexOf(SPACE);
  if (space < 1 || space > 9) return undefined;
  const idText = line.subarray(0, space).toString('latin1');
  if (!/^\d+$/.test(idText)) return undefined;
  const tag = String.fromCharCode(line[space + 1] ?? 0);
  if (tag !== 'o' && tag !== 'c' && tag !== 'e' && tag !== 'x' && tag !== 'r') return undefined;
  const rest = line.subarray(space + 2);
  if (rest.length > 0 && rest[0] !== SPACE) return undefined;
  return { id: Number(idText), tag, payload: rest.subarray(1) };
}

/** Splits the bundle's stdout into records, in bytes (a chunk may end inside a UTF-8 character). */
export class RecordSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(private readonly onRecord: (record: BundleRecord) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end < 0) break;
      this.take(chunk.subarray(start, end), true);
      start = end + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start), false);
  }

  private take(part: Buffer, complete: boolean): void {
    if (!this.discarding) {
      this.pending.push(part);
      this.pendingBytes += part.length;
      if (this.pendingBytes > MAX_RECORD) {
        this.discarding = true;
        this.pending = [];
        this.pendingBytes = 0;
      }
    }
    if (!complete) return;
    if (!this.discarding) {
      const record = parseRecord(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending));
      if (record) this.onRecord(record);
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
  }
}

/** One file of the bundle as the pane sees it: its lines, its tail's notes, its own restarts. */
class BundledFile {
  private readonly lines: LineSplitter;
  private readonly notes: LineSplitter;
  private healthy = true;
  private lastNote = '';
  private endedAt: number | undefined;

  constructor(
    private readonly host: string,
    private readonly outlet: LogStreamHandlers,
    onLine: () => void,
  ) {
    this.lines = new LineSplitter((line) => {
      if (!this.healthy) {
        this.healthy = true;
        outlet.state('ok');
      }
      onLine();
      outlet.line(line);
    });
    this.notes = new LineSplitter((note) => {
      const { kind, text } = interpretFollowerNote(note);
      this.lastNote = text;
      if (kind === 'missing') {
        this.healthy = false;
        outlet.state('error', `${host}: ${text}`, 'waiting for it to appear');
      } else if (kind === 'resumed') {
        this.healthy = true;
        outlet.state('ok');
      }
      outlet.mark(text);
    });
  }

  take({ tag, payload }: BundleRecord): void {
    if (tag === 'o' || tag === 'c') {
      this.lines.push(payload);
      if (tag === 'o') this.lines.push('\n');
    } else if (tag === 'e') {
      this.notes.push(payload);
      this.notes.push('\n');
    } else if (tag === 'x') {
      // This file's tail ended; the others go on. The host restarts it after the delay it names.
      this.endedAt = Date.now();
      this.healthy = false;
      const delay = Number(payload.toString('latin1')) || 1;
      this.outlet.state('error', `${this.host}: tail ended${this.lastNote ? `: ${this.lastNote}` : ''}`, `restarting in ${delay}s`);
    } else {
      this.outlet.mark(`— tail restarted; lines written since ${formatClock(this.endedAt ?? Date.now())} may be missing —`);
      this.healthy = true;
      this.outlet.state('ok');
    }
  }

  end(): void {
    this.lines.end();
    this.notes.end();
  }
}

/** The decoder of a bundle's output: records to their files; the script's own stderr to every file. */
export function fileBundleOutput(host: string): OutputDecoder {
  return (outlets, onLine): FollowerOutput => {
    const files = outlets.map((_, index) => new BundledFile(host, outletOf(outlets, index), onLine));
    const records = new RecordSplitter((record) => files[record.id]?.take(record));
    let lastNote = '';
    const errors = new LineSplitter((note) => {
      lastNote = note;
      for (const outlet of outlets) outlet?.mark(note);
    });
    return {
      stdout: (chunk) => records.push(chunk),
      stderr: (chunk) => errors.push(chunk),
      end: () => {
        for (const file of files) file.end();
        errors.end();
      },
      lastNote: () => lastNote,
    };
  };
}
