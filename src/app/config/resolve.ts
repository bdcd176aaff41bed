// Turns a validated config file into the settings opsdeck runs with: defaults filled in, thresholds
// merged global -> host, durations in milliseconds.
import { dirname, resolve as resolvePath } from 'node:path';
import type { DatabaseThresholds } from '../../domain/database.js';
import { globalDatabaseThresholds } from '../../domain/database-levels.js';
import { durationMs } from './fields.js';
import type { HostConfig, LogMeasures, LogSourceConfig, Thresholds } from '../../domain/model.js';
import { DEFAULT_ERROR_RATE, DEFAULT_ERROR_WINDOW_SEC, DEFAULT_MIN_REQUESTS, type AccessLogSpec } from '../../domain/access-metrics.js';
import type { LogRuleSpec } from '../../domain/log-rules.js';
import type { RawRule } from '../sources/logs/config.js';

import { buildKeymap, type KeyBindings, type Keymap, type KeymapProblem } from '../keymap.js';
import { DEFAULT_CERT_DAYS, type CheckSpec } from '../../domain/check.js';
import type { RawConfig, RawDatabase } from './schema.js';
import type { RawPrometheus } from '../sources/prometheus/config.js';
import type { TlsOptions } from '../../services/prometheus/http.js';
import type { RawCheck } from '../sources/check/config.js';
import { clampRefresh, DEFAULT_REFRESH_MS } from '../refresh.js';
import { KEY_TABLE } from '../intents.js';
import { DEFAULT_ACTION_TIMEOUT_MS, type ActionSpec } from '../operations/action.js';
import { DEFAULT_THEME, type ThemeName } from '../color.js';
import type { AlertsConfig } from '../alerts.js';
import type { RunbookIndex } from '../runbooks.js';
import { parseRunbook, type Runbook } from '../../domain/runbook.js';

/**
 * Runbook defaults (Airzone, Garden DX, Festival Planner): warn/crit in percent. Load, which the
 * runbooks leave out, per core: at 1 as many tasks run or wait as there are cores (glances warns
 * there too), at 2 as many wait as run.
 */
export const DEFAULT_THRESHOLDS: Thresholds = {
  cpu: { warn: 70, crit: 85 },
  memory: { warn: 80, crit: 90 },
  disk: { warn: 80, crit: 90 },
  load: { warn: 1, crit: 2 },
};

export const DEFAULT_HOLD_TICKS = 2;
/** Garden DX's runbook counts failed logins over 5 minutes. */
const DEFAULT_RULE_WINDOW_SEC = 300;
export const DEFAULT_LOG_BUFFER = 10_000;
const DEFAULT_CHECK_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_PROMETHEUS_TIMEOUT_MS = 5000;
const DEFAULT_WALL_CYCLE_MS = 10_000;
const DEFAULT_ALERTS_PER_MINUTE = 20;
const DEFAULT_ALERT_TIMEOUT_MS = 5000;

const optionalMs = (value: string | number | undefined): number | undefined => (value === undefined ? undefined : durationMs(value));

export interface OpsConfig {
  file: string | null;
  refreshMs: number;
  /** Refuse every operation that changes anything outside opsdeck (`--read-only` or `readOnly: true`). */
  readOnly: boolean;
  /** The screen's colours: the config's `theme`, turned to `mono` by NO_COLOR or `--color never` (src/app/color.ts). */
  theme: ThemeName;
  holdTicks: number;
  logBuffer: number;
  maxLineLength: number;
  hosts: HostConfig[];
  /** Absent when the config has no `databases:`: then the local machine's servers are looked for. */
  databases?: Record<string, RawDatabase>;
  /** `thresholds.database` over the built-in ones: what each database's own thresholds are laid over. */
  databaseThresholds: DatabaseThresholds;
  checks: CheckSpec[];
  ssh: { acceptNew: boolean; knownHosts: string[]; config?: string; connectTimeoutMs: number };
  /** Where hosts' figures are read from Prometheus (`prometheus:`), absent without that section. */
  prometheus?: PrometheusConfig;
  /** Where alerts are read and silenced (`alertmanager:`), absent without that section. */
  alertmanager?: AlertmanagerConfig;
  /** The thresholds of hosts that are not in `hosts:` (those Prometheus's targets add). */
  thresholds: Thresholds;
  /** The operator's commands, in the file's order. */
  actions: ActionSpec[];
  keymap: Keymap;
  /** The effective bindings, for the help overlay. */
  bindings: KeyBindings;
  /** `--wall`: the read-only wall display instead of the cockpit; its pages turn every `cycleMs`. */
  wall: { on: boolean; cycleMs: number };
  /** Where crit transitions, recoveries and operations are POSTed (`alerts:`); no receivers: none. */
  alerts: AlertsConfig;
  /** What names a runbook, by check, database, and host (unit or metric). */
  runbooks: RunbookIndex;
}

export function refreshFrom(value: string | number | undefined): number {
  if (value === undefined) return DEFAULT_REFRESH_MS;
  return clampRefresh(durationMs(value) || DEFAULT_REFRESH_MS);
}

type RawLog = NonNullable<NonNullable<RawConfig['hosts']>[string]['logs']>[number];

/** What a log measures: its access metrics (format:) and the rules that name it by label or file. */
function logMeasures(log: RawLog, label: string, rules: readonly { name: string; rule: RawRule }[]): LogMeasures {
  const access: AccessLogSpec | undefined = log.format
    ? {
        format: log.format,
        errorRate: log.errorRate ?? DEFAULT_ERROR_RATE,
        windowSec: Math.round((log.window === undefined ? DEFAULT_ERROR_WINDOW_SEC * 1000 : durationMs(log.window)) / 1000),
        minRequests: log.minRequests ?? DEFAULT_MIN_REQUESTS,
      }
    : undefined;
  const mine = rules
    .filter(({ rule }) => rule.log === label || rule.log === log.file)
    .map(({ name, rule }): LogRuleSpec => ({
      name,
      match: rule.match,
      windowSec: Math.round((rule.window === undefined ? DEFAULT_RULE_WINDOW_SEC * 1000 : durationMs(rule.window)) / 1000),
      threshold: rule.threshold,
      level: rule.level ?? 'crit',
    }));
  return { ...(access ? { access } : {}), ...(mine.length > 0 ? { rules: mine } : {}) };
}

function mergeThresholds(...layers: (Partial<Thresholds> | undefined)[]): Thresholds {
  const merged: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const layer of layers) if (layer) Object.assign(merged, Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)));
  return merged;
}

export interface PrometheusConfig {
  url: string;
  selector: string;
  hostLabel: string;
  /** The label whose value is a discovered host's group (its `:group` and the fleet overview's sections). */
  groupLabel?: string;
  rateWindow: string;
  timeoutMs: number;
  /** The environment variable holding the bearer token. */
  tokenEnv?: string;
  tls: TlsOptions;
  /** Host label value -> the configured host it is (`hosts.NAME.prometheus`). */
  links: Record<string, string>;
}

export interface AlertmanagerConfig {
  url: string;
  timeoutMs: number;
  tokenEnv?: string;
  tls: TlsOptions;
}

function tlsOptions(raw: RawPrometheus['tls']): TlsOptions {
  return { caFile: raw?.ca, certFile: raw?.cert, keyFile: raw?.key, serverName: raw?.serverName, insecure: raw?.insecure };
}

export const DEFAULT_PROMETHEUS_SELECTOR = '{job="node"}';

function prometheusConfig(raw: RawPrometheus, hosts: readonly HostConfig[]): PrometheusConfig {
  return {
    url: raw.url,
    selector: raw.selector ?? DEFAULT_PROMETHEUS_SELECTOR,
    hostLabel: raw.hostLabel ?? 'instance',
    groupLabel: raw.groupLabel,
    rateWindow: raw.rateWindow ?? '1m',
    timeoutMs: raw.timeout === undefined ? DEFAULT_PROMETHEUS_TIMEOUT_MS : durationMs(raw.timeout),
    tokenEnv: raw.token?.env,
    tls: tlsOptions(raw.tls),
    links: Object.fromEntries(hosts.flatMap((h) => (h.prometheus === undefined ? [] : [[h.prometheus, h.name]]))),
  };
}

/** Paths are taken from the config file's directory (the runbooks usually live beside it). */
function runbookIndex(raw: RawConfig, file: string | null): RunbookIndex {
  const base = file ? dirname(resolvePath(file)) : process.cwd();
  const parse = (entries: Record<string, string | undefined>): Record<string, Runbook> =>
    Object.fromEntries(Object.entries(entries).flatMap(([name, ref]) => (ref === undefined ? [] : [[name, parseRunbook(ref, base)]])));
  const rawHosts = raw.hosts ?? { local: { local: true as const } };
  return {
    checks: parse(Object.fromEntries(Object.entries(raw.checks ?? {}).map(([name, c]) => [name, c.runbook]))),
    databases: parse(Object.fromEntries(Object.entries(raw.databases ?? {}).map(([name, d]) => [name, d.runbook]))),
    hosts: Object.fromEntries(Object.entries(rawHosts).map(([name, host]) => [name, parse({ ...raw.runbooks, ...('runbooks' in host ? host.runbooks : {}) })])),
  };
}

/** A validated check: its kind and target, the defaults filled in; listed with `host:`, else with `from:`. */
function resolveCheck(name: string, c: RawCheck): CheckSpec {
  const [kind, target] = c.http !== undefined ? (['http', c.http] as const) : c.tls !== undefined ? (['tls', c.tls] as const) : (['tcp', c.tcp ?? ''] as const);
  const warnDays = c.warnDays ?? DEFAULT_CERT_DAYS.warn;
  return {
    name,
    kind,
    target,
    expect: c.expect,
    latency: c.latency ? { warn: durationMs(c.latency.warn), crit: durationMs(c.latency.crit) } : undefined,
    days: { warn: warnDays, crit: Math.min(warnDays, c.critDays ?? DEFAULT_CERT_DAYS.crit) },
    ca: c.ca,
    timeoutMs: c.timeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : durationMs(c.timeout),
    from: c.from,
    host: c.host ?? c.from,
  };
}

/** Resolves a validated config; key binding problems are returned for the loader to place in the file. */
export function resolveConfig(raw: RawConfig, file: string | null, defaultBindings: KeyBindings): { config: OpsConfig; problems: KeymapProblem[] } {
  const rawHosts = raw.hosts ?? { local: { local: true as const } };
  const { database: databaseThresholds, ...hostThresholds } = raw.thresholds ?? {};
  const rules = Object.entries(raw.rules ?? {}).map(([name, rule]) => ({ name, rule }));
  const hosts: HostConfig[] = Object.entries(rawHosts).map(([name, host]) => ({
    name,
    local: host.local === true,
    ssh: host.ssh,
    group: host.group,
    color: host.color,
    services: host.services ?? 'auto',
    systemctl: host.systemctl ?? 'systemctl',
    sudo: host.sudo ?? false,
    logs:
      host.logs?.map((l): LogSourceConfig => {
        const where: LogSourceConfig =
          l.file !== undefined
            ? { kind: 'file', path: l.file, label: l.label ?? l.file }
            : { kind: 'journal', unit: l.journal ?? '', label: l.label ?? (l.journal ? `journal:${l.journal}` : 'journal') };
        return { ...where, ...logMeasures(l, where.label, rules) };
      }) ?? 'auto',
    maintenance: host.maintenance,
    maintenanceExpiryMs: optionalMs(host.maintenanceExpiry ?? raw.maintenanceExpiry),
    thresholds: mergeThresholds(hostThresholds, host.thresholds),
    readOnly: host.readOnly ?? false,
    prometheus: host.prometheus,
  }));
  const actions: ActionSpec[] = Object.entries(raw.actions ?? {}).map(([name, a]) => ({
    name,
    key: a.key,
    hosts: a.hosts === undefined ? [] : typeof a.hosts === 'string' ? [a.hosts] : a.hosts,
    run: a.run,
    confirm: a.confirm ?? 'yes',
    timeoutMs: a.timeout === undefined ? DEFAULT_ACTION_TIMEOUT_MS : durationMs(a.timeout),
  }));
  const { keymap, bindings, problems } = buildKeymap(KEY_TABLE, defaultBindings, raw.keys ?? {}, actions);
  const config: OpsConfig = {
    file,
    refreshMs: refreshFrom(raw.refresh),
    readOnly: raw.readOnly ?? false,
    theme: raw.theme ?? DEFAULT_THEME,
    holdTicks: raw.hold ?? DEFAULT_HOLD_TICKS,
    logBuffer: raw.logs?.buffer ?? DEFAULT_LOG_BUFFER,
    maxLineLength: raw.logs?.maxLineLength ?? 2000,
    hosts,
    ssh: {
      acceptNew: raw.ssh?.acceptNew ?? false,
      knownHosts: raw.ssh?.knownHosts ?? [],
      config: raw.ssh?.config,
      connectTimeoutMs: raw.ssh?.connectTimeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : durationMs(raw.ssh.connectTimeout),
    },
    databases: raw.databases,
    databaseThresholds: globalDatabaseThresholds(databaseThresholds),
    checks: Object.entries(raw.checks ?? {}).map(([name, c]) => resolveCheck(name, c)),
    prometheus: raw.prometheus && prometheusConfig(raw.prometheus, hosts),
    alertmanager: raw.alertmanager && {
      url: raw.alertmanager.url,
      timeoutMs: raw.alertmanager.timeout === undefined ? DEFAULT_PROMETHEUS_TIMEOUT_MS : durationMs(raw.alertmanager.timeout),
      tokenEnv: raw.alertmanager.token?.env,
      tls: tlsOptions(raw.alertmanager.tls),
    },
    thresholds: mergeThresholds(raw.thresholds),
    actions,
    keymap,
    bindings,
    alerts: {
      receivers: (['slack', 'webhook'] as const).flatMap((format) => {
        const receiver = raw.alerts?.[format];
        // Checked by the schema: set, and an http(s) URL.
        return receiver ? [{ format, url: process.env[receiver.url.env] ?? '' }] : [];
      }),
      perMinute: raw.alerts?.rateLimit ?? DEFAULT_ALERTS_PER_MINUTE,
      timeoutMs: raw.alerts?.timeout === undefined ? DEFAULT_ALERT_TIMEOUT_MS : durationMs(raw.alerts.timeout),
    },
    runbooks: runbookIndex(raw, file),
    wall: { on: false, cycleMs: raw.wall?.cycle === undefined ? DEFAULT_WALL_CYCLE_MS : Math.max(1000, durationMs(raw.wall.cycle)) },
  };
  return { config, problems };
}
