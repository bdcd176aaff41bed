// The operator's own commands (`actions:` in the config): a template filled from the selection (or
// from values given by name, for a command line), one command per target host, run on every host at
// once, each with its own deadline, output streamed into the output panel. The executor confirms,
// audits and refuses it like every other operation.
import { formatDuration } from '../../domain/duration.js';
import { sanitizeLine } from '../../domain/sanitize.js';
import type { ShellRunResult } from '../../domain/shell-command.js';
import { fillTemplate, parseTemplate, type Placeholder, type PlaceholderValues } from '../action-template.js';
import { databaseRows, selectedDatabaseRow } from '../database-rows.js';
import { displayLines } from '../logview.js';
import { databaseViews, hostRows, serviceRows } from '../rows.js';
import { selectedHost } from '../scope.js';
import type { DataState, UiState } from '../store.js';
import type { OperationKind, OperationOutcome, OperationOutput } from './types.js';
import type { OperationPorts } from './ports.js';

/** One configured action, as resolved from `actions.NAME`. */
export interface ActionSpec {
  name: string;
  key: string;
  /** Host and group names from `hosts:`; empty: the selected host. */
  hosts: readonly string[];
  /** The command template (docs/config.md, src/app/action-template.ts). */
  run: string;
  confirm: 'yes' | 'typed';
  timeoutMs: number;
}

export interface ActionRun {
  host: string;
  /** The exact command sent: the template with every value quoted. */
  command: string;
}

export interface ActionParams {
  action: string;
  template: string;
  confirm: ActionSpec['confirm'];
  timeoutMs: number;
  runs: ActionRun[];
  /** The placeholder values it was filled with (but {host}, which is each run's own). */
  values: PlaceholderValues;
}

export const DEFAULT_ACTION_TIMEOUT_MS = 60_000;
/** Lines of each host's output kept in the outcome's audit record. */
const AUDIT_TAIL_LINES = 10;
const AUDIT_TAIL_CHARS = 4096;

/** The hosts named: a host name is that host, a group name every host of the group, in config order. */
export function actionHosts(names: readonly string[], hosts: readonly { name: string; group?: string }[]): { hosts: string[] } | { error: string } {
  const picked: string[] = [];
  for (const name of names) {
    const matches = hosts.some((h) => h.name === name) ? [name] : hosts.filter((h) => h.group === name).map((h) => h.name);
    if (matches.length === 0) return { error: `no host or group "${name}" (hosts: ${hosts.map((h) => h.name).join(', ')})` };
    for (const host of matches) if (!picked.includes(host)) picked.push(host);
  }
  return { hosts: picked };
}

/**
 * An action's parameters from its spec, the hosts it runs on and the placeholder values: what the
 * cockpit's key, `:run NAME` and a command line share. `why` says why a value is missing.
 */
export function buildAction(spec: ActionSpec, targets: readonly string[], values: PlaceholderValues, why: Partial<Record<Placeholder, string>> = {}): { params: ActionParams } | { error: string } {
  const parsed = parseTemplate(spec.run);
  if ('error' in parsed) return { error: `${spec.name}: ${parsed.error}` };
  if (targets.length === 0) return { error: `${spec.name}: no host to run it on` };
  const runs: ActionRun[] = [];
  for (const host of targets) {
    const filled = fillTemplate(parsed.template, { ...values, host });
    if ('missing' in filled) return { error: `${spec.name} needs {${filled.missing}}: ${why[filled.missing] ?? 'no value given'}` };
    if ('error' in filled) return { error: `${spec.name}: ${filled.error}` };
    runs.push({ host, command: filled.command });
  }
  const used = Object.fromEntries(parsed.template.placeholders.flatMap((p) => (p === 'host' ? [] : [[p, values[p]]]))) as PlaceholderValues;
  return { params: { action: spec.name, template: spec.run, confirm: spec.confirm, timeoutMs: spec.timeoutMs, runs, values: used } };
}

/** The host a key acts on when the action names none: the host of what the focused pane has selected. */
function selectedTarget(data: DataState, ui: UiState): { host: string } | { error: string } {
  const at = (rows: readonly unknown[], cursor: number) => Math.min(cursor, Math.max(0, rows.length - 1));
  if (ui.focus === 'hosts') {
    const rows = hostRows(data, ui);
    const row = rows[at(rows, ui.cursor.hosts)];
    if (row) return { host: row.host.name };
  }
  if (ui.focus === 'services') {
    const rows = serviceRows(data, ui);
    const row = rows[at(rows, ui.cursor.services)];
    if (row) return { host: row.host };
  }
  if (ui.focus === 'databases') {
    const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
    const host = row ? data.databases[row.database]?.host : undefined;
    if (host && Object.hasOwn(data.hosts, host)) return { host };
  }
  if (ui.focus === 'logs') {
    const { sources } = displayLines(data, ui);
    const shown = sources[ui.logs.source];
    if (shown) return { host: shown.host };
  }
  if (ui.group) return { error: `the group ${ui.group} is shown: select one host (Enter in Hosts), or give the action hosts:` };
  const host = selectedHost(data, ui);
  return host ? { host } : { error: 'no host to run it on' };
}

/** The placeholder values the screen's selection gives, and why each missing one is missing. */
export function selectionValues(data: DataState, ui: UiState): { values: PlaceholderValues; why: Partial<Record<Placeholder, string>> } {
  const values: PlaceholderValues = {};
  const why: Partial<Record<Placeholder, string>> = {};
  const services = serviceRows(data, ui);
  const unit = services[Math.min(ui.cursor.services, services.length - 1)];
  if (unit) values.unit = unit.unit.name;
  else why.unit = 'select a unit in Services';
  const { row } = selectedDatabaseRow(databaseRows(databaseViews(data), ui.filters.databases), ui);
  if (row) {
    values.database = row.database;
    values.pid = String(row.pid);
  } else why.database = why.pid = 'select a query in Databases';
  const { sources } = displayLines(data, ui);
  const log = sources[ui.logs.source] ?? (sources.length === 1 ? sources[0] : undefined);
  if (log?.file) values.file = log.file;
  else why.file = log ? `the log ${log.label} is not a file` : sources.length > 1 ? 'pick one log in Logs (s)' : 'no log file in Logs';
  return { values, why };
}

/** The parameters an action's key (or `:run NAME`) gives with this selection, or why it cannot run. */
export function actionFromSelection(spec: ActionSpec, data: DataState, ui: UiState): { params: ActionParams } | { error: string } {
  const hosts = data.hostOrder.map((name) => ({ name, group: data.hosts[name]?.group }));
  const targets = spec.hosts.length > 0 ? actionHosts(spec.hosts, hosts) : selectedTarget(data, ui);
  if ('error' in targets) return { error: `${spec.name}: ${targets.error}` };
  const { values, why } = selectionValues(data, ui);
  return buildAction(spec, 'hosts' in targets ? targets.hosts : [targets.host], values, why);
}

/**
 * A command as one line of the screen: line breaks shown, control characters gone. Bounded only as
 * any config text is: the confirmation shows what runs, its end included, so it is not cut here.
 */
export const commandLine = (command: string): string => sanitizeLine(command.replace(/\r?\n/g, ' ⏎ '), 16_384);

const hostList = (p: ActionParams): string => (p.runs.length === 1 ? p.runs[0]!.host : `${p.runs.length} hosts (${p.runs.map((r) => r.host).join(', ')})`);

/** How one host's run ended, as its panel header and the result message say it. */
export function describeRun(result: ShellRunResult, timeoutMs: number): string {
  const status = result.code !== undefined ? `exit ${result.code}` : result.signal ? `killed by ${result.signal}` : '';
  const took = `in ${formatDuration(result.durationMs)}`;
  switch (result.ended) {
    case 'exit':
      return `${status} ${took}`;
    case 'timeout':
      return `timed out after ${formatDuration(timeoutMs)}${status ? `, ended (${status})` : ''}${result.error ? `: ${result.error}` : ''}`;
    case 'aborted':
      return `stopped (:abort or quit) ${took}${status ? ` (${status})` : ''}`;
    case 'error':
      return `did not run: ${result.error ?? 'unknown error'}${status ? ` (${status})` : ''}`;
  }
}

const succeeded = (result: ShellRunResult): boolean => result.ended === 'exit' && result.code === 0;

/** The last lines of a host's output, for the audit record. */
class OutputTail {
  private text = '';
  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-AUDIT_TAIL_CHARS);
  }
  lines(): string[] {
    return this.text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-AUDIT_TAIL_LINES)
      .map((line) => sanitizeLine(line, 500));
  }
}

async function runOnHost(run: ActionRun, p: ActionParams, ports: OperationPorts, signal: AbortSignal, output: OperationOutput) {
  const shell = ports.shell(run.host);
  const tail = new OutputTail();
  const result: ShellRunResult = shell
    ? await shell.run(run.command, {
        timeoutMs: p.timeoutMs,
        signal,
        output: (text) => {
          tail.add(text);
          output.write(run.host, text);
        },
      })
    : { ended: 'error', error: `${run.host} is not a watched host`, durationMs: 0 };
  const text = describeRun(result, p.timeoutMs);
  output.end(run.host, { ok: succeeded(result), text });
  return { run, result, text, tail: tail.lines() };
}

export const runAction: OperationKind<ActionParams> = {
  // An operator's command may change anything: refused on a read-only screen or host.
  changesOutside: true,
  describe: (p) => ({
    title: `run ${p.action} on ${hostList(p)}`,
    lines: [
      ...(p.runs.length > 1 ? p.runs.slice(0, 3).map((r) => `${r.host}: ${commandLine(r.command)}`) : []),
      ...(p.runs.length > 3 ? [`… and ${p.runs.length - 3} more hosts`] : []),
      `each host at once, timeout ${formatDuration(p.timeoutMs)}`,
    ],
    streamsOutput: true,
    host: p.runs.map((r) => r.host).join(','),
    hosts: p.runs.map((r) => r.host),
    target: `action:${p.action}`,
    ...(p.runs.length === 1 ? { command: commandLine(p.runs[0]!.command) } : {}),
    detail: { template: p.template, values: p.values, timeoutMs: p.timeoutMs, commands: Object.fromEntries(p.runs.map((r) => [r.host, r.command])) },
  }),
  confirmation: (p) => (p.confirm === 'typed' ? { kind: 'typed', word: p.action } : { kind: 'yes' }),
  async run(p, ports, signal, progress, output): Promise<OperationOutcome> {
    output.open(`${p.action} on ${hostList(p)}`, p.runs.map((r) => ({ host: r.host, command: commandLine(r.command) })));
    let done = 0;
    // Every host at once, each with its own deadline: a dead host costs its own timeout, nobody else's.
    const results = await Promise.all(
      p.runs.map(async (run) => {
        const result = await runOnHost(run, p, ports, signal, output);
        if (p.runs.length > 1) progress(`${++done} of ${p.runs.length} hosts done`);
        return result;
      }),
    );
    const ok = results.filter((r) => succeeded(r.result)).length;
    const report = {
      results: results.map(({ run, result, tail }) => ({
        host: run.host,
        command: run.command,
        ended: result.ended,
        ...(result.code !== undefined ? { exit: result.code } : {}),
        ...(result.signal ? { signal: result.signal } : {}),
        ...(result.error ? { error: result.error } : {}),
        durationMs: result.durationMs,
        tail,
      })),
    };
    const outcome = ok === results.length ? 'ok' : signal.aborted ? 'cancelled' : 'failed';
    if (results.length === 1) return { outcome, message: `${p.action} on ${results[0]!.run.host}: ${results[0]!.text}`, result: report };
    const failures = results.filter((r) => !succeeded(r.result)).map((r) => `${r.run.host} ${r.text}`);
    return { outcome, message: `${p.action}: ${ok} of ${results.length} hosts ok${failures.length > 0 ? `; ${failures.join('; ')}` : ''}`, result: report };
  },
};
