// A config that cannot be used: where (file:line:column, or the file alone when the problem is the
// file itself) and what. The CLI prints it and exits 2; nothing else about a config reaches the user.
import { sanitizeLine } from '../../domain/sanitize.js';

export interface ConfigPosition {
  line: number;
  column: number;
}

export class ConfigError extends Error {
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly problem: string;

  constructor(
    readonly file: string,
    position: ConfigPosition | undefined,
    readonly keyPath: string,
    problem: string,
  ) {
    // The message echoes the file's own keys and values: a config can carry escape sequences or a
    // megabyte-long scalar, neither of which belongs on the operator's terminal.
    const safe = sanitizeLine(problem, 500);
    super(`${file}${position ? `:${position.line}:${position.column}` : ''}: ${keyPath ? `${sanitizeLine(keyPath, 200)}: ` : ''}${safe}`);
    this.name = 'ConfigError';
    this.line = position?.line;
    this.column = position?.column;
    this.problem = safe;
  }
}
