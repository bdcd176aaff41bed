// An operator command's template (`actions.NAME.run`): the operator's own shell text, trusted, with
// placeholders such as {unit} that the selection fills. Each value becomes exactly one shell word
// through the one quoting module, so a unit named `$(touch x)` is that string, never a command. A
// quoted word stays one word only where the shell does not look inside it again: a placeholder
// inside '...', "...", `...`, ${...} or $((...)), or after a here-document, is refused when the
// config is read.
import { shQuote } from '../services/shell-quote.js';

export const PLACEHOLDERS = {
  host: 'the target host\'s name (as in hosts:); one command per host',
  unit: 'the unit selected in Services',
  database: 'the database of the query selected in Databases (its name in databases:)',
  pid: 'the pid of the query selected in Databases',
  file: 'the file of the log source shown in Logs (s picks one)',
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** The placeholders `opsdeck run --set` can fill; {host} is each run's own. */
export const SETTABLE_PLACEHOLDERS: readonly Placeholder[] = (Object.keys(PLACEHOLDERS) as Placeholder[]).filter((p) => p !== 'host');

type Part = { text: string } | { placeholder: Placeholder };

export interface ActionTemplate {
  parts: readonly Part[];
  /** Each placeholder it uses, once, in order of first use. */
  placeholders: readonly Placeholder[];
}

const isPlaceholder = (name: string): name is Placeholder => Object.hasOwn(PLACEHOLDERS, name);
const KNOWN = Object.keys(PLACEHOLDERS)
  .map((p) => `{${p}}`)
  .join(', ');

type Context = 'top' | 'group' | 'subst' | 'single' | 'ansi' | 'double' | 'backtick' | 'param' | 'arith';

/** Where a placeholder's quoted value stays one word: outside every quote and expansion. */
const BARE: ReadonlySet<Context> = new Set(['top', 'group', 'subst']);

const WHERE: Record<Exclude<Context, 'top' | 'group' | 'subst'>, string> = {
  single: "inside '...'",
  ansi: "inside $'...'",
  double: 'inside "..."',
  backtick: 'inside `...`',
  param: 'inside ${...}',
  arith: 'inside $((...))',
};

/** A `#` starts a comment only at the start of a word. */
const wordStart = (text: string, i: number): boolean => i === 0 || /[\s;&|()<>]/.test(text[i - 1]!);

/**
 * Reads the template: its placeholders, and whether each stands bare. `{{` is a literal `{`; `${name}`
 * is the shell's own and left alone; any other `{name}` must be a known placeholder.
 */
export function parseTemplate(text: string): { template: ActionTemplate } | { error: string } {
  const parts: Part[] = [];
  const used: Placeholder[] = [];
  const stack: Context[] = ['top'];
  let literal = '';
  let heredoc = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    const next = text[i + 1];
    const context = stack[stack.length - 1]!;
    if (c === '{' && next === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    const named = c === '{' && text[i - 1] !== '$' ? /^\{([A-Za-z][A-Za-z0-9_]*)\}/.exec(text.slice(i)) : null;
    if (named) {
      const name = named[1]!;
      if (!isPlaceholder(name)) return { error: `unknown placeholder {${name}} (known: ${KNOWN}); write {{ for a literal {` };
      if (!BARE.has(context)) return { error: `placeholder {${name}} is ${WHERE[context as keyof typeof WHERE]}: write it bare, outside quotes; its value is quoted for you` };
      if (heredoc) return { error: `placeholder {${name}} follows a here-document (<<), whose body the shell expands: pass the value as an argument instead` };
      if (literal) parts.push({ text: literal });
      literal = '';
      parts.push({ placeholder: name });
      if (!used.includes(name)) used.push(name);
      i += named[0].length;
      continue;
    }
    literal += c;
    i++;
    const take = (n: number) => {
      literal += text.slice(i, i + n);
      i += n;
    };
    const enter = (inner: Context, skip = 0) => {
      take(skip);
      stack.push(inner);
    };
    /** `$(`, `$((` and `${` open an expansion inside "..." and ${...} as they do bare. */
    const expansion = (): boolean => {
      if (c === '`') enter('backtick');
      else if (c !== '$') return false;
      else if (next === '{') enter('param', 1);
      else if (next === '(' && text[i + 1] === '(') enter('arith', 2);
      else if (next === '(') enter('subst', 1);
      else return false;
      return true;
    };
    switch (context) {
      case 'single':
        if (c === "'") stack.pop();
        break;
      case 'ansi':
      case 'backtick':
        if (c === '\\') take(1);
        else if (c === (context === 'ansi' ? "'" : '`')) stack.pop();
        break;
      case 'arith':
        if (c === ')' && next === ')') {
          take(1);
          stack.pop();
        }
        break;
      case 'double':
        if (c === '\\') take(1);
        else if (c === '"') stack.pop();
        else expansion();
        break;
      case 'param':
        if (c === '\\') take(1);
        else if (c === '}') stack.pop();
        else if (c === "'") enter('single');
        else if (c === '"') enter('double');
        else expansion();
        break;
      default:
        if (c === '\\') take(1);
        else if (c === "'") enter('single');
        else if (c === '"') enter('double');
        else if (c === '$' && next === "'") enter('ansi', 1);
        else if (expansion()) break;
        else if (c === '(') enter('group');
        else if (c === ')' && stack.length > 1) stack.pop();
        else if (c === '<' && next === '<') heredoc = true;
        else if (c === '#' && wordStart(text, i - 1)) {
          const end = text.indexOf('\n', i);
          take((end < 0 ? text.length : end) - i);
        }
    }
  }
  const open = stack[stack.length - 1]!;
  if (open !== 'top' && open !== 'group' && open !== 'subst') return { error: `the command ends ${WHERE[open]} that is never closed` };
  if (literal) parts.push({ text: literal });
  return { template: { parts, placeholders: used } };
}

/**
 * The command with every placeholder replaced by its value as one shell word. A placeholder with no
 * value, or a value a command line cannot carry (a NUL byte), fills nothing.
 */
export function fillTemplate(template: ActionTemplate, values: PlaceholderValues): { command: string } | { missing: Placeholder } | { error: string } {
  let command = '';
  for (const part of template.parts) {
    if ('text' in part) {
      command += part.text;
      continue;
    }
    const value = values[part.placeholder];
    if (value === undefined) return { missing: part.placeholder };
    if (value.includes('\0')) return { error: `the value of {${part.placeholder}} holds a NUL byte, which no command line can carry` };
    command += shQuote(value);
  }
  return { command };
}
