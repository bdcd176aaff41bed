// Finds, parses and validates the config file; every error names file:line:column and the key path.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMap, isPair, isScalar, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { didYouMean } from '../suggest.js';
import { configSchema, type RawConfig } from './schema.js';
import { resolveConfig, type OpsConfig } from './resolve.js';
import { loadDefaultBindings } from './default-keys.js';
import { ConfigError } from './error.js';
import { readConfigFile } from './read.js';
import { parseYaml, toPlain } from './yaml.js';

export { ConfigError } from './error.js';

export interface ConfigLocation {
  file: string | null;
  /** Where the file came from, for `opsdeck check`. */
  origin: 'flag' | 'env' | 'xdg' | 'default';
}

// `exists` only looks: reading the file here would hang on a FIFO before loadConfig could refuse it.
export function locateConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, exists = existsSync): ConfigLocation {
  if (flag) return { file: flag, origin: 'flag' };
  if (env.OPSDECK_CONFIG) return { file: env.OPSDECK_CONFIG, origin: 'env' };
  const xdg = join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'opsdeck', 'config.yaml');
  if (exists(xdg)) return { file: xdg, origin: 'xdg' };
  return { file: null, origin: 'default' };
}

export function loadConfig(location: ConfigLocation): OpsConfig {
  if (location.file === null) return resolveConfig({}, null, loadDefaultBindings()).config;
  return parseConfigText(readConfigFile(location.file), location.file);
}

export function parseConfigText(text: string, file: string): OpsConfig {
  try {
    return parseChecked(text, file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // The promise is that no config reaches the user as a stack trace. The fuzz test fails on this
    // (it has no position), so a case landing here is found and given its own message.
    throw new ConfigError(file, undefined, '', `cannot be read as a config: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function parseChecked(text: string, file: string): OpsConfig {
  const yaml = parseYaml(text, file);
  const { doc, lines } = yaml;
  const parsed = configSchema.safeParse(toPlain(yaml, file), { reportInput: true });
  // Every problem the schema finds, in one report; the key bindings are judged once the rest is valid.
  if (!parsed.success) throw ConfigError.all(atLeastOne(parsed.error.issues.flatMap((issue) => toConfigErrors(issue, doc, lines, file))));
  const { config, problems } = resolveConfig(parsed.data as RawConfig, file, loadDefaultBindings());
  if (problems.length > 0) {
    throw ConfigError.all(
      atLeastOne(
        problems.map((problem) => {
          const pos =
            problem.at === 'key' ? positionOfKey(doc, lines, problem.path.slice(0, -1), String(problem.path.at(-1))) : positionOfPath(doc, lines, problem.path);
          return new ConfigError(file, { line: pos.line, column: pos.col }, formatPath(problem.path), problem.message);
        }),
      ),
    );
  }
  return config;
}

function atLeastOne<T>(items: T[]): [T, ...T[]] {
  if (items.length === 0) throw new Error('a failed validation with no problem');
  return items as [T, ...T[]];
}

/** An issue as errors at their places: an unknown-keys issue is one error per key. */
function toConfigErrors(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): ConfigError[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const hint = didYouMean(key, known);
      const pos = positionOfKey(doc, lines, path, key);
      return new ConfigError(file, { line: pos.line, column: pos.col }, formatPath([...path, key]), `unknown key "${key}"${hint} (known here: ${known.join(', ')})`);
    });
  }
  // A bad key (a host named "web 1") is placed at the key, not at its value.
  const pos = issue.code === 'invalid_key' ? positionOfKey(doc, lines, path.slice(0, -1), String(path.at(-1))) : positionOfPath(doc, lines, path);
  return [new ConfigError(file, { line: pos.line, column: pos.col }, formatPath(path), describeIssue(issue))];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `missing; expected ${issue.expected}` : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case 'too_small':
    case 'too_big':
      return `${issue.message.replace(/^Too (small|big): expected (number|string|array) to (have|be) /, 'must be ')}`;
    case 'invalid_value': {
      // "one of true" for a key that takes a single value (local: true) reads as a garble.
      const values = issue.values.map((v) => JSON.stringify(v));
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}${issue.input === undefined ? '' : `, got ${describeValue(issue.input)}`}`;
    }
    case 'invalid_key':
      // zod's own message is "Invalid key in record": the rule the key broke is in its issues.
      return issue.issues.map(describeIssue).join('; ');
    default:
      return issue.message;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The keys the schema allows in the mapping at this path, for "did you mean" on a typo. */
function knownKeysAt(path: readonly (string | number)[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const step of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(step)] ?? schema;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
  return current;
}

function positionOfPath(doc: Document, lines: LineCounter, path: readonly (string | number)[]): { line: number; col: number } {
  // Walk up until a node exists: a missing key is reported where its parent mapping is.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : (doc.getIn(path.slice(0, depth), true) as YamlNode | undefined);
    if (node && typeof node === 'object' && 'range' in node && node.range) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function positionOfKey(doc: Document, lines: LineCounter, path: readonly (string | number)[], key: string): { line: number; col: number } {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const item of map.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) return lines.linePos(item.key.range[0]);
    }
  }
  return positionOfPath(doc, lines, path);
}
