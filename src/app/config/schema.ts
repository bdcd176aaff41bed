// The one schema of opsdeck's config file. Every key is documented in docs/config.md.
import { z } from 'zod';
import { parseSshSpec } from '../../domain/ssh-spec.js';
import { isValidUnitName } from '../../services/systemd/units.js';
import { parseTemplate } from '../action-template.js';
import { checkSchema } from '../sources/check/config.js';
import { databaseSchema, databaseThresholdsSchema } from '../sources/database/config.js';
import { accessKeysNeedFormat, logMeasuresShape, ruleSchema } from '../sources/logs/config.js';
import { prometheusSchema } from '../sources/prometheus/config.js';
import { alertmanagerSchema } from '../sources/alerts/config.js';
import { absolutePath, duration, hostName, loadPair, runbookRef, thresholdPair } from './fields.js';
import { THEMES } from '../color.js';

export const thresholdsSchema = z.strictObject({
  cpu: thresholdPair.optional(),
  memory: thresholdPair.optional(),
  disk: thresholdPair.optional(),
  load: loadPair.optional(),
});

const logSource = z
  .strictObject({
    file: absolutePath.optional(),
    journal: z.string().optional(),
    label: z.string().min(1).optional(),
    ...logMeasuresShape,
  })
  .superRefine(accessKeysNeedFormat)
  .refine((l) => (l.file === undefined) !== (l.journal === undefined), {
    message: 'a log source has exactly one of file: PATH or journal: UNIT ("" for the whole journal)',
  })
  .refine((l) => l.journal === undefined || l.journal === '' || isValidUnitName(l.journal), {
    message: 'journal: expects a systemd unit name such as nginx.service',
  });

const unitName = z.string().refine(isValidUnitName, {
  message: 'expected a systemd unit name (letters, digits, ":-_.\\@", no spaces or glob characters)',
});

/** Judged by the rules the SSH service parses it with: a target that cannot work is refused here, not at connect time. */
const sshTarget = z.string().superRefine((spec, ctx) => {
  const parsed = parseSshSpec(spec);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(spec)}: ${parsed.error}` });
});

export const HOST_COLORS = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray'] as const;

const hostSchema = z
  .strictObject({
    local: z.literal(true).optional(),
    ssh: sshTarget.optional(),
    group: z.string().min(1).optional(),
    color: z.enum(HOST_COLORS).optional(),
    services: z.array(unitName).optional(),
    systemctl: z.string().min(1).optional(),
    sudo: z.boolean().optional(),
    logs: z.array(logSource).optional(),
    maintenance: absolutePath.optional(),
    maintenanceExpiry: duration.optional(),
    thresholds: thresholdsSchema.optional(),
    readOnly: z.boolean().optional(),
    /** This host's value of the Prometheus host label: its figures come from Prometheus, actions still over ssh:. */
    prometheus: z.string().min(1).optional(),
    runbooks: z.record(z.string(), runbookRef).optional(),
  })
  .refine((h) => (h.local === true) !== (h.ssh !== undefined), {
    message: 'a host is either local: true or ssh: user@host:port (or an ~/.ssh/config alias)',
  })
  .refine((h) => h.sudo !== true || h.ssh !== undefined, {
    message: 'sudo: is for ssh hosts (on this machine, run opsdeck as a user that may read what it needs)',
    path: ['sudo'],
  });

/** The template is read now: an unknown or quoted placeholder is a config error, not a surprise at 3 a.m. */
const actionTemplate = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const parsed = parseTemplate(text);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  });

const actionSchema = z.strictObject({
  key: z.string().min(1),
  hosts: z.union([hostName, z.array(hostName).min(1)]).optional(),
  run: actionTemplate,
  confirm: z.enum(['yes', 'typed']).optional(),
  timeout: duration.optional(),
});

/**
 * An alert receiver's URL is a secret (a Slack webhook's token is its path): the file names the
 * environment variable that holds it, never the URL. Judged here so a missing one is an error at its
 * line; the message names the variable, never its value.
 */
const secretUrl = z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }) }).superRefine((url, ctx) => {
  const value = process.env[url.env];
  if (!value) ctx.addIssue({ code: 'custom', path: ['env'], message: `${url.env} is not set: it must hold the receiver's URL when opsdeck starts` });
  else if (!/^https?:\/\/[^\s/]+/.test(value)) ctx.addIssue({ code: 'custom', path: ['env'], message: `${url.env} does not hold an http:// or https:// URL` });
});

const alertsSchema = z.strictObject({
  slack: z.strictObject({ url: secretUrl }).optional(),
  webhook: z.strictObject({ url: secretUrl }).optional(),
  rateLimit: z.number().int().min(1).max(600).optional(),
  timeout: duration.optional(),
});

const keyList = z.union([z.string().min(1), z.array(z.string().min(1))]);

const sshSchema = z.strictObject({
  acceptNew: z.boolean().optional(),
  knownHosts: z.array(absolutePath).optional(),
  config: absolutePath.optional(),
  connectTimeout: duration.optional(),
});

const baseConfigSchema = z.strictObject({
  refresh: duration.optional(),
  readOnly: z.boolean().optional(),
  theme: z.enum(THEMES).optional(),
  ssh: sshSchema.optional(),
  hold: z.number().int().min(1).max(60).optional(),
  maintenanceExpiry: duration.optional(),
  // A host's thresholds have the same keys but database: every database's are set here only.
  thresholds: thresholdsSchema.extend({ database: databaseThresholdsSchema.optional() }).optional(),
  logs: z.strictObject({ buffer: z.number().int().min(100).max(1_000_000).optional(), maxLineLength: z.number().int().min(80).max(65_536).optional() }).optional(),
  hosts: z.record(hostName, hostSchema).optional(),
  databases: z.record(hostName, databaseSchema).optional(),
  checks: z.record(hostName, checkSchema).optional(),
  rules: z.record(hostName, ruleSchema).optional(),
  prometheus: prometheusSchema.optional(),
  alertmanager: alertmanagerSchema.optional(),
  actions: z.record(hostName, actionSchema).optional(),
  keys: z.record(z.string(), z.record(z.string(), keyList)).optional(),
  wall: z.strictObject({ cycle: duration.optional() }).optional(),
  alerts: alertsSchema.optional(),
  /** Runbooks by unit name or metric (cpu, memory, disk, load), for every host; a host's own `runbooks:` over these. */
  runbooks: z.record(z.string(), runbookRef).optional(),
});

/** Names that refer to a host must name one in `hosts:` (the default config has only `local`). */
export const configSchema = baseConfigSchema.superRefine((config, ctx) => {
  const hosts = Object.keys(config.hosts ?? { local: true });
  const known = `known hosts: ${hosts.join(', ')}`;
  for (const [name, check] of Object.entries(config.checks ?? {})) {
    for (const key of ['host', 'from'] as const) {
      const value = check[key];
      if (value !== undefined && !hosts.includes(value)) ctx.addIssue({ code: 'custom', path: ['checks', name, key], message: `no host "${value}" (${known})` });
    }
  }
  for (const [name, db] of Object.entries(config.databases ?? {})) {
    if (db.via !== undefined && !hosts.includes(db.via)) ctx.addIssue({ code: 'custom', path: ['databases', name, 'via'], message: `no host "${db.via}" (${known})` });
    (db.backup?.apps ?? []).forEach((host, i) => {
      const path = ['databases', name, 'backup', 'apps', i];
      if (!hosts.includes(host)) ctx.addIssue({ code: 'custom', path, message: `no host "${host}" (${known})` });
      else if (!config.hosts?.[host]?.maintenance) ctx.addIssue({ code: 'custom', path, message: `host "${host}" has no maintenance: flag file to set while a restore replaces ${name}` });
    });
  }
  for (const [name, host] of Object.entries(config.hosts ?? {})) {
    if (host.prometheus !== undefined && config.prometheus === undefined) ctx.addIssue({ code: 'custom', path: ['hosts', name, 'prometheus'], message: 'no prometheus: section to read this host from' });
  }
  // A rule names a log by its label or its file, as the Logs pane shows it.
  const logNames = [...new Set(Object.values(config.hosts ?? {}).flatMap((h) => (h.logs ?? []).flatMap((l) => [l.label ?? l.file ?? (l.journal ? `journal:${l.journal}` : 'journal'), ...(l.file ? [l.file] : [])])))];
  for (const [name, rule] of Object.entries(config.rules ?? {})) {
    if (!logNames.includes(rule.log)) ctx.addIssue({ code: 'custom', path: ['rules', name, 'log'], message: `no host follows a log labelled or at "${rule.log}" (logs: ${logNames.join(', ') || 'none configured'})` });
  }
  const groups = [...new Set(Object.values(config.hosts ?? {}).flatMap((h) => h.group ?? []))];
  for (const [name, action] of Object.entries(config.actions ?? {})) {
    const targets = typeof action.hosts === 'string' ? [action.hosts] : (action.hosts ?? []);
    targets.forEach((host, i) => {
      const path = typeof action.hosts === 'string' ? ['actions', name, 'hosts'] : ['actions', name, 'hosts', i];
      if (!hosts.includes(host) && !groups.includes(host)) ctx.addIssue({ code: 'custom', path, message: `no host or group "${host}" (${known}; groups: ${groups.join(', ') || 'none'})` });
    });
  }
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawDatabase = z.infer<typeof databaseSchema>;
