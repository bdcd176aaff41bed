// How a host's logs are spread over follower channels: files in bundles cut by count and by the bytes
// of their paths, all journal units in one, channels past a connection's share on the next one, and
// a log that cannot be followed refused at once. Each start is read off the script a stand-in
// connection is asked to open (nothing is sent anywhere).
import { describe, expect, it } from 'vitest';
import type { LogSourceConfig } from '../../src/domain/model.js';
import type { SshConnection } from '../../src/services/ssh/connection.js';
import { ConnectionDown } from '../../src/services/ssh/connection.js';
import { remoteLogStreams } from '../../src/services/ssh/remote-logs.js';

/** A connection that is up and records every follower script it is asked to open, opening none. */
function standIn(): { connection: SshConnection; scripts: string[] } {
  const scripts: string[] = [];
  const connection = {
    followerLimit: 2,
    onState: (listener: (state: { status: 'ok'; since: number }) => void) => {
      listener({ status: 'ok', since: Date.now() });
      return () => {};
    },
    openFollower: (script: string) => {
      scripts.push(script);
      return Promise.reject(new ConnectionDown({ status: 'unreachable', since: Date.now() }));
    },
  } as unknown as SshConnection;
  return { connection, scripts };
}

const files = (count: number, pad = 0): LogSourceConfig[] => Array.from({ length: count }, (_, i) => ({ kind: 'file', path: `/var/log/app${'x'.repeat(pad)}-${i}.log`, label: `f${i}` }));

function plan(logs: LogSourceConfig[], filesPerFollower = 40) {
  const connections = [standIn(), standIn(), standIn()];
  const asked: number[] = [];
  const streams = remoteLogStreams(logs, {
    host: 'web1',
    sudo: false,
    filesPerFollower,
    connectionFor: (n) => {
      asked.push(n);
      return connections[Math.floor(n / 2)]!.connection;
    },
  });
  const errors: string[] = [];
  for (const stream of streams) stream.start({ line: () => {}, mark: () => {}, state: (status, error) => status === 'error' && errors.push(error ?? '') });
  return { streams, asked, errors, scripts: connections.map((c) => c.scripts) };
}

const followedPaths = (script: string): string[] => [...script.matchAll(/follow \d+ \d+ '([^']+)'/g)].map((m) => m[1]!);

describe('remoteLogStreams', () => {
  it('45 files and 3 units: two file channels (40 + 5) and one journal channel, one stream per log in config order', async () => {
    const logs: LogSourceConfig[] = [...files(45), ...['a.service', 'b', ''].map((unit): LogSourceConfig => ({ kind: 'journal', unit, label: `j:${unit}` }))];
    const { streams, asked, scripts } = plan(logs);
    await Promise.resolve();
    expect(streams.map((s) => s.label)).toEqual(logs.map((l) => l.label));
    expect(asked).toEqual([0, 1, 2]);
    expect(scripts[0]!.map(followedPaths)).toEqual([logs.slice(0, 40).map((l) => (l as { path: string }).path), logs.slice(40, 45).map((l) => (l as { path: string }).path)]);
    // Connection 1 carries channel 2: the journal, following the whole journal ("" is one of the logs) with no -u.
    expect(scripts[1]).toHaveLength(1);
    const script = scripts[1]![0]!;
    expect(script.match(/^j -f .*$/m)![0]).not.toContain('-u');
    expect(script).toContain(`--cursor="$c" '-u' 'a.service'`);
    expect(script).toContain(`--cursor="$c" '-u' 'b'`);
  });

  it('long paths cut a bundle before its count does, so the script stays far below a command line\'s limit', async () => {
    const { scripts } = plan(files(20, 4000));
    await Promise.resolve();
    const bundles = [...scripts[0]!, ...scripts[1]!].map(followedPaths);
    expect(bundles.map((b) => b.length)).toEqual([8, 8, 4]);
    expect(Math.max(...[...scripts[0]!, ...scripts[1]!].map((s) => s.length))).toBeLessThan(40 * 1024);
  });

  it('a log that is not what it claims is refused when started, and the others are still followed', async () => {
    const logs: LogSourceConfig[] = [
      { kind: 'file', path: 'relative.log', label: 'rel' },
      { kind: 'file', path: '/var/log/ok.log', label: 'ok' },
      { kind: 'journal', unit: 'x; rm -rf /', label: 'bad unit' },
    ];
    const { errors, scripts } = plan(logs);
    await Promise.resolve();
    expect(errors).toEqual(['web1: log file "relative.log" is not an absolute path', 'web1: journal unit "x; rm -rf /" is not a unit name']);
    expect(scripts[0]!.map(followedPaths)).toEqual([['/var/log/ok.log']]);
  });
});
