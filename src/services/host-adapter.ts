// One interface per kind of host (local now, SSH next): what it polls and which logs it follows.
import type { ConnectionState, HostConfig } from '../domain/model.js';
import type { LogStream } from './logs/stream.js';
import type { PollSource } from './scheduler.js';

export interface HostWatch {
  pollSources: PollSource[];
  logStreams: LogStream[];
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

/** The maintenance flag of a host as a poll source; each host kind says how to test the file. */
export function maintenanceSource(host: HostConfig, timeoutMs: number, flagExists: (signal: AbortSignal) => Promise<boolean>): PollSource<boolean> {
  return { id: `${host.name}:maintenance`, host: host.name, kind: 'maintenance', label: 'maintenance flag', timeoutMs, collect: flagExists };
}
