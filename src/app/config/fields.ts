// Value schemas the config's sections share (the main schema and the source kinds' own parts).
import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';

export const duration = z
  .union([z.string(), z.number().positive()], { error: 'expected a duration such as 500ms, 2s or 1m' })
  .refine((v) => (typeof v === 'number' ? true : parseDuration(v) !== undefined), {
    message: 'expected a duration such as 500ms, 2s or 1m',
  });

/** A validated duration from the config in milliseconds: a string as "2s", or a number of seconds. */
export function durationMs(value: string | number): number {
  return typeof value === 'number' ? value * 1000 : (parseDuration(value) ?? 0);
}

export const percent = z.number().min(0).max(100);

export const thresholdPair = z
  .strictObject({ warn: percent, crit: percent })
  .refine((p) => p.warn <= p.crit, { message: 'warn must not be above crit' });

/** Load per core: 1 is every core busy with none waiting. */
const perCore = z.number().positive().max(1000);

export const loadPair = z
  .strictObject({ warn: perCore, crit: perCore })
  .refine((p) => p.warn <= p.crit, { message: 'warn must not be above crit' });

export const absolutePath = z.string().regex(/^\/[^\0\n]*$/, 'expected an absolute path without newlines');

export const hostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'names use letters, digits, ".", "_" and "-", and start with a letter or digit');

/** A runbook: a Markdown file (relative to the config file) with an optional #heading, or an http(s) URL. */
export const runbookRef = z.string().min(1).refine((r) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(r) || /^https?:\/\//i.test(r), { message: 'expected a file (path/to/runbook.md#heading) or an http:// or https:// URL' });
