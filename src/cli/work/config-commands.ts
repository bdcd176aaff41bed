// What the config alone gives: `check` describes it, `schema` prints its JSON Schema, and the root
// command (the cockpit) lays its flags over it. Loaded when one of them runs (src/cli.ts declares
// them); the collectors and the screen load later, with what needs them.
import { existsSync } from 'node:fs';
import { formatDuration } from '../../domain/duration.js';
import { configJsonSchema } from '../../app/config/json-schema.js';
import type { OpsConfig } from '../../app/config/resolve.js';
import { describeTarget, resolveTarget } from '../../services/db/target.js';
import { commandLine } from '../../app/operations/action.js';
import { forcedColorLevel, screenTheme, type ColorWhen } from '../../app/color.js';
import { formatWindow } from '../../app/sources/logs/levels.js';
import { EXIT_USAGE, type ConfigFlags } from '../flags.js';
import { configOrExit } from './config.js';

export interface CockpitOptions extends ConfigFlags {
  wall: boolean;
  refresh?: number;
  color: ColorWhen;
}

/** The cockpit's config with the command line's flags laid over it; exits 2 without a terminal. */
export function cockpitConfig(options: CockpitOptions): OpsConfig {
  const config = configOrExit({ config: options.config, readOnly: options.readOnly || options.wall });
  if (options.refresh !== undefined) config.refreshMs = options.refresh;
  config.wall.on = options.wall;
  config.theme = screenTheme(config.theme, options.color, process.env);
  // ink's colour library decides on its own that a terminal has no colour (TERM=dumb, a pipe, CI set); `always` overrules it, and so does a terminal under CI.
  const forced = forcedColorLevel(options.color, process.env);
  if (forced !== undefined) process.env.FORCE_COLOR = forced;
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('opsdeck: the cockpit needs a terminal; for scripts use `opsdeck snapshot --format json`\n');
    process.exit(EXIT_USAGE);
  }
  return config;
}

function describeConfig(config: OpsConfig): string {
  const lines = [`config: ${config.file ?? 'none found: built-in default (the local machine)'}`, `refresh: ${config.refreshMs}ms, thresholds hold ${config.holdTicks} ticks, log buffer ${config.logBuffer} lines`];
  for (const h of config.hosts) {
    lines.push(`host ${h.name}: ${h.local ? 'local' : `ssh ${h.ssh}`}${h.group ? `, group ${h.group}` : ''}`);
    lines.push(`  services: ${h.services === 'auto' ? 'every loaded service unit' : h.services.join(', ') || 'none'} (via ${h.sudo ? 'sudo -n ' : ''}${h.systemctl})`);
    lines.push(`  logs: ${h.logs === 'auto' ? 'system journal or syslog, if found' : h.logs.map((l) => l.label).join(', ') || 'none'}`);
    for (const log of h.logs === 'auto' ? [] : h.logs) {
      // Followed all the same (tail -F waits for it), but a typo in the path would only show as a quiet pane.
      if (h.local && log.kind === 'file' && !existsSync(log.path)) lines.push(`    ${log.label}: ${log.path} does not exist (yet): followed once it appears`);
      const a = log.access;
      if (a) lines.push(`    ${log.label}: ${a.format} access log, 5xx warn ${a.errorRate.warn}% / crit ${a.errorRate.crit}% over ${formatWindow(a.windowSec)} (judged from ${a.minRequests} requests)`);
      for (const r of log.rules ?? []) lines.push(`    ${log.label}: rule ${r.name}, ${r.level} at ${r.threshold} matches of one key in ${formatWindow(r.windowSec)}`);
    }
    if (h.maintenance) lines.push(`  maintenance flag: ${h.maintenance}`);
    lines.push(`  thresholds: ${Object.entries(h.thresholds).map(([m, t]) => `${m} ${t.warn}/${t.crit}${m === 'load' ? ' per core' : '%'}`).join(', ')}`);
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

export function check(flags: ConfigFlags): void {
  process.stdout.write(describeConfig(configOrExit(flags)));
}

export function schema(): void {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}
