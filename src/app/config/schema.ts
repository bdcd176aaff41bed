// The one schema of opsdeck's config file. Every key is documented in docs/config.md.
import { z } from 'zod';
import { isValidUnitName } from '../../services/systemd/units.js';
import { checkSchema } from '../sources/check/config.js';
import { databaseSchema } from '../sources/database/config.js';
import { absolutePath, duration, hostName, thresholdPair } from './fields.js';

export const thresholdsSchema = z.strictObject({
  cpu: thresholdPair.optional(),
  memory: thresholdPair.optional(),
  disk: thresholdPair.optional(),
});

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
    (db.backup?.apps ?? []).forEach((host, i) => {
      const path = ['databases', name, 'backup', 'apps', i];
      if (!hosts.includes(host)) ctx.addIssue({ code: 'custom', path, message: `no host "${host}" (${known})` });
      else if (!config.hosts?.[host]?.maintenance) ctx.addIssue({ code: 'custom', path, message: `host "${host}" has no maintenance: flag file to set while a restore replaces ${name}` });
    });
  }
  for (const [name, action] of Object.entries(config.actions ?? {})) {
    (action.hosts ?? []).forEach((host, i) => {
      if (!hosts.includes(host)) ctx.addIssue({ code: 'custom', path: ['actions', name, 'hosts', i], message: `no host "${host}" (${known})` });
    });
  }
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawDatabase = z.infer<typeof databaseSchema>;
