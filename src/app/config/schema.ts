// The one schema of opsdeck's config file. Every key is documented in docs/config.md.
import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import { isValidUnitName } from '../../services/systemd/units.js';
import { resolveTarget } from '../../services/db/target.js';

const duration = z
  .union([z.string(), z.number().positive()], { error: 'expected a duration such as 500ms, 2s or 1m' })
  .refine((v) => (typeof v === 'number' ? true : parseDuration(v) !== undefined), {
    message: 'expected a duration such as 500ms, 2s or 1m',
  });

const percent = z.number().min(0).max(100);

const thresholdPair = z
  .strictObject({ warn: percent, crit: percent })
  .refine((p) => p.warn <= p.crit, { message: 'warn must not be above crit' });

export const thresholdsSchema = z.strictObject({
  cpu: thresholdPair.optional(),
  memory: thresholdPair.optional(),
  disk: thresholdPair.optional(),
});

const absolutePath = z.string().regex(/^\/[^\0\n]*$/, 'expected an absolute path without newlines');

const logSource = z
  .strictObject({
    file: absolutePath.optional(),
    journal: z.string().optional(),
    label: z.string().min(1).optional(),
  })
  .refine((l) => (l.file === undefined) !== (l.journal === undefined), {
    message: 'a log source has exactly one of file: PATH or journal: UNIT ("" for the whole journal)',
  })
  .refine((l) => l.journal === undefined || l.journal === '' || isValidUnitName(l.journal), {
    message: 'journal: expects a systemd unit name such as nginx.service',
  });

const unitName = z.string().refine(isValidUnitName, {
  message: 'expected a systemd unit name (letters, digits, ":-_.\\@", no spaces or glob characters)',
});

export const HOST_COLORS = ['red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray'] as const;

const hostSchema = z
  .strictObject({
    local: z.literal(true).optional(),
    ssh: z.string().min(1).optional(),
    group: z.string().min(1).optional(),
    color: z.enum(HOST_COLORS).optional(),
    services: z.array(unitName).optional(),
    systemctl: z.string().min(1).optional(),
    sudo: z.boolean().optional(),
    logs: z.array(logSource).optional(),
    maintenance: absolutePath.optional(),
    thresholds: thresholdsSchema.optional(),
    readOnly: z.boolean().optional(),
  })
  .refine((h) => (h.local === true) !== (h.ssh !== undefined), {
    message: 'a host is either local: true or ssh: user@host:port (or an ~/.ssh/config alias)',
  })
  .refine((h) => h.sudo !== true || h.ssh !== undefined, {
    message: 'sudo: is for ssh hosts (on this machine, run opsdeck as a user that may read what it needs)',
    path: ['sudo'],
  });

const hostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'host names use letters, digits, ".", "_" and "-"');

// Percent pair where lower is worse (hit ratios): warn at or below `warn`, crit at or below `crit`.
const lowerIsWorsePair = z
  .strictObject({ warn: percent, crit: percent })
  .refine((p) => p.crit <= p.warn, { message: 'a hit ratio is worse when lower: crit must not be above warn' });

const databaseThresholdsSchema = z.strictObject({
  connections: thresholdPair.optional(),
  replicationLag: z.strictObject({ warn: duration, crit: duration }).optional(),
  cacheHit: lowerIsWorsePair.optional(),
  memory: thresholdPair.optional(),
});

const databaseTlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    ca: absolutePath.optional(),
    cert: absolutePath.optional(),
    key: absolutePath.optional(),
    servername: z.string().min(1).optional(),
    verify: z.boolean().optional(),
  }),
]);

const databaseSchema = z
  .strictObject({
    postgres: z.string().min(1).optional(),
    mysql: z.string().min(1).optional(),
    redis: z.string().min(1).optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    via: hostName.optional(),
    backup: z.strictObject({ dir: absolutePath, keep: z.number().int().min(1) }).optional(),
    user: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.union([z.string().min(1), z.number().int().min(0)]).optional(),
    tls: databaseTlsSchema.optional(),
    thresholds: databaseThresholdsSchema.optional(),
  })
  .refine((d) => [d.postgres, d.mysql, d.redis].filter((v) => v !== undefined).length === 1, {
    message: 'a database has exactly one of postgres:, mysql: or redis: with its URL',
  })
  .superRefine((d, ctx) => {
    if ([d.postgres, d.mysql, d.redis].filter((v) => v !== undefined).length !== 1) return;
    try {
      resolveTarget(d);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  });

const checkSchema = z.strictObject({
  http: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  expect: z.string().optional(),
  timeout: duration.optional(),
  host: z.string().optional(),
});

const actionSchema = z.strictObject({
  key: z.string().min(1),
  hosts: z.array(hostName).optional(),
  run: z.string().min(1),
  confirm: z.enum(['yes', 'typed']).optional(),
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
  ssh: sshSchema.optional(),
  hold: z.number().int().min(1).max(60).optional(),
  thresholds: thresholdsSchema.optional(),
  logs: z.strictObject({ buffer: z.number().int().min(100).max(1_000_000).optional(), maxLineLength: z.number().int().min(80).max(65_536).optional() }).optional(),
  hosts: z.record(hostName, hostSchema).optional(),
  databases: z.record(hostName, databaseSchema).optional(),
  checks: z.record(hostName, checkSchema).optional(),
  actions: z.record(hostName, actionSchema).optional(),
  keys: z.record(z.string(), z.record(z.string(), keyList)).optional(),
});

/** Names that refer to a host must name one in `hosts:` (the default config has only `local`). */
export const configSchema = baseConfigSchema.superRefine((config, ctx) => {
  const hosts = Object.keys(config.hosts ?? { local: true });
  const known = `known hosts: ${hosts.join(', ')}`;
  for (const [name, check] of Object.entries(config.checks ?? {})) {
    if (check.host !== undefined && !hosts.includes(check.host)) ctx.addIssue({ code: 'custom', path: ['checks', name, 'host'], message: `no host "${check.host}" (${known})` });
  }
  for (const [name, db] of Object.entries(config.databases ?? {})) {
    if (db.via !== undefined && !hosts.includes(db.via)) ctx.addIssue({ code: 'custom', path: ['databases', name, 'via'], message: `no host "${db.via}" (${known})` });
  }
  for (const [name, action] of Object.entries(config.actions ?? {})) {
    (action.hosts ?? []).forEach((host, i) => {
      if (!hosts.includes(host)) ctx.addIssue({ code: 'custom', path: ['actions', name, 'hosts', i], message: `no host "${host}" (${known})` });
    });
  }
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawDatabase = z.infer<typeof databaseSchema>;
