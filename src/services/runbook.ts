// Opening a runbook file in the operator's pager at its heading: the command (`$PAGER +/PATTERN FILE`,
// each word through the one quoting module), and running it on the terminal opsdeck hands over.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { findHeading, headingPattern } from '../domain/runbook.js';
import { shQuote } from './shell-quote.js';

/** A runbook longer than this is searched for its heading only this far. */
const READ_LIMIT = 4 * 1024 * 1024;

async function readStart(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(READ_LIMIT);
    const { bytesRead } = await file.read(buffer, 0, READ_LIMIT, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

/**
 * The shell command that shows the file at its heading: `$PAGER` (else less) is the operator's own
 * shell text, as git takes it; the search and the path are quoted words. A heading the file does not
 * have opens it at the top, and `missing` says which.
 */
export async function pagerCommand(path: string, heading: string | undefined, pager: string | undefined): Promise<{ command: string; missing?: string }> {
  const text = await readStart(path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `${path} does not exist` : `${path}: ${error.message}`);
  });
  const program = pager?.trim() || 'less';
  const line = heading === undefined ? undefined : findHeading(text, heading);
  const search = line === undefined ? [] : [shQuote(`+/${headingPattern(line)}`)];
  return { command: [program, ...search, shQuote(path)].join(' '), missing: heading !== undefined && line === undefined ? heading : undefined };
}

/** Runs the pager on this terminal until the operator quits it; its exit status. */
export function runPager(command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { stdio: 'inherit' });
    child.on('error', () => resolve(127));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** OSC 52: asks the terminal to put the text on the clipboard (terminals that do not allow it ignore it). */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}
