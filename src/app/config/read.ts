// Reads the config file's text, refusing what is not a config file before it can hang or flood
// opsdeck: a FIFO with no writer blocks a read forever, a device can be endless, and a stray byte
// of another encoding would silently become U+FFFD inside a host name.
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ConfigError } from './error.js';

/** Far above any real config (ten thousand hosts fit), far below what hurts to parse. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export function readConfigFile(file: string): string {
  let fd: number;
  try {
    // Non-blocking, or opening a FIFO would itself wait for a writer before the type check runs.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ConfigError(file, undefined, '', openProblem(error as NodeJS.ErrnoException));
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new ConfigError(file, undefined, '', `is ${kindOf(stats)}, not a regular file: a config is a YAML file`);
    return decode(readAtMost(fd, file), file);
  } finally {
    closeSync(fd);
  }
}

function openProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: opsdeck cannot read this file';
    case 'ENOTDIR':
      return 'file not found (a directory on the way is a file)';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    default:
      return `cannot open: ${error.code ?? error.message}`;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/** Reads to the end but stops past the limit: the size fstat reports can be stale, or 0 in /proc. */
function readAtMost(fd: number, file: string): Buffer {
  const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
  let length = 0;
  try {
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
  } catch (error) {
    throw new ConfigError(file, undefined, '', `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (length > MAX_CONFIG_BYTES) throw new ConfigError(file, undefined, '', `is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, too large for a config`);
  return buffer.subarray(0, length);
}

function decode(bytes: Buffer, file: string): string {
  const text = bytes.toString('utf8');
  if (isUtf8(bytes)) return text;
  // The decoder wrote U+FFFD for the first bad byte; one the file itself contains is EF BF BD there.
  for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
    const offset = Buffer.byteLength(text.slice(0, at));
    if (bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd) continue;
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new ConfigError(file, { line, column }, '', `not UTF-8: byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at offset ${offset} (save the file as UTF-8)`);
  }
  throw new ConfigError(file, undefined, '', 'not UTF-8 (save the file as UTF-8)');
}
