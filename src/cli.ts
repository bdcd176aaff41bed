// Command-line surface: `opsdeck`, `opsdeck check`, `opsdeck snapshot` (commander parses flags).
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from './domain/duration.js';
import { ConfigError, loadConfig, locateConfig } from './app/config/load.js';
import type { OpsConfig } from './app/config/resolve.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS } from './app/refresh.js';
import { addBackupCommands } from './cli-backup.js';
import { collectSnapshot, snapshotJson, snapshotMarkdown, snapshotText, type SnapshotFormat } from './app/snapshot.js';

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
      process.stderr.write(`opsdeck: config error\n  ${error.message}\n`);
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
    if (h.maintenance) lines.push(`  maintenance flag: ${h.maintenance}`);
    lines.push(`  thresholds: ${Object.entries(h.thresholds).map(([m, t]) => `${m} ${t.warn}/${t.crit}%`).join(', ')}`);
  }
  if (!config.databases) lines.push('databases: PostgreSQL, MySQL/MariaDB and Redis on this machine, if they answer on their default ports or sockets');
  for (const [name, db] of Object.entries(config.databases ?? {})) {
    lines.push(`database ${name}: ${db.postgres ? 'postgres' : db.mysql ? 'mysql' : 'redis'}${db.via ? ` via ${db.via}` : ''}`);
    const b = db.backup;
    if (b) {
      const keeping = [b.keep !== undefined ? `the ${b.keep} newest verified` : '', b.maxAge !== undefined ? `those younger than ${b.maxAge} days` : ''].filter(Boolean).join(' and ');
      const through = db.via && !config.hosts.some((h) => h.name === db.via && h.local) ? ` (from the cockpit, through ${db.via}'s SSH connection)` : '';
      lines.push(`  backup: into ${b.dir}, keeping ${keeping}${through}${b.apps?.length ? `; a restore over it sets the maintenance flag of ${b.apps.join(', ')}` : ''}`);
    }
  }
  for (const check of config.checks) lines.push(`check ${check.name}: ${check.url}${check.expect ? ` expecting "${check.expect}"` : ''}${check.host ? ` (on ${check.host}'s row)` : ''}`);
  for (const [name, action] of Object.entries(config.actions)) lines.push(`action ${name}: key ${action.key} (validated; the cockpit does not run actions: yet)`);
  return `${lines.join('\n')}\n`;
}

export function buildCli(run: { cockpit(config: OpsConfig): Promise<number> }): Command {
  const program = new Command('opsdeck')
    .description('A keyboard-driven terminal cockpit for on-call engineers: hosts (local and over SSH), resources, services, logs and databases on one screen.')
    .option('-c, --config <file>', 'config file (default: $OPSDECK_CONFIG, then $XDG_CONFIG_HOME/opsdeck/config.yaml)')
    .option('--read-only', 'refuse every operation that changes anything (wall displays); also readOnly: true in the config', false)
    .option('-r, --refresh <duration>', 'refresh interval, e.g. 1s, 2s, 500ms (default 2s)', refreshOption)
    .showHelpAfterError('(run opsdeck --help for usage)')
    // Usage errors exit 2 like config errors; set before the subcommands, which copy it.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE))
    .addHelpText(
      'after',
      `
Keys in the cockpit: ? help, Tab/Shift-Tab or 1-6 focus, j/k move, Enter open host, z zoom, / filter,
: command line, +/- refresh interval, p pause, e/E w/W next/previous error/warning in Logs,
T trust a host key, R reconnect, c/K cancel/terminate a query (confirmed, audited), in Databases B
backups view and b back up / t test-restore / R restore, q quit.

Audit log: $OPSDECK_AUDIT_LOG, else $XDG_STATE_HOME/opsdeck/audit.jsonl.

Exit codes: 0 ok, 2 bad config or usage, 70 crash (terminal restored), 128+N killed by signal N
(bin/opsdeck restores the terminal and names the signal).`,
    )
    .action(async (options: { config?: string; readOnly: boolean; refresh?: number }) => {
      const config = configOrExit(options.config);
      if (options.refresh !== undefined) config.refreshMs = options.refresh;
      if (options.readOnly) config.readOnly = true;
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
    .command('snapshot')
    .description('collect every source once, print, exit, all within the source timeout (twice the refresh, 1-10 s) plus a second; json for scripts, markdown for an incident channel')
    .option('-c, --config <file>', 'config file')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .action(async (options: { config?: string; format: SnapshotFormat }) => {
      const config = configOrExit(options.config ?? program.opts<{ config?: string }>().config);
      const data = await collectSnapshot(config, 0);
      const output = options.format === 'json' ? `${JSON.stringify(snapshotJson(data, config), null, 2)}\n` : options.format === 'markdown' ? snapshotMarkdown(data, config) : snapshotText(data);
      process.stdout.write(output);
    });

  addBackupCommands(program, configOrExit);

  return program;
}
