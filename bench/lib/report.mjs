// Figures into tables: medians, percentiles, the machine's load, and docs/PERFORMANCE.md's generated
// sections (between <!-- bench:NAME --> markers, rewritten by each run of that scenario).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The 1-minute load average now. */
export function load() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export function fixed(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '–';
}

export function machine() {
  const cpu = cpus();
  const tools = ['htop --version', 'btop --version', 'glances -V', 'lnav -V', 'tmux -V', 'pg_dump --version'].map((c) => {
    try {
      // `command -v` first: the pipe's status is head's, so a missing tool would print sh's complaint.
      return execFileSync('sh', ['-c', `command -v ${c.split(' ')[0]} >/dev/null && ${c} 2>&1 | head -1`], { encoding: 'utf8' }).trim();
    } catch {
      return `${c.split(' ')[0]}: missing`;
    }
  });
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${tools.join('; ')}`;
}

/** A markdown table from a header and rows of cells. */
export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Replaces (or appends) the scenario's generated section in docs/PERFORMANCE.md. */
export function writeSection(root, name, body) {
  const path = join(root, 'docs/PERFORMANCE.md');
  const text = readFileSync(path, 'utf8');
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${begin}\n${body.trim()}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const next = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
