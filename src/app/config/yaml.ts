// YAML text to a document and to plain data, within the limits a config file needs. yaml composes
// nested collections recursively: past the stack it throws, or worse, V8 aborts the whole process
// compiling a RegExp deep in the recursion, so nesting is measured first on the parser's flat token
// stream. Aliases that multiply (an alias bomb) are refused where the first one is.
import { Composer, CST, isAlias, isMap, isPair, isSeq, LineCounter, Parser, type Document, type Node as YamlNode } from 'yaml';
import { ConfigError, type ConfigPosition } from './error.js';

/** Far deeper than a config goes (keys.CONTEXT.ACTION is three levels), far shallower than the stack. */
export const MAX_DEPTH = 32;
/** Alias expansions yaml allows before refusing the document; a real config uses a handful. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  doc: Document;
  lines: LineCounter;
}

export function positionAt(lines: LineCounter, offset: number): ConfigPosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const deep = tooDeep(tokens);
  if (deep) throw new ConfigError(file, positionAt(lines, deep.offset), '', `nested more than ${MAX_DEPTH} levels deep`);
  const [doc, second] = new Composer({ uniqueKeys: true }).compose(tokens, true, text.length);
  const [syntax, ...more] = doc!.errors.map((e) => new ConfigError(file, positionAt(lines, e.pos[0]), '', `invalid YAML: ${e.message.split('\n')[0]}`));
  if (syntax) throw ConfigError.all([syntax, ...more]);
  if (second) throw new ConfigError(file, positionAt(lines, second.range[0]), '', 'invalid YAML: a second document starts here; a config is one document');
  return { doc: doc!, lines };
}

/** The first collection nested deeper than MAX_DEPTH, found without recursion. */
function tooDeep(tokens: CST.Token[]): CST.Token | undefined {
  const stack = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (token.type === 'document' && token.value) stack.push({ token: token.value, depth });
    if (!CST.isCollection(token)) continue;
    if (depth >= MAX_DEPTH) return token;
    for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The document as plain data; an empty document is an empty config. */
export function toPlain({ doc, lines }: ParsedYaml, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    // yaml throws a ReferenceError past maxAliasCount; anchors nesting aliases can also overflow the stack.
    const message = error instanceof Error ? error.message : String(error);
    const alias = firstAlias(doc.contents);
    const problem = /excessive alias/i.test(message)
      ? `YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes (an alias bomb?); write the values out instead`
      : error instanceof RangeError
        ? 'YAML aliases nest too deeply; write the values out instead'
        : `YAML alias: ${message}`;
    throw new ConfigError(file, positionAt(lines, alias?.range?.[0] ?? 0), '', problem);
  }
}

/** The first alias in document order (depth first, without recursion). */
function firstAlias(root: unknown): YamlNode | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return node;
    if (isMap(node) || isSeq(node)) stack.push(...(node.items as unknown[]).flatMap((item) => (isPair(item) ? [item.key, item.value] : [item])).reverse());
  }
  return undefined;
}
