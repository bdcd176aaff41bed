// A pattern rule on a log: lines matching a regex, counted per key (the regex's `key` group: sshd's
// "Failed password ... from IP" counts per IP) over a sliding window; a key reaching the threshold
// is an alert naming it. The regex is the operator's: it is checked when the config is read and only
// ever runs on a line cut to RULE_LINE_LIMIT, so a bad one costs a bounded time per line.
import { sanitizeLine } from './sanitize.js';
import { SlidingCounts, type KeyCount } from './sliding-window.js';

export interface LogRuleSpec {
  name: string;
  match: string;
  windowSec: number;
  /** Matches of one key within the window that raise the alert. */
  threshold: number;
  level: 'warn' | 'crit';
}

/** A rule's regex sees at most this many characters of a line (an sshd line is under 200). */
export const RULE_LINE_LIMIT = 2048;
/** Keys counted at once per rule: past this, the key seen longest ago is dropped (a botnet's thousand IPs). */
export const MAX_RULE_KEYS = 1000;
/** The window is counted in this many buckets: a key costs a few hundred bytes however many lines it matches. */
const BUCKETS_PER_WINDOW = 30;
const KEY_LENGTH = 100;

/** Does the `{` at `index` open a repetition with no upper bound or one above 1 ({2,}, {1,9})? */
function repeatsAt(pattern: string, index: number): boolean {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(index));
  if (!m) return false;
  const most = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return most > 1;
}

const repeats = (pattern: string, index: number): boolean => pattern[index] === '*' || pattern[index] === '+' || (pattern[index] === '{' && repeatsAt(pattern, index));

/**
 * Why the pattern could take exponential time: a repeated group that holds a repetition itself, as
 * `(a+)+` or `(\S+\s?)*`, which backtracks through every way of splitting a line that almost matches.
 * A cheap look at the text, not a proof: the line limit bounds what it misses.
 */
export function nestedRepetition(pattern: string): string | undefined {
  const groups: { start: number; repeats: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') groups.push({ start: i, repeats: false });
    else if (c === ')') {
      const group = groups.pop();
      if (!group) continue;
      const repeated = repeats(pattern, i + 1);
      if (group.repeats && repeated) return `${pattern.slice(group.start, i + 2)} repeats a group that repeats inside: it can take exponential time on a long line`;
      const parent = groups.at(-1);
      if (parent && (group.repeats || repeated)) parent.repeats = true;
    } else if (repeats(pattern, i) && groups.length > 0) groups.at(-1)!.repeats = true;
  }
  return undefined;
}

/** What is wrong with a rule's regex, or undefined when it can be used. */
export function rulePatternProblem(pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  if (regex.test('')) return 'matches an empty line: it would count every line';
  return nestedRepetition(pattern);
}

const SYSLOG_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * When a log line says it was written: a leading ISO 8601 time with its offset (journal short-iso,
 * rsyslog's high-precision format), or a traditional syslog time ("Dec  1 02:26:36", taken in this
 * machine's zone, in the year that does not put it in the future); undefined when it starts with neither.
 */
export function lineTime(text: string, nowMs: number): number | undefined {
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}):?(\d{2})\b/.exec(text);
  if (iso) {
    const at = Date.parse(`${iso[1]}${iso[2]}:${iso[3]}`);
    return Number.isNaN(at) ? undefined : at;
  }
  const syslog = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) /.exec(text);
  const month = syslog ? SYSLOG_MONTHS.indexOf(syslog[1]!) : -1;
  if (!syslog || month < 0) return undefined;
  const year = new Date(nowMs).getFullYear();
  const at = (y: number) => new Date(y, month, Number(syslog[2]), Number(syslog[3]), Number(syslog[4]), Number(syslog[5])).getTime();
  // A line from late December read in early January belongs to last year.
  return at(year) > nowMs + 86_400_000 ? at(year - 1) : at(year);
}

export class RuleMeter {
  private readonly regex: RegExp;
  private readonly spanSec: number;
  /** In the order last seen: the first is the one dropped when there are too many. */
  private readonly keys = new Map<string, SlidingCounts>();

  constructor(readonly spec: LogRuleSpec) {
    this.regex = new RegExp(spec.match);
    this.spanSec = Math.max(1, Math.ceil(spec.windowSec / BUCKETS_PER_WINDOW));
  }

  line(text: string, nowMs: number): void {
    const match = this.regex.exec(text.length > RULE_LINE_LIMIT ? text.slice(0, RULE_LINE_LIMIT) : text);
    if (!match) return;
    // Counted when the line says it was written, so a follower's backlog of old lines is not a burst now.
    const sec = Math.floor(Math.min(nowMs, lineTime(text, nowMs) ?? nowMs) / 1000);
    if (sec <= Math.floor(nowMs / 1000) - this.spec.windowSec) return;
    // The key comes from the log: anyone who can make a line appear chooses it.
    const key = sanitizeLine(match.groups?.key ?? '', KEY_LENGTH);
    let counts = this.keys.get(key);
    if (counts) this.keys.delete(key);
    else {
      if (this.keys.size >= MAX_RULE_KEYS) this.keys.delete(this.keys.keys().next().value!);
      counts = new SlidingCounts(BUCKETS_PER_WINDOW, this.spanSec);
    }
    this.keys.set(key, counts);
    counts.add(sec);
  }

  /**
   * Each key's matches in the window up to now (its oldest bucket may reach a little further back),
   * most first; keys with none are dropped. At most MAX_RULE_KEYS.
   */
  read(nowMs: number): KeyCount[] {
    const nowSec = Math.floor(nowMs / 1000);
    const all: KeyCount[] = [];
    for (const [key, counts] of this.keys) {
      const count = counts.sum(nowSec - this.spec.windowSec + 1, nowSec);
      if (count === 0) this.keys.delete(key);
      else all.push({ key, count });
    }
    return all.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  }
}
