// Command-line surface: `opsdeck`, `opsdeck check`, `opsdeck snapshot`, and the operation subcommands
// of src/cli/ (commander parses flags). This file and src/cli/*.ts only declare the commands: what a
// command does is in src/cli/work/, imported when it runs, so --help and --version load no config
// parser, no app module and no client library.
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from './domain/duration.js';
import type { OpsConfig } from './app/config/resolve.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS } from './app/refresh.js';
import { addBackupCommands } from './cli/backup.js';
import { configFlags, EXIT_USAGE } from './cli/flags.js';
import { addOperationCommands } from './cli/operations.js';
import { addRunCommand } from './cli/run.js';
import { addIncidentCommands } from './cli/incident.js';
import { addReportCommand } from './cli/report.js';
import type { CockpitOptions } from './cli/work/config-commands.js';
import type { SnapshotFormat } from './app/snapshot.js';
import { opsdeckVersion, versionReport } from './services/versions.js';
import { COLOR_WHEN } from './app/color.js';

const configWork = () => import('./cli/work/config-commands.js');
const snapshotWork = () => import('./cli/work/snapshot.js');

function refreshOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 2s or 1m');
  if (ms < MIN_REFRESH_MS || ms > MAX_REFRESH_MS) throw new InvalidArgumentError(`must be between ${MIN_REFRESH_MS}ms and ${MAX_REFRESH_MS / 1000}s`);
  return ms;
}

export function buildCli(run: { cockpit(config: OpsConfig): Promise<number> }): Command {
  const program = new Command('opsdeck')
    .description('A keyboard-driven terminal cockpit for on-call engineers: hosts (local and over SSH), resources, services, logs and databases on one screen.')
    .option('-c, --config <file>', 'config file (default: $OPSDECK_CONFIG, then $XDG_CONFIG_HOME/opsdeck/config.yaml)')
    .option('--read-only', 'refuse every operation that changes anything (wall displays); also readOnly: true in the config', false)
    .option('--wall', 'the wall display: a read-only tile per host group, worst first, pages cycling; no input but q', false)
    .option('-r, --refresh <duration>', 'refresh interval, e.g. 1s, 2s, 500ms (default 2s)', refreshOption)
    .addOption(new Option('--color <when>', 'colour on screen: auto (none when NO_COLOR is set), always, never (levels keep their marks: ● ok ▲ warn ✖ crit ○ down)').choices(COLOR_WHEN).default('auto'))
    .version(opsdeckVersion(), '-V, --version', 'print the version and exit (`opsdeck version` adds the runtime and libraries)')
    .showHelpAfterError('(run opsdeck --help for usage)')
    // Usage errors exit 2 like config errors; set before the subcommands, which copy it.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE))
    .addHelpText(
      'after',
      `
Keys in the cockpit: ? help, Tab/Shift-Tab or 1-6 focus, j/k move, Enter open host, z zoom, / filter,
: command line, +/- refresh interval, p pause, e/E w/W next/previous error/warning in Logs,
T trust a host key, R reconnect, c/K cancel/terminate a query (confirmed, audited), in Databases B
backups view and b back up / t test-restore / R restore, the config's actions: on their keys or
:run NAME (output in a panel), o open the failing item's runbook, Ctrl-T the lasting timeline,
I open/close an incident, P write its postmortem draft, q quit.

Audit log: $OPSDECK_AUDIT_LOG, else $XDG_STATE_HOME/opsdeck/audit.jsonl. Timeline, incidents and
reports: $XDG_STATE_HOME/opsdeck/ (timeline/, incidents.jsonl, reports/).

Exit codes: 0 ok, 2 bad config or usage, 70 crash (terminal restored), 128+N killed by signal N
(bin/opsdeck restores the terminal and names the signal); restart, start, stop, reload,
maintenance and run: 1 when a step failed, was refused or was not confirmed.`,
    )
    .action(async (options: CockpitOptions) => {
      process.exitCode = await run.cockpit((await configWork()).cockpitConfig(options));
    });

  program
    .command('check')
    .description('validate the config and print what opsdeck would watch; exit 0, or 2 on error')
    .option('-c, --config <file>', 'config file')
    .action(async (options: { config?: string }) => {
      (await configWork()).check(configFlags(program, options));
    });

  program
    .command('version')
    .description("print opsdeck's version, the Node runtime, the platform and the versions of ink, react, ssh2, pg, mysql2 and ioredis (for bug reports)")
    .action(() => {
      process.stdout.write(versionReport());
    });

  program
    .command('snapshot')
    .description('collect every source once, print, exit, all within the source timeout (twice the refresh, 1-10 s) plus a second; json for scripts, markdown for an incident channel')
    .option('-c, --config <file>', 'config file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--fail-on <level>', 'exit 1 when anything is at or past this level (down > crit > warn): a host or database down or timed out is down').choices(['warn', 'crit', 'down']))
    .action(async (options: { config?: string; format: SnapshotFormat; failOn?: 'warn' | 'crit' | 'down' }) => {
      await (await snapshotWork()).snapshot({ ...options, ...configFlags(program, options) });
    });

  program
    .command('schema')
    .description('print the config file\'s JSON Schema (draft-07), for editors: see docs/config.md')
    .action(async () => {
      (await configWork()).schema();
    });

  addOperationCommands(program);
  addRunCommand(program);
  addBackupCommands(program);
  addIncidentCommands(program);
  addReportCommand(program);

  return program;
}
