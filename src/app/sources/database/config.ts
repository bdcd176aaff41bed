// One entry under `databases:` in the config (docs/config.md): where the server is, how to log in,
// and its thresholds.
import { z } from 'zod';
import { resolveTarget } from '../../../services/db/target.js';
import { parseBytes } from '../../../domain/bytes.js';
import { parseDuration } from '../../../domain/duration.js';
import { absolutePath, duration, hostName, percent, thresholdPair, runbookRef } from '../../config/fields.js';

// Percent pair where lower is worse (hit ratios): warn at or below `warn`, crit at or below `crit`.
const lowerIsWorsePair = z
  .strictObject({ warn: percent, crit: percent })
  .refine((p) => p.crit <= p.warn, { message: 'a hit ratio is worse when lower: crit must not be above warn' });

const seconds = (v: string | number) => (typeof v === 'number' ? v * 1000 : (parseDuration(v) ?? 0));
const durationPair = z.strictObject({ warn: duration, crit: duration }).refine((p) => seconds(p.warn) <= seconds(p.crit), { message: 'warn must not be longer than crit' });

const count = z.number().int().min(1);
const countPair = z.strictObject({ warn: count, crit: count }).refine((p) => p.warn <= p.crit, { message: 'warn must not be above crit' });

const size = z.union([z.string(), z.number().int().min(0)]).refine((v) => parseBytes(v) !== undefined, { message: 'expected a size such as 500M, 80G or 1.5T (or bytes)' });
const sizePair = z.strictObject({ warn: size, crit: size }).refine((p) => (parseBytes(p.warn) ?? 0) <= (parseBytes(p.crit) ?? 0), { message: 'warn must not be above crit' });

/** `databases.NAME.thresholds`, and `thresholds.database` (every database's, under its own). */
export const databaseThresholdsSchema = z.strictObject({
  connections: thresholdPair.optional(),
  connectionCount: countPair.optional(),
  queryDuration: durationPair.optional(),
  replicationLag: z.strictObject({ warn: duration, crit: duration }).optional(),
  cacheHit: lowerIsWorsePair.optional(),
  minReads: count.optional(),
  size: sizePair.optional(),
  memory: thresholdPair.optional(),
  backupAge: durationPair.optional(),
});

// Retention needs a rule: an empty policy would keep every file forever, a zero one none.
const backupSchema = z
  .strictObject({
    dir: absolutePath,
    keep: z.number().int().min(1).optional(),
    maxAge: z.number().positive({ message: 'maxAge is in days and must be above 0' }).optional(),
    apps: z.array(hostName).optional(),
  })
  .refine((b) => b.keep !== undefined || b.maxAge !== undefined, { message: 'backup needs keep: N (newest verified backups kept) and/or maxAge: DAYS' });

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

export const databaseSchema = z
  .strictObject({
    postgres: z.string().min(1).optional(),
    mysql: z.string().min(1).optional(),
    redis: z.string().min(1).optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    via: hostName.optional(),
    backup: backupSchema.optional(),
    user: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.union([z.string().min(1), z.number().int().min(0)]).optional(),
    tls: databaseTlsSchema.optional(),
    thresholds: databaseThresholdsSchema.optional(),
    runbook: runbookRef.optional(),
  })
  .refine((d) => [d.postgres, d.mysql, d.redis].filter((v) => v !== undefined).length === 1, {
    message: 'a database has exactly one of postgres:, mysql: or redis: with its URL',
  })
  .superRefine((d, ctx) => {
    if ([d.postgres, d.mysql, d.redis].filter((v) => v !== undefined).length !== 1) return;
    let target;
    try {
      target = resolveTarget(d);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    // Statistics do with any database of the server; a dump is of one, and `opsdeck check` passing is read as "backups will run".
    if (d.backup && target.kind !== 'redis' && (target.database === undefined || target.databaseDefaulted)) {
      ctx.addIssue({ code: 'custom', path: ['backup'], message: `a backup needs the database to dump named: database: NAME, or the URL's path (${target.kind}://host/NAME)` });
    }
  });
