// Quotes values for a POSIX shell: the only way a value from config or remote output enters a remote command.

/**
 * One shell word that stands for exactly `value`: single quotes, with each `'` written as `'\''`.
 * A NUL byte cannot travel in a command line, so it is refused rather than silently cut.
 */
export function shQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line whose words are exactly `argv`, for `sh -c`. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}
