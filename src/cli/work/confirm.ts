// The operator's yes for a command's operations: the whole plan shown once, then a y (or the typed word
// the strictest of its operations asks for) on a terminal; without a terminal only --yes will do.
import { createInterface } from 'node:readline/promises';
import { bind, type Operation } from '../../app/operations/registry.js';
import type { Confirmation } from '../../app/operations/types.js';

export type Answer = 'yes' | 'no' | 'no-terminal';

/**
 * A typed word outranks a y: a plan with one stop in it asks for "stop". A value the cockpit's dialog
 * asks for (maintenance's expiry) came on the command line (--expires): a yes is what is left to ask.
 */
function strictest(operations: readonly Operation[]): Confirmation {
  const asked = operations.map((operation) => bind(operation).confirmation);
  return asked.find((c) => c.kind === 'typed') ?? (asked.some((c) => c.kind === 'yes' || c.kind === 'value') ? { kind: 'yes' } : { kind: 'none' });
}

/** What the operator reads before answering: each step with the exact command it sends, and how it is verified. */
export function describePlan(operations: readonly Operation[], keepGoing: boolean): string {
  const hosts = new Set(operations.map((operation) => bind(operation).description.host)).size;
  const scope = `${operations.length} step${operations.length > 1 ? 's' : ''} on ${hosts} host${hosts > 1 ? 's' : ''}`;
  const lines = [operations.length > 1 ? `${scope}, in this order, ${keepGoing ? 'going on past a failure' : 'stopping at the first that does not succeed'}:` : `${scope}:`];
  operations.forEach((operation, index) => {
    const { title, command } = bind(operation).description;
    lines.push(`  ${index + 1}. ${title}${command ? `: ${command}` : ''}`);
  });
  for (const line of new Set(operations.flatMap((operation) => bind(operation).description.lines))) lines.push(`  ${line}`);
  return `${lines.join('\n')}\n`;
}

export async function confirmPlan(operations: readonly Operation[], options: { yes: boolean; keepGoing: boolean }): Promise<Answer> {
  const confirmation = strictest(operations);
  if (options.yes || confirmation.kind === 'none') return 'yes';
  if (!process.stdin.isTTY) return 'no-terminal';
  process.stderr.write(describePlan(operations, options.keepGoing));
  const question = confirmation.kind === 'typed' ? `type "${confirmation.word}" to go on: ` : 'go on? [y/N] ';
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const giveUp = new AbortController();
  // Ctrl-C or the end of input is a no.
  prompt.once('SIGINT', () => giveUp.abort());
  prompt.once('close', () => giveUp.abort());
  try {
    const answer = (await prompt.question(question, { signal: giveUp.signal })).trim();
    return (confirmation.kind === 'typed' ? answer === confirmation.word : /^y(es)?$/i.test(answer)) ? 'yes' : 'no';
  } catch {
    return 'no';
  } finally {
    prompt.close();
  }
}
