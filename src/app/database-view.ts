// What the Databases pane draws for one database: its entry in the store joined with its poll state.
import type { SourceState, SourceStatus } from '../domain/model.js';
import type { DatabaseKind, DatabaseSample } from '../domain/database.js';
import type { DatabaseLevels } from '../domain/database-levels.js';

export interface DatabaseView {
  name: string;
  kind: DatabaseKind;
  /** Where it points, without secrets: "postgres://app@db1:5432/app via bastion". */
  target: string;
  sample?: DatabaseSample;
  /** Judged with hold ticks when the sample arrived (src/app/sources/database/levels.ts). */
  levels: DatabaseLevels;
  status: SourceStatus;
  /** When the status began (epoch ms). */
  since: number;
  error?: string;
  hint?: string;
}

export function databaseView(entry: { name: string; kind: DatabaseKind; target: string; levels: DatabaseLevels }, state: SourceState | undefined, sample: DatabaseSample | undefined): DatabaseView {
  return {
    name: entry.name,
    kind: entry.kind,
    target: entry.target,
    sample,
    levels: entry.levels,
    status: state?.status ?? 'pending',
    since: state?.since ?? Date.now(),
    ...(state?.error !== undefined ? { error: state.error } : {}),
    ...(state?.hint !== undefined ? { hint: state.hint } : {}),
  };
}
