// Which source a state, a result or a lookup is about. Structured, so a reader builds the id it wants
// and never parses a key string back into its parts.

/** K is a source kind's name: the kinds are the registry's (SourceKind, src/app/sources/registry.ts). */
export interface SourceId<K extends string = string> {
  /** The host whose row the source belongs to: its own host, a database's via: host ('local' without one), a check's host: ('' for none). */
  readonly host: string;
  readonly kind: K;
  /** Which source of that kind on that host: a database's or check's name, a log's position; '' where a host has one. */
  readonly name: string;
}

/** The one way an id becomes a key of the store's records: `HOST:KIND`, or `HOST:KIND:NAME` when it has a name. */
export function sourceKey(id: SourceId): string {
  return id.name === '' ? `${id.host}:${id.kind}` : `${id.host}:${id.kind}:${id.name}`;
}

/** The id of a source a host has one of (its resources, its services...). */
export function hostSourceId<K extends string>(host: string, kind: K): SourceId<K> {
  return { host, kind, name: '' };
}
