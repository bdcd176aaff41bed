// The `alertmanager:` section (docs/config.md): where Alertmanager is and how to reach it.
import { z } from 'zod';
import { duration } from '../../config/fields.js';
import { tlsSchema, tokenSchema } from '../prometheus/config.js';

export const alertmanagerSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  timeout: duration.optional(),
  token: tokenSchema.optional(),
  tls: tlsSchema.optional(),
});

export type RawAlertmanager = z.infer<typeof alertmanagerSchema>;
