// One entry under `checks:` in the config (docs/config.md).
import { z } from 'zod';
import { duration, runbookRef } from '../../config/fields.js';

export const checkSchema = z.strictObject({
  http: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  expect: z.string().optional(),
  timeout: duration.optional(),
  host: z.string().optional(),
  runbook: runbookRef.optional(),
});
