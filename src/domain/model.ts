// The domain shapes every collector produces and every pane reads, whatever the host or source kind.
import type { AccessLogSpec } from './access-metrics.js';
import type { LogRuleSpec } from './log-rules.js';
import type { SourceId } from './source-id.js';

export type Level = 'ok' | 'warn' | 'crit';
export type SourceStatus = 'pending' | 'ok' | 'stale' | 'error';

export interface SourceState {
  id: SourceId;
  label: string;
  status: SourceStatus;
  /** When the current status began (epoch ms). */
  since: number;
  lastOkAt?: number;
  error?: string;
  /** What the operator can do about it, shown under the error. */
  hint?: string;
  /**
   * What the host lacks, when that is why the source cannot be read ("no systemd", "no system log"):
   * nothing is failing, so it is said beside the host's state, not counted as a failure.
   */
  absent?: string;
  /** It failed because its host's SSH connection did: the connection's own events tell the outage and the return. */
  byConnection?: boolean;
}

export interface CpuStat {
  totalPercent: number;
  perCorePercent: number[];
}

export interface MemoryStat {
  totalBytes: number;
  usedBytes: number;
  usedPercent: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

export interface DiskStat {
  mount: string;
  fs: string;
  type: string;
  sizeBytes: number;
  usedBytes: number;
  usedPercent: number;
}

export interface NetStat {
  rxBytesPerSec: number;
  txBytesPerSec: number;
}

export interface ResourceSample {
  at: number;
  cpu: CpuStat;
  memory: MemoryStat;
  disks: DiskStat[];
  load: [number, number, number];
  net: NetStat;
  uptimeSec: number;
}

export interface ProcessStat {
  pid: number;
  name: string;
  user: string;
  cpuPercent: number;
  memBytes: number;
}

/** How many processes a sample keeps, by CPU and by memory, wherever it was collected. */
export const TOP_PROCESSES = 15;

export interface ProcessSample {
  at: number;
  byCpu: ProcessStat[];
  byMemory: ProcessStat[];
}

export interface UnitState {
  name: string;
  description: string;
  load: string;
  active: string;
  sub: string;
  /** When the unit entered its current active state (epoch ms), if systemd says. */
  since?: number;
  restarts?: number;
  mainPid?: number;
}

export interface ServicesSample {
  at: number;
  units: UnitState[];
}

export type LogLevel = 'error' | 'warn' | 'info' | 'marker';

export interface LogLine {
  seq: number;
  at: number;
  text: string;
  /** The level when known: the source's, a marker's, or classified once read. Read it with levelOf (domain/log-level.ts). */
  knownLevel?: LogLevel;
  /** How many identical lines in a row this one stands for. */
  count: number;
  /** The host and log label it came from, when its buffer was told them (a merged view then copies nothing). */
  host?: string;
  source?: string;
}

/**
 * A log's lines, oldest first: an array, or a follower's buffer seen as it was at a flush. The
 * buffer keeps its lines as bytes and makes a line each time one is read, so read a line once and
 * keep what you need of it. A line the buffer no longer holds reads as undefined.
 */
export interface LogLines<L extends LogLine = LogLine> {
  readonly length: number;
  at(index: number): L | undefined;
  /** Line `index`'s seq, where it can be read without making the line (a buffer's window). */
  seqAt?(index: number): number;
  /** The same lines kept apart from a buffer that goes on taking lines (an array needs no copy). */
  detached?(): LogLines<L>;
  [Symbol.iterator](): Iterator<L>;
}

export type EventKind = 'threshold' | 'unit' | 'source' | 'action' | 'log' | 'check' | 'incident' | 'alert';

export interface OpsEvent {
  /** Increasing number given when the event joins the timeline; the Events cursor holds on to it. */
  id?: number;
  at: number;
  host: string;
  kind: EventKind;
  level: Level | 'info';
  message: string;
  /** An operation's result: the audit id its records share (the audit log says who, and what it verified). */
  auditId?: string;
  /** The incident open when it happened (src/domain/incident.ts). */
  incident?: string;
  /** Seen here, recorded by whoever did it (another cockpit, `opsdeck incident`): not written to the timeline again. */
  recordedElsewhere?: true;
}

/** What a host's thresholds judge: cpu, memory and disk in percent used, load per core (the 1-minute average ÷ cores). */
export type Metric = 'cpu' | 'memory' | 'disk' | 'load';

export interface ThresholdPair {
  warn: number;
  crit: number;
}

export type Thresholds = Record<Metric, ThresholdPair>;

/**
 * A host's levels as judged once, with hold ticks, when its sample arrived: the Hosts row, Resources,
 * Events and the snapshot all show these.
 */
export interface HostLevels {
  cpu: Level;
  memory: Level;
  /** The worst of `disks`. */
  disk: Level;
  /** By mount point. */
  disks: Readonly<Record<string, Level>>;
  /** The 1-minute load average per core. */
  load: Level;
  /** By core, in the sample's order. */
  cores: readonly Level[];
}

/** What is measured on a log's lines as they arrive, besides showing them. */
export interface LogMeasures {
  /** An access log's requests (`format:`): rates, error rate, top statuses, paths and clients. */
  access?: AccessLogSpec;
  /** The config's `rules:` that name this log. */
  rules?: LogRuleSpec[];
}

export type LogSourceConfig = ({ kind: 'file'; path: string; label: string } | { kind: 'journal'; unit: string; label: string }) & LogMeasures;

/** What to watch on one host, as resolved from the config. */
export interface HostConfig {
  name: string;
  local: boolean;
  ssh?: string;
  group?: string;
  color?: string;
  /** `auto`: every loaded service unit the host's systemctl lists. */
  services: string[] | 'auto';
  systemctl: string;
  sudo: boolean;
  /** `auto`: the system journal, else /var/log/syslog or /var/log/messages. */
  logs: LogSourceConfig[] | 'auto';
  maintenance?: string;
  /** How long a flag set from the cockpit holds before it shows as expired, unless the operator types another; absent: until cleared. */
  maintenanceExpiryMs?: number;
  thresholds: Thresholds;
  /** Operations that change this host (or a database reached through it) are refused. */
  readOnly: boolean;
  /** The host label's value in Prometheus: its resources and units are read there, not over SSH or locally. */
  prometheus?: string;
}

export type ConnectionStatus = 'connecting' | 'ok' | 'unreachable' | 'auth-failed' | 'hostkey-refused';

/** A remote host's SSH connection as the Hosts pane shows it. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** When the status began: an unreachable host keeps the time of its first failure across retries; a hung one, the last time it was heard from. */
  since: number;
  /** Why the host is not connected. */
  error?: string;
  /** While connecting: how far the handshake has got ("TCP connected to HOST:PORT, waiting for its SSH banner"). */
  stage?: string;
  /** For hostkey-refused: the key the server offered, and the one known_hosts has (on a change). */
  fingerprint?: { offered: string; known?: string };
  hint?: string;
}
