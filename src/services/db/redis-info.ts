// Redis INFO text to figures: a pure parser, unit-tested on output captured from real servers.
import { intervalHitRatio, num, perSecond } from './rates.js';
import type { RedisReplica, RedisSample } from '../../domain/database.js';

export type RedisInfo = Record<string, Record<string, string>>;

/** Sections (lower-cased: server, memory, keyspace...) of `key:value` lines. */
export function parseRedisInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  let section = info.default ?? (info.default = {});
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('#')) {
      const name = line.slice(1).trim().toLowerCase();
      section = info[name] ?? (info[name] = {});
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) section[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

/** "ip=10.0.0.2,port=6380,state=online" → fields. */
export function parseFields(value: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

function get(info: RedisInfo, key: string): string | undefined {
  for (const section of Object.values(info)) if (key in section) return section[key];
  return undefined;
}

export interface RedisPrevious {
  at: number;
  counters: RedisSample['counters'];
}

/**
 * The sample for one INFO reading. `own`: commands opsdeck sent since the previous reading, which
 * total_commands_processed counts and ops/s leaves out.
 */
export function redisSampleFromInfo(info: RedisInfo, at: number, pingMs: number, previous?: RedisPrevious, own = 0): RedisSample {
  const n = (key: string) => num(get(info, key));
  const counters: RedisSample['counters'] = {
    commands: n('total_commands_processed'),
    hits: n('keyspace_hits'),
    misses: n('keyspace_misses'),
    evicted: n('evicted_keys'),
    expired: n('expired_keys'),
  };
  const intervalSec = previous ? (at - previous.at) / 1000 : undefined;
  const used = n('used_memory');
  const max = n('maxmemory');
  const role = get(info, 'role');
  const offset = n('master_repl_offset');
  let replication: RedisSample['replication'];
  let replicationLagSec: number | undefined;
  if (role === 'slave') {
    const linkStatus = get(info, 'master_link_status') ?? '';
    const lastIo = n('master_last_io_seconds_ago');
    const downSince = n('master_link_down_since_seconds');
    replication = {
      role: 'replica',
      offset: n('slave_repl_offset'),
      master: `${get(info, 'master_host') ?? ''}:${get(info, 'master_port') ?? ''}`,
      linkStatus,
      lastIoSecAgo: lastIo,
      syncing: n('master_sync_in_progress') === 1,
    };
    replicationLagSec = linkStatus === 'up' ? Math.max(0, lastIo) : downSince > 0 ? downSince : undefined;
  } else {
    const replicas: RedisReplica[] = Object.entries(info.replication ?? {})
      .filter(([key]) => /^slave\d+$/.test(key))
      .map(([, value]) => {
        const f = parseFields(value);
        const replicaOffset = num(f.offset);
        return { address: `${f.ip ?? ''}:${f.port ?? ''}`, state: f.state ?? '', offset: replicaOffset, lagBytes: Math.max(0, offset - replicaOffset), lagSec: num(f.lag) };
      });
    replication = { role: 'master', offset, replicas };
    if (replicas.length > 0) replicationLagSec = Math.max(...replicas.map((r) => r.lagSec));
  }
  const keyspace = Object.entries(info.keyspace ?? {})
    .filter(([key]) => /^db\d+$/.test(key))
    .map(([key, value]) => {
      const f = parseFields(value);
      return { db: Number(key.slice(2)), keys: num(f.keys), expires: num(f.expires), avgTtlMs: num(f.avg_ttl) };
    });
  const hits = intervalHitRatio(counters.hits, counters.misses, previous ? { hits: previous.counters.hits, misses: previous.counters.misses } : undefined);
  return {
    kind: 'redis',
    at,
    intervalSec,
    version: get(info, 'redis_version') ?? '',
    mode: get(info, 'redis_mode') ?? 'standalone',
    uptimeSec: n('uptime_in_seconds'),
    pingMs,
    memory: {
      used,
      max,
      usedPercent: max > 0 ? (used / max) * 100 : undefined,
      rss: n('used_memory_rss'),
      peak: n('used_memory_peak'),
      fragmentation: n('mem_fragmentation_ratio'),
      policy: get(info, 'maxmemory_policy') ?? '',
    },
    clients: { connected: n('connected_clients'), blocked: n('blocked_clients') },
    counters,
    opsPerSec: perSecond(counters.commands, previous?.counters.commands, intervalSec, own),
    instantaneousOps: n('instantaneous_ops_per_sec'),
    hitPercent: hits.percent,
    hitReads: hits.reads,
    evictedPerSec: perSecond(counters.evicted, previous?.counters.evicted, intervalSec),
    expiredPerSec: perSecond(counters.expired, previous?.counters.expired, intervalSec),
    keyspace,
    replication,
    persistence: {
      lastSaveOk: get(info, 'rdb_last_bgsave_status') !== 'err',
      lastSaveAt: n('rdb_last_save_time') * 1000,
      changesSinceSave: n('rdb_changes_since_last_save'),
      saving: n('rdb_bgsave_in_progress') === 1,
      aofEnabled: n('aof_enabled') === 1,
      aofLastWriteOk: (get(info, 'aof_last_write_status') ?? 'ok') === 'ok',
    },
    replicationLagSec,
  };
}
