// The config's parts for logs: what a log source measures (`format:` and its error rate) and the
// pattern rules under `rules:` (docs/config.md).
import { z } from 'zod';
import { ACCESS_LOG_FORMATS } from '../../../domain/access-log.js';
import { MAX_ERROR_WINDOW_SEC } from '../../../domain/access-metrics.js';
import { rulePatternProblem } from '../../../domain/log-rules.js';
import { duration, durationMs, thresholdPair } from '../../config/fields.js';

/** A window from 1 s up to `maxSec`, counted in whole seconds. */
const windowOf = (maxSec: number) =>
  duration.refine((v) => durationMs(v) >= 1000 && durationMs(v) <= maxSec * 1000, { message: `expected a window from 1s to ${maxSec >= 3600 ? `${maxSec / 3600}h` : `${maxSec}s`}` });

/** The keys a log source may have besides where it is (file, journal, label). */
export const logMeasuresShape = {
  format: z.enum(ACCESS_LOG_FORMATS).optional(),
  errorRate: thresholdPair.optional(),
  window: windowOf(MAX_ERROR_WINDOW_SEC).optional(),
  minRequests: z.number().int().min(1).optional(),
};

/** errorRate, window and minRequests describe an access log: without format: they would measure nothing. */
export function accessKeysNeedFormat(log: { format?: string; errorRate?: unknown; window?: unknown; minRequests?: unknown }, ctx: z.RefinementCtx): void {
  if (log.format !== undefined) return;
  for (const key of ['errorRate', 'window', 'minRequests'] as const) {
    if (log[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is for an access log: add format: ${ACCESS_LOG_FORMATS.join(', ')}` });
  }
}

/** Longest window a rule counts over. */
const MAX_RULE_WINDOW_SEC = 86_400;

export const ruleSchema = z.strictObject({
  /** A log's label, or its file's path, on any host that follows it. */
  log: z.string().min(1),
  match: z
    .string()
    .min(1)
    .superRefine((pattern, ctx) => {
      const problem = rulePatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  window: windowOf(MAX_RULE_WINDOW_SEC).optional(),
  threshold: z.number().int().min(1),
  level: z.enum(['warn', 'crit']).optional(),
});

export type RawRule = z.infer<typeof ruleSchema>;
