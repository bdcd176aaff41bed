// The databases to watch: each `databases:` entry (through its via: host's SSH connection where it
// has one), or, with no `databases:` at all, the servers that answer on this machine.
import type { DatabaseSample } from '../../../domain/database.js';
import { createDatabaseSource, discoverLocalDatabases, resolveThresholds, type DatabaseSource } from '../../../services/db/index.js';
import type { DataState, DatabaseEntry } from '../../store.js';
import type { Discovery, KindSource, SourceSetup } from '../kind.js';
import { databaseSourceId } from './id.js';

function withEntry(entry: DatabaseEntry): (data: DataState) => DataState {
  return (data) => ({ ...data, databases: { ...data.databases, [entry.name]: entry } });
}

function watched(source: DatabaseSource, open: Map<string, DatabaseSource>): KindSource<'database', DatabaseSample> {
  open.set(source.name, source);
  return {
    id: databaseSourceId(source),
    label: `db ${source.name}`,
    seed: withEntry({ name: source.name, kind: source.dbKind, target: source.target, host: source.host, thresholds: source.thresholds, levels: { overall: 'ok' } }),
    collect: { poll: source },
    close: () => source.close(),
  };
}

export function configuredDatabases({ config, timeoutMs, tunnel, databases }: SourceSetup): KindSource<'database', DatabaseSample>[] {
  return Object.entries(config.databases ?? {}).map(([name, spec]) => {
    // via: HOST reaches the database through that host's SSH connection (a forwarded channel); via the local host is direct.
    const viaLocal = spec.via !== undefined && config.hosts.some((h) => h.name === spec.via && h.local);
    const through = spec.via !== undefined && !viaLocal ? tunnel(spec.via) : undefined;
    return watched(createDatabaseSource(name, viaLocal ? { ...spec, via: undefined } : spec, { timeoutMs, tunnel: through, thresholds: config.databaseThresholds }), databases);
  });
}

/** No `databases:` in the config: the local servers that answer are watched; one that refuses opsdeck says how to configure it. */
export async function localDatabases({ config, timeoutMs, databases }: SourceSetup): Promise<Discovery<'database', DatabaseSample>> {
  if (config.databases) return { found: [], refused: [], events: [] };
  try {
    const answered = await discoverLocalDatabases();
    return {
      found: answered.flatMap((db) => (db.status === 'ok' ? [watched(createDatabaseSource(db.name, db.spec, { timeoutMs, thresholds: config.databaseThresholds }), databases)] : [])),
      refused: answered.flatMap((db) =>
        db.status === 'ok'
          ? []
          : [
              {
                id: databaseSourceId({ name: db.name, host: 'local' }),
                label: `database ${db.name}`,
                seed: withEntry({ name: db.name, kind: db.kind, target: db.target, host: 'local', thresholds: resolveThresholds(undefined, db.kind, config.databaseThresholds), levels: { overall: 'ok' } }),
                error: db.note ?? 'refused opsdeck',
                hint: 'add it under databases: in the config (docs/config.md)',
              },
            ],
      ),
      events: [],
    };
  } catch (error) {
    return { found: [], refused: [], events: [{ at: Date.now(), host: 'local', kind: 'source', level: 'warn', message: `looking for local databases failed: ${(error as Error).message}` }] };
  }
}
