// What `opsdeck run` does (src/cli/run.ts declares it): the action built as the cockpit's key builds
// it, run through the operation runner, each host's output streamed as it arrives.
import { SETTABLE_PLACEHOLDERS, type PlaceholderValues } from '../../app/action-template.js';
import type { OpsConfig } from '../../app/config/resolve.js';
import { OperationRunner } from '../../app/operation-runner.js';
import { actionHosts, buildAction, type ActionParams } from '../../app/operations/action.js';
import type { OperationOutput } from '../../app/operations/types.js';
import { usageError } from '../flags.js';
import { configOrExit } from './config.js';
import { confirmed, stoppable, type RunOptions } from './operations.js';

const EXIT_FAILED = 1;

export interface ActionOptions extends RunOptions {
  hosts?: string[];
  set?: PlaceholderValues;
}

/** The operation from the action's name, the hosts (given, else the action's own) and the values given. */
function actionParams(config: OpsConfig, name: string, options: ActionOptions): ActionParams {
  const spec = config.actions.find((a) => a.name === name);
  if (!spec) {
    const known = config.actions.map((a) => a.name);
    usageError(`no action "${name}" in ${config.file ?? 'the config'} (${known.length > 0 ? `actions: ${known.join(', ')}` : 'none is configured under actions:'})`);
  }
  const names = options.hosts ?? spec.hosts;
  if (names.length === 0) usageError(`action ${name} has no hosts in the config (actions.${name}.hosts): give them with --hosts NAMES`);
  const targets = actionHosts(names, config.hosts);
  if ('error' in targets) usageError(`${name}: ${targets.error}`);
  const why = Object.fromEntries(SETTABLE_PLACEHOLDERS.map((p) => [p, `give it with --set ${p}=VALUE`]));
  const set = options.set ?? {};
  const built = buildAction(spec, targets.hosts, set, why);
  if ('error' in built) usageError(built.error);
  const unused = SETTABLE_PLACEHOLDERS.filter((p) => set[p] !== undefined && built.params.values[p] === undefined);
  if (unused.length > 0) usageError(`${name}'s command has no ${unused.map((p) => `{${p}}`).join(', ')} to set`);
  return built.params;
}

/** Each host's output as it arrives: as it is from one host, each line prefixed by the host from several. */
class StreamedOutput implements OperationOutput {
  /** Each host's result in the order the action names them, once it ended. */
  readonly ended = new Map<string, { ok: boolean; text: string } | undefined>();
  private prefixed = false;
  private readonly partial = new Map<string, string>();
  private atLineStart = true;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  open(_title: string, sections: readonly { host: string; command: string }[]): void {
    this.prefixed = sections.length > 1;
    for (const { host } of sections) this.ended.set(host, undefined);
  }

  write(host: string, text: string): void {
    if (!this.prefixed) {
      this.stream.write(text);
      if (text !== '') this.atLineStart = text.endsWith('\n');
      return;
    }
    const lines = `${this.partial.get(host) ?? ''}${text}`.split('\n');
    this.partial.set(host, lines.pop()!);
    for (const line of lines) this.stream.write(`${host}: ${line}\n`);
  }

  end(host: string, status: { ok: boolean; text: string }): void {
    const rest = this.partial.get(host);
    if (rest) this.stream.write(`${host}: ${rest}\n`);
    this.partial.delete(host);
    // What follows starts on a line of its own, even after output without a final newline.
    if (!this.atLineStart) this.stream.write('\n');
    this.atLineStart = true;
    this.ended.set(host, status);
  }
}

function resultTable(ended: StreamedOutput['ended'], colour: boolean): string {
  const rows = [...ended].map(([host, status]) => ({ host, result: status ? (status.ok ? 'ok' : 'failed') : 'not run', text: status?.text ?? '' }));
  const width = Math.max(4, ...rows.map((r) => r.host.length));
  const mark = (result: string) => (colour && result !== 'not run' ? `\u001b[${result === 'ok' ? 32 : 31}m${result.padEnd(6)}\u001b[0m` : result.padEnd(6));
  return `${['HOST'.padEnd(width), 'RESULT', 'STATUS'].join('  ')}\n${rows.map((r) => `${r.host.padEnd(width)}  ${mark(r.result)}  ${r.text}`.trimEnd()).join('\n')}\n`;
}

export async function runAction(name: string, options: ActionOptions): Promise<void> {
  const config = configOrExit(options);
  const operation = { kind: 'action.run', params: actionParams(config, name, options) } as const;
  const output = new StreamedOutput(options.format === 'json' ? process.stderr : process.stdout);
  const runner = new OperationRunner(config, { say: (text) => process.stderr.write(`${text}\n`), output: () => output });
  if (!(await confirmed(`run ${name}`, [operation], runner, options))) return runner.close();
  const result = await stoppable(runner, () => runner.run(operation));
  if (options.format === 'json') {
    const results = (result.result as { results?: unknown[] } | undefined)?.results ?? [];
    process.stdout.write(`${JSON.stringify({ command: 'run', action: name, ok: result.outcome === 'ok', outcome: result.outcome, message: result.message, auditId: result.id ?? null, results }, null, 2)}\n`);
  } else if (output.ended.size > 0) process.stdout.write(resultTable(output.ended, process.stdout.isTTY === true && !process.env.NO_COLOR));
  process.exitCode = result.outcome === 'ok' ? 0 : EXIT_FAILED;
}
