// What the Databases pane draws for one source: its poll state (from the store) and last sample.
import type { SourceState } from '../model.js';
import type { DatabaseSource } from './source.js';
import type { DatabaseSample, DatabaseView } from './types.js';

export function databaseView(
  source: Pick<DatabaseSource, 'name' | 'dbKind' | 'target' | 'thresholds'>,
  state: SourceState | undefined,
  sample: DatabaseSample | undefined,
): DatabaseView {
  return {
    name: source.name,
    kind: source.dbKind,
    target: source.target,
    sample,
    status: state?.status ?? 'pending',
    since: state?.since ?? Date.now(),
    ...(state?.error !== undefined ? { error: state.error } : {}),
    ...(state?.hint !== undefined ? { hint: state.hint } : {}),
    thresholds: source.thresholds,
  };
}
