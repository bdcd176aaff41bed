// A config that cannot be used: every problem found in it, each with where (file:line:column, or
// the file alone when the problem is the file itself) and what. The CLI prints them all and exits 2;
// nothing else about a config reaches the user.
import { sanitizeLine } from '../../domain/sanitize.js';

export interface ConfigPosition {
  line: number;
  column: number;
}

/** One problem, as printed: `file:line:column: key.path: what`. */
export interface ConfigProblem {
  file: string;
  line: number | undefined;
  column: number | undefined;
  keyPath: string;
  problem: string;
  text: string;
}

/** More than this many problems is a file that is not a config at all: the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 20;

function describeProblem(file: string, position: ConfigPosition | undefined, keyPath: string, problem: string): ConfigProblem {
  // The message echoes the file's own keys and values: a config can carry escape sequences or a
  // megabyte-long scalar, neither of which belongs on the operator's terminal.
  const safe = sanitizeLine(problem, 500);
  const text = `${file}${position ? `:${position.line}:${position.column}` : ''}: ${keyPath ? `${sanitizeLine(keyPath, 200)}: ` : ''}${safe}`;
  return { file, line: position?.line, column: position?.column, keyPath, problem: safe, text };
}

export class ConfigError extends Error {
  /** Every problem, in file order; the first one's fields are also this error's own. */
  readonly problems: readonly ConfigProblem[];
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly keyPath: string;
  readonly problem: string;

  constructor(file: string, position: ConfigPosition | undefined, keyPath: string, problem: string);
  constructor(problems: readonly [ConfigProblem, ...ConfigProblem[]]);
  constructor(...args: [string, ConfigPosition | undefined, string, string] | [readonly [ConfigProblem, ...ConfigProblem[]]]) {
    const problems = args.length === 1 ? args[0] : [describeProblem(...args)];
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS).map((p) => p.text);
    if (problems.length > MAX_REPORTED_PROBLEMS) shown.push(`…and ${problems.length - MAX_REPORTED_PROBLEMS} more problems in ${problems[0].file}`);
    super(shown.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
    const [first] = problems;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.keyPath = first.keyPath;
    this.problem = first.problem;
  }

  /** What the CLI prints on stderr: a heading, then each problem on its own indented line. */
  report(): string {
    const heading = this.problems.length > 1 ? `${this.problems.length} config errors` : 'config error';
    return `opsdeck: ${heading}\n${this.message
      .split('\n')
      .map((line) => `  ${line}\n`)
      .join('')}`;
  }

  /** One error holding every problem of `errors`, in file order, each once. */
  static all(errors: readonly [ConfigError, ...ConfigError[]]): ConfigError {
    const seen = new Set<string>();
    const problems = errors
      .flatMap((e) => e.problems)
      .filter((p) => !seen.has(p.text) && seen.add(p.text))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return new ConfigError(problems as [ConfigProblem, ...ConfigProblem[]]);
  }
}
