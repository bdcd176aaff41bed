// One interface per kind of host (local, SSH): how it collects each of a host's sources.
import type { ConnectionState, HostConfig, LogSourceConfig, ProcessSample, ResourceSample, ServicesSample } from '../domain/model.js';
import type { MaintenanceControl } from '../domain/maintenance.js';
import type { ProcessControl } from '../domain/process-control.js';
import type { ShellControl } from '../domain/shell-command.js';
import type { UnitControl } from '../domain/unit-control.js';
import type { LogStream } from './logs/stream.js';
import type { PollSource } from './scheduler.js';

/** A host's doors for operations, without its collectors: all a command that only acts on it opens. */
export interface HostControls {
  /** Restart, reload, stop, start a unit and read it back (the unit operations' door). */
  units: UnitControl;
  /** Signals a process and reads whether it still runs (the process operations' door). */
  processControl: ProcessControl;
  /** Sets and clears the maintenance flag file; only for a host with `maintenance:`. */
  maintenanceFlag?: MaintenanceControl;
  /** Runs the operator's commands (`actions:`): locally `sh -c`, over SSH through the host's connection. */
  shell: ShellControl;
}

/** A host's collectors, one per source kind it has (src/app/sources gives each its id and reducer), and its doors. */
export interface HostWatch extends HostControls {
  resources: PollSource<ResourceSample>;
  processes: PollSource<ProcessSample>;
  services: PollSource<ServicesSample>;
  /** The host's maintenance flag file's content (its first 4 KiB), null when it is not set; only for a host with `maintenance:`. */
  maintenance?: PollSource<string | null>;
  logStreams: LogStream[];
  /** A follower for one more log source, started and stopped by its caller (a unit's journal opened from Services). */
  followLog(source: LogSourceConfig): LogStream;
  /** Why the host has no log source, with what to add to the config. */
  logNote?: string;
  /** Remote hosts only: connection state changes (connecting, ok, unreachable since, auth failed...). */
  onConnection?(listener: (state: ConnectionState) => void): () => void;
}

export interface HostAdapter {
  watch(host: HostConfig, options: { timeoutMs: number }): Promise<HostWatch>;
  /** Remote hosts only: the operator accepted the offered host key in the trust dialog. */
  trustHostKey?(hostName: string): Promise<void>;
  /** Remote hosts only: try the connection again now (after the operator fixed a key or the network). */
  reconnect?(hostName: string): void;
  close(): void;
}
