// One entry under `checks:` in the config (docs/config.md): an http:, tls: or tcp: check, each with
// its deadline, latency thresholds, and where it runs from (`from:`) and is listed (`host:`).
// The first form (`{http, expect, timeout, host}`) is this one without the new keys.
import { z } from 'zod';
import { parseDuration } from '../../../domain/duration.js';
import { parseHostPort } from '../../../domain/check.js';
import { absolutePath, duration, hostName, runbookRef } from '../../config/fields.js';

const hostPort = z.string().refine((v) => parseHostPort(v) !== undefined, { message: 'expected HOST:PORT, e.g. shop.example:443 or [::1]:8443' });
const ms = (v: string | number): number => (typeof v === 'number' ? v * 1000 : (parseDuration(v) ?? 0));
const days = z.number().min(0).max(3650);

const latency = z
  .strictObject({ warn: duration, crit: duration })
  .refine((p) => ms(p.warn) <= ms(p.crit), { message: 'warn must not be above crit' });

export const checkSchema = z
  .strictObject({
    http: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    tls: hostPort.optional(),
    tcp: hostPort.optional(),
    expect: z.string().optional(),
    latency: latency.optional(),
    warnDays: days.optional(),
    critDays: days.optional(),
    ca: absolutePath.optional(),
    timeout: duration.optional(),
    from: hostName.optional(),
    host: z.string().optional(),
    runbook: runbookRef.optional(),
  })
  .superRefine((check, ctx) => {
    const kinds = (['http', 'tls', 'tcp'] as const).filter((k) => check[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', path: kinds.length > 1 ? [kinds[1]!] : [], message: kinds.length > 1 ? `a check is one of http:, tls: or tcp:, not ${kinds.join(' and ')}` : 'a check needs one of http: URL, tls: HOST:PORT or tcp: HOST:PORT' });
      return;
    }
    if (check.expect !== undefined && check.http === undefined) ctx.addIssue({ code: 'custom', path: ['expect'], message: 'expect: is for http: checks (the body must contain it)' });
    const https = check.tls !== undefined || check.http?.startsWith('https:') === true;
    for (const key of ['warnDays', 'critDays', 'ca'] as const) {
      if (check[key] !== undefined && !https) ctx.addIssue({ code: 'custom', path: [key], message: `${key}: is for tls: and https:// checks (a certificate)` });
    }
    if (check.warnDays !== undefined && check.critDays !== undefined && check.critDays > check.warnDays) ctx.addIssue({ code: 'custom', path: ['critDays'], message: 'critDays must not be above warnDays (fewer days left is worse)' });
  });

export type RawCheck = z.infer<typeof checkSchema>;
