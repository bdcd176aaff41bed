// What opsdeck reports: a command's results (a table for people: host, what was acted on, outcome,
// message; or one JSON object for scripts; the exit status is 0 only when every step ran and was
// verified), and `opsdeck report`, an incident's postmortem draft (src/app/postmortem.ts).
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OpsConfig } from '../app/config/resolve.js';
import type { StepResult } from '../app/operation-runner.js';
import { buildPostmortem, stateCapture, type ReportSelection } from '../app/postmortem.js';
import { collectSnapshot } from '../app/snapshot.js';
import { parseDuration } from '../domain/duration.js';
import { auditLogPath } from '../services/audit.js';
import { IncidentStore } from '../services/incidents.js';
import { timelineDir } from '../services/timeline-file.js';

/** What each step acted on, as its column is headed ("unit", "path"). */
export interface Subject {
  name: string;
  of(step: StepResult): string;
}

const COLOURS: Record<StepResult['outcome'], string> = { ok: '32', failed: '31', refused: '31', 'not-found': '31', cancelled: '33', skipped: '2' };

export const succeeded = (results: readonly StepResult[]): boolean => results.length > 0 && results.every((r) => r.outcome === 'ok');

export function resultTable(results: readonly StepResult[], subject: Subject, colour: boolean): string {
  // The host has its column: "web-1: app.service restarted..." reads "app.service restarted..." there.
  const rows = results.map((r) => [r.host, subject.of(r), r.outcome, r.message.startsWith(`${r.host}: `) ? r.message.slice(r.host.length + 2) : r.message]);
  const header = ['HOST', subject.name.toUpperCase(), 'RESULT', 'MESSAGE'];
  // Host and unit names are ASCII by the config's grammar, so their length is their width.
  const widths = [0, 1, 2].map((column) => Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[], outcome?: StepResult['outcome']) =>
    cells
      .map((cell, column) => {
        const padded = column < 3 ? cell.padEnd(widths[column]!) : cell;
        return column === 2 && outcome && colour ? `\u001b[${COLOURS[outcome]}m${padded}\u001b[0m` : padded;
      })
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map((row, index) => line(row, results[index]!.outcome))].join('\n')}\n`;
}

export function resultJson(command: string, results: readonly StepResult[], subject: Subject): unknown {
  return {
    command,
    ok: succeeded(results),
    results: results.map((r) => ({ host: r.host, [subject.name]: subject.of(r), outcome: r.outcome, message: r.message, auditId: r.id ?? null })),
  };
}

/** `--since`: a time (ISO 8601, "2026-12-01 09:40") or how long ago ("2h", "30m"). */
function sinceOption(value: string): number {
  const ago = parseDuration(value);
  if (ago !== undefined && /[a-z]$/i.test(value.trim())) return Date.now() - ago;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected a time (2026-12-01T09:40:00Z) or how long ago (30m, 2h)');
  return at;
}

export function addReportCommand(program: Command, configOrExit: (flag: string | undefined) => OpsConfig): void {
  program
    .command('report')
    .description("write an incident's postmortem draft (Garden DX template): the open or last incident, one by --incident, or --since a time")
    .option('--incident <id>', 'the incident (default: the open one, else the last)')
    .option('--since <time>', 'no incident: the window from this time (ISO 8601, or 30m, 2h ago) to now', sinceOption)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['markdown']).default('markdown'))
    .option('-o, --output <file>', 'write it to this file (default: stdout)')
    .option('-c, --config <file>', 'config file (the state now is read for an incident still open)')
    .action(async (options: { incident?: string; since?: number; output?: string; config?: string }) => {
      if (options.incident !== undefined && options.since !== undefined) {
        process.stderr.write('opsdeck: report: give --incident or --since, not both\n');
        process.exit(2);
      }
      const selection: ReportSelection = options.since !== undefined ? { since: options.since } : { incident: options.incident };
      const stateNow = async (errorsFrom: number) => {
        const config = configOrExit(options.config ?? program.opts<{ config?: string }>().config);
        return stateCapture(await collectSnapshot(config), config, Date.now(), errorsFrom, '`opsdeck report`');
      };
      try {
        const { markdown } = await buildPostmortem({ incidents: new IncidentStore(), timelineDir: timelineDir(), auditPath: auditLogPath(), stateNow }, selection);
        if (options.output) {
          await writeFile(options.output, markdown);
          process.stderr.write(`report written to ${options.output}\n`);
        } else process.stdout.write(markdown);
      } catch (error) {
        process.stderr.write(`opsdeck: report: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}
