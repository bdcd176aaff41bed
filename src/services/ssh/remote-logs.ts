// A host's configured logs as follower channels, however many there are: files in bundles (one
// channel each, up to `filesPerFollower` files and a bounded script), every journal unit in one
// bundle, and bundles past one connection's follower channels on a further connection to the host.
// Each log is still its own stream, with its own lines, states and gap markers.
import type { LogSourceConfig } from '../../domain/model.js';
import type { LogStream } from '../logs/stream.js';
import type { SshConnection } from './connection.js';
import { fileBundleOutput, fileBundleScript } from './file-bundle.js';
import { logSourceRefusal, SshFollower } from './follower.js';
import { journalBundleOutput, journalBundleScript } from './journal-bundle.js';

/** The paths of one bundle stay below this many bytes, far below a command line's limit (128 KiB on Linux). */
const MAX_BUNDLE_PATH_BYTES = 32 * 1024;

/** A log that cannot be followed as configured: it says why when started, and nothing is sent. */
function refusedLog(host: string, label: string, reason: string): LogStream {
  return { host, label, start: (handlers) => handlers.state('error', `${host}: ${reason}`), stop: () => {} };
}

type File = Extract<LogSourceConfig, { kind: 'file' }>;
type Journal = Extract<LogSourceConfig, { kind: 'journal' }>;

/** Files in order, cut into bundles by count and by the bytes of their paths. */
function fileBundles<T extends { source: File }>(files: readonly T[], perBundle: number): T[][] {
  const bundles: T[][] = [];
  let bytes = 0;
  for (const file of files) {
    const size = Buffer.byteLength(file.source.path) + 64;
    const current = bundles.at(-1);
    if (!current || current.length >= perBundle || bytes + size > MAX_BUNDLE_PATH_BYTES) {
      bundles.push([file]);
      bytes = size;
    } else {
      current.push(file);
      bytes += size;
    }
  }
  return bundles;
}

export interface RemoteLogOptions {
  host: string;
  sudo: boolean;
  filesPerFollower: number;
  /** The connection for follower channel number `n` (0-based) of this host. */
  connectionFor(n: number): SshConnection;
}

/** One stream per configured log, in the config's order. */
export function remoteLogStreams(logs: readonly LogSourceConfig[], { host, sudo, filesPerFollower, connectionFor }: RemoteLogOptions): LogStream[] {
  const streams: LogStream[] = [];
  const files: { source: File; index: number }[] = [];
  const journals: { source: Journal; index: number }[] = [];
  logs.forEach((source, index) => {
    const refusal = logSourceRefusal(source);
    if (refusal) streams[index] = refusedLog(host, source.label, refusal);
    else if (source.kind === 'file') files.push({ source, index });
    else journals.push({ source, index });
  });
  // Each plan: which logs (by config index) one follower carries, and how to make it on a connection.
  const plans: { members: number[]; follower: (connection: SshConnection) => SshFollower }[] = [];
  for (const bundle of fileBundles(files, filesPerFollower)) {
    const paths = bundle.map((f) => f.source.path);
    const labels = bundle.map((f) => f.source.label);
    plans.push({ members: bundle.map((f) => f.index), follower: (c) => new SshFollower(host, labels, c, (lines) => fileBundleScript(paths, lines, sudo), fileBundleOutput(host)) });
  }
  if (journals.length > 0) {
    const units = journals.map((j) => j.source.unit);
    const labels = journals.map((j) => j.source.label);
    plans.push({ members: journals.map((j) => j.index), follower: (c) => new SshFollower(host, labels, c, (lines) => journalBundleScript(units, lines, sudo), journalBundleOutput(units)) });
  }
  plans.forEach((plan, n) => {
    const follower = plan.follower(connectionFor(n));
    plan.members.forEach((index, i) => {
      const source = logs[index]!;
      // A file log names its file: the {file} of an operator command run on what Logs shows.
      streams[index] = source.kind === 'file' ? { ...follower.streams[i]!, file: source.path } : follower.streams[i]!;
    });
  });
  return streams;
}
