// Command-line surface: `opsdeck`, `opsdeck check`, `opsdeck snapshot`, and the operation subcommands
// of src/cli/ (commander parses flags).
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatDuration, parseDuration } from './domain/duration.js';
import { ConfigError, loadConfig, locateConfig } from './app/config/load.js';
import { configJsonSchema } from './app/config/json-schema.js';
import { describeTarget, resolveTarget } from './services/db/target.js';
import type { OpsConfig } from './app/config/resolve.js';
import { commandLine } from './app/operations/action.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS } from './app/refresh.js';
import { addBackupCommands } from './cli/backup.js';
import { addOperationCommands } from './cli/operations.js';
import { addRunCommand } from './cli/run.js';
import { addIncidentCommands } from './cli/incident.js';
import { addReportCommand } from './cli/report.js';
import { collectSnapshot, failOnVerdict, snapshotJson, snapshotMarkdown, snapshotText, type SnapshotFormat } from './app/snapshot.js';
import { opsdeckVersion, versionReport } from './services/versions.js';
import { COLOR_WHEN, forcedColorLevel, screenTheme, type ColorWhen } from './app/color.js';
import { formatWindow } from './app/sources/logs/levels.js';

export const EXIT_USAGE = 2;

function refreshOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 2s or 1m');
  if (ms < MIN_REFRESH_MS || ms > MAX_REFRESH_MS) throw new InvalidArgumentError(`must be between ${MIN_REFRESH_MS}ms and ${MAX_REFRESH_MS / 1000}s`);
  return ms;
}

/** Loads the config or prints where it is wrong (stderr only) and exits 2. */
function configOrExit(flag: string | undefined): OpsConfig {
  try {
    return loadConfig(locateConfig(flag));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.report());
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
}

function describeConfig(config: OpsConfig): string {
  const lines = [`config: ${config.file ?? 'none found: built-in default (the local machine)'}`, `refresh: ${config.refreshMs}ms, thresholds hold ${config.holdTicks} ticks, log buffer ${config.logBuffer} lines`];
  for (const h of config.hosts) {
    lines.push(`host ${h.name}: ${h.local ? 'local' : `ssh ${h.ssh}`}${h.group ? `, group ${h.group}` : ''}`);
    lines.push(`  services: ${h.services === 'auto' ? 'every loaded service unit' : h.services.join(', ') || 'none'} (via ${h.sudo ? 'sudo -n ' : ''}${h.systemctl})`);
    lines.push(`  logs: ${h.logs === 'auto' ? 'system journal or syslog, if found' : h.logs.map((l) => l.label).join(', ') || 'none'}`);
    for (const log of h.logs === 'auto' ? [] : h.logs) {
      const a = log.access;
      if (a) lines.push(`    ${log.label}: ${a.format} access log, 5xx warn ${a.errorRate.warn}% / crit ${a.errorRate.crit}% over ${formatWindow(a.windowSec)} (judged from ${a.minRequests} requests)`);
      for (const r of log.rules ?? []) lines.push(`    ${log.label}: rule ${r.name}, ${r.level} at ${r.threshold} matches of one key in ${formatWindow(r.windowSec)}`);
    }
    if (h.maintenance) lines.push(`  maintenance flag: ${h.maintenance}`);
    lines.push(`  thresholds: ${Object.entries(h.thresholds).map(([m, t]) => `${m} ${t.warn}/${t.crit}%`).join(', ')}`);
  }
  if (!config.databases) lines.push('databases: PostgreSQL, MySQL/MariaDB and Redis on this machine, if they answer on their default ports or sockets, or where PGHOST, PGSERVICE, MYSQL_HOST, REDIS_URL... point');
  // Where each entry leads once the clients' own settings (PGHOST, PGSERVICE...) filled its gaps; validated already.
  for (const [name, db] of Object.entries(config.databases ?? {})) {
    lines.push(`database ${name}: ${describeTarget(resolveTarget(db))}`);
    const b = db.backup;
    if (b) {
      const keeping = [b.keep !== undefined ? `the ${b.keep} newest verified` : '', b.maxAge !== undefined ? `those younger than ${b.maxAge} days` : ''].filter(Boolean).join(' and ');
      const through = db.via && !config.hosts.some((h) => h.name === db.via && h.local) ? ` (from the cockpit, through ${db.via}'s SSH connection)` : '';
      lines.push(`  backup: into ${b.dir}, keeping ${keeping}${through}${b.apps?.length ? `; a restore over it sets the maintenance flag of ${b.apps.join(', ')}` : ''}`);
    }
  }
  for (const c of config.checks) {
    const parts = [
      c.expect !== undefined ? `expecting "${c.expect}"` : '',
      c.latency ? `latency warn ${formatDuration(c.latency.warn)} crit ${formatDuration(c.latency.crit)}` : '',
      c.kind === 'tls' || c.target.startsWith('https:') ? `certificate warn ${c.days.warn} crit ${c.days.crit} days left${c.ca ? `, trusting ${c.ca}` : ''}` : '',
      `timeout ${formatDuration(c.timeoutMs)}`,
      c.from ? `from ${c.from}` : '',
      c.host ? `on ${c.host}'s row` : '',
    ];
    lines.push(`check ${c.name}: ${c.kind} ${c.target} (${parts.filter(Boolean).join(', ')})`);
  }
  for (const a of config.actions) {
    const on = a.hosts.length > 0 ? `on ${a.hosts.join(', ')}` : 'on the selected host';
    lines.push(`action ${a.name}: key ${a.key}, ${on}, timeout ${formatDuration(a.timeoutMs)}, confirm ${a.confirm === 'typed' ? `by typing "${a.name}"` : 'with y'}: ${commandLine(a.run)}`);
  }
  return `${lines.join('\n')}\n`;
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
    .action(async (options: { config?: string; readOnly: boolean; wall: boolean; refresh?: number; color: ColorWhen }) => {
      const config = configOrExit(options.config);
      if (options.refresh !== undefined) config.refreshMs = options.refresh;
      if (options.readOnly || options.wall) config.readOnly = true;
      config.wall.on = options.wall;
      config.theme = screenTheme(config.theme, options.color, process.env);
      // ink's colour library decides on its own that a terminal has no colour (TERM=dumb, a pipe, CI set); `always` overrules it, and so does a terminal under CI.
      const forced = forcedColorLevel(options.color, process.env);
      if (forced !== undefined) process.env.FORCE_COLOR = forced;
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        process.stderr.write('opsdeck: the cockpit needs a terminal; for scripts use `opsdeck snapshot --format json`\n');
        process.exit(EXIT_USAGE);
      }
      process.exitCode = await run.cockpit(config);
    });

  program
    .command('check')
    .description('validate the config and print what opsdeck would watch; exit 0, or 2 on error')
    .option('-c, --config <file>', 'config file')
    .action((options: { config?: string }) => {
      const config = configOrExit(options.config ?? program.opts<{ config?: string }>().config);
      process.stdout.write(describeConfig(config));
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
      const config = configOrExit(options.config ?? program.opts<{ config?: string }>().config);
      const data = await collectSnapshot(config, 0);
      const output = options.format === 'json' ? `${JSON.stringify(snapshotJson(data, config), null, 2)}\n` : options.format === 'markdown' ? snapshotMarkdown(data, config) : snapshotText(data);
      process.stdout.write(output);
      if (options.failOn) {
        const verdict = failOnVerdict(data, options.failOn);
        if (verdict.message) process.stderr.write(verdict.message);
        process.exitCode = verdict.exitCode;
      }
    });

  program
    .command('schema')
    .description('print the config file\'s JSON Schema (draft-07), for editors: see docs/config.md')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  addOperationCommands(program, configOrExit);
  addRunCommand(program, configOrExit);
  addBackupCommands(program, configOrExit);
  addIncidentCommands(program, configOrExit);
  addReportCommand(program, configOrExit);

  return program;
}
