// The `prometheus:` section (docs/config.md, docs/prometheus.md): where Prometheus is, which targets
// are hosts and how they are named, and how to reach it.
import { z } from 'zod';
import { absolutePath, duration } from '../../config/fields.js';

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name (letters, digits, "_")');

/** A bearer token, named by its environment variable: never written in the file. */
export const tokenSchema = z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name') });

export const tlsSchema = z
  .strictObject({
    ca: absolutePath.optional(),
    cert: absolutePath.optional(),
    key: absolutePath.optional(),
    serverName: z.string().min(1).optional(),
    insecure: z.boolean().optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'a client certificate needs both cert: and key:' });

export const prometheusSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  selector: z
    .string()
    .regex(/^\{.*\}$/s, 'expected a label selector in braces, such as {job="node"}')
    .optional(),
  hostLabel: labelName.optional(),
  groupLabel: labelName.optional(),
  rateWindow: z.string().regex(/^\d+(ms|s|m|h)$/, 'expected a Prometheus duration such as 30s or 1m').optional(),
  timeout: duration.optional(),
  token: tokenSchema.optional(),
  tls: tlsSchema.optional(),
});

export type RawPrometheus = z.infer<typeof prometheusSchema>;
