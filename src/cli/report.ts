// `opsdeck report`: an incident's postmortem draft (src/cli/work/report.ts writes it).
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ReportSelection } from '../app/postmortem.js';
import { parseDuration } from '../domain/duration.js';
import { configFlags, usageError } from './flags.js';

const work = () => import('./work/report.js');

/** `--since`: a time (ISO 8601, "2026-12-01 09:40") or how long ago ("2h", "30m"). */
function sinceOption(value: string): number {
  const ago = parseDuration(value);
  if (ago !== undefined && /[a-z]$/i.test(value.trim())) return Date.now() - ago;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError('expected a time (2026-12-01T09:40:00Z) or how long ago (30m, 2h)');
  return at;
}

export function addReportCommand(program: Command): void {
  program
    .command('report')
    .description("write an incident's postmortem draft (Garden DX template): the open or last incident, one by --incident, or --since a time")
    .option('--incident <id>', 'the incident (default: the open one, else the last)')
    .option('--since <time>', 'no incident: the window from this time (ISO 8601, or 30m, 2h ago) to now', sinceOption)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['markdown']).default('markdown'))
    .option('-o, --output <file>', 'write it to this file (default: stdout)')
    .option('-c, --config <file>', "config file: its hosts' events make the report's timeline, and the state now is read for an incident still open")
    .action(async (options: { incident?: string; since?: number; output?: string; config?: string }) => {
      if (options.incident !== undefined && options.since !== undefined) usageError('report: give --incident or --since, not both');
      const selection: ReportSelection = options.since !== undefined ? { since: options.since } : { incident: options.incident };
      await (await work()).report(selection, { ...configFlags(program, options), output: options.output });
    });
}
