// Every source kind, one line each. The runtime sets sources up, hands results to their reducers and
// builds snapshots through this registry alone; a new kind is a folder beside this file and a line here.
import type { SourceId } from '../../domain/source-id.js';
import type { DataState } from '../store.js';
import { alertsKind } from './alerts/index.js';
import { backupsKind } from './backups/index.js';
import { checkKind } from './check/index.js';
import { databaseKind } from './database/index.js';
import type { KindSource, ReduceContext, SourceKindModule } from './kind.js';
import { logsKind } from './logs/index.js';
import { maintenanceKind } from './maintenance/index.js';
import { processesKind } from './processes/index.js';
import { prometheusKind } from './prometheus/index.js';
import { resourcesKind } from './resources/index.js';
import { servicesKind } from './services/index.js';

/** Checks that every module is filed under its own kind's name. */
function byKind<T extends { [K in keyof T & string]: SourceKindModule<K, unknown> }>(kinds: T): T {
  return kinds;
}

// The order is the order of each host's snapshot sections and of the sources in the store.
const KINDS = byKind({
  resources: resourcesKind,
  processes: processesKind,
  services: servicesKind,
  maintenance: maintenanceKind,
  logs: logsKind,
  database: databaseKind,
  backups: backupsKind,
  check: checkKind,
  prometheus: prometheusKind,
  alerts: alertsKind,
});

/** Every kind of source: the registry's names. */
export type SourceKind = keyof typeof KINDS;

type ResultOf<M> = M extends SourceKindModule<SourceKind, infer R> ? R : never;

/** What a source of kind K delivers, as its module declares it. */
export type SourceResult<K extends SourceKind> = { [P in SourceKind]: ResultOf<(typeof KINDS)[P]> }[K];

/** Indexed by a kind K, this gives that kind's module typed with K's result: results need no cast. */
export const SOURCE_KINDS: { readonly [K in SourceKind]: SourceKindModule<K, SourceResult<K>> } = KINDS;

/** A source of any kind, its id and its result type kept together. */
export type AnySource = { [K in SourceKind]: KindSource<K, SourceResult<K>> }[SourceKind];

/** A result into the store through the reducer of its source's kind. */
export function reduceResult<K extends SourceKind>(data: DataState, id: SourceId<K>, result: SourceResult<K>, context: ReduceContext): DataState {
  return SOURCE_KINDS[id.kind].reduce(data, id, result, context);
}
