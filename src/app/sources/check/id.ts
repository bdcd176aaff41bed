// A check's source id, the same for the check kind that collects it and the rows that read it.
import type { SourceId } from '../../../domain/source-id.js';

/** A check belongs to its host: row, or to no host. */
export function checkSourceId(check: { name: string; host?: string }): SourceId<'check'> {
  return { host: check.host ?? '', kind: 'check', name: check.name };
}
