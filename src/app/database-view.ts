// What the Databases pane draws for one database: its entry in the store joined with its poll state.
import type { SourceState, SourceStatus } from '../domain/model.js';
import type { DatabaseKind, DatabaseSample, DatabaseThresholds } from '../domain/database.js';
import { hitRatio, type DatabaseLevels, type HitRatio } from '../domain/database-levels.js';

export interface DatabaseView {
  name: string;
  kind: DatabaseKind;
  /** Where it points, without secrets: "postgres://app@db1:5432/app via bastion". */
  target: string;
  sample?: DatabaseSample;
  /** Judged with hold ticks when the sample arrived (src/app/sources/database/levels.ts). */
  levels: DatabaseLevels;
  /** Its thresholds: each busy query's duration is judged by queryDurationSec. */
  thresholds: DatabaseThresholds;
  /** The sample's hit ratio and whether its interval saw enough reads to be judged (else "too few reads"). */
  hit?: HitRatio;
  status: SourceStatus;
  /** When the status began (epoch ms). */
  since: number;
  error?: string;
  hint?: string;
}

export function databaseView(entry: { name: string; kind: DatabaseKind; target: string; levels: DatabaseLevels; thresholds: DatabaseThresholds }, state: SourceState | undefined, sample: DatabaseSample | undefined): DatabaseView {
  return {
    name: entry.name,
    kind: entry.kind,
    target: entry.target,
    sample,
    levels: entry.levels,
    thresholds: entry.thresholds,
    ...(sample ? { hit: hitRatio(sample, entry.thresholds) } : {}),
    status: state?.status ?? 'pending',
    since: state?.since ?? Date.now(),
    ...(state?.error !== undefined ? { error: state.error } : {}),
    ...(state?.hint !== undefined ? { hint: state.hint } : {}),
  };
}
