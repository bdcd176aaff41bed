// The `via: HOST` seam: the source speaks its protocol over whatever stream the tunnel factory gives.
// Here the factory hands a plain Duplex (not a net.Socket, like an ssh2 forwardOut channel) wired to
// the local server, so every kind is proven over a stream it did not open itself.
import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseKind, type DatabaseSource, type TunnelFactory } from '../../src/services/db/index.js';
import { tick } from './harness.js';

/** A Duplex relaying to a TCP connection, exposing none of net.Socket's methods. */
function channelTo(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const channel = new Duplex({
      read() {
        socket.resume();
      },
      write(chunk, _encoding, callback) {
        socket.write(chunk, callback);
      },
      final(callback) {
        socket.end();
        callback();
      },
      destroy(error, callback) {
        socket.destroy();
        callback(error);
      },
    });
    socket.on('data', (data) => {
      if (!channel.push(data)) socket.pause();
    });
    socket.on('end', () => channel.push(null));
    socket.on('close', () => channel.destroy());
    socket.once('connect', () => resolve(channel));
    socket.once('error', reject);
  });
}

const opened: { host: string; port: number }[] = [];
const tunnel: TunnelFactory = async (target) => {
  opened.push(target);
  return channelTo(target.port);
};

const sources: DatabaseSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  opened.length = 0;
});

describe.each<[DatabaseKind, string]>([
  ['postgres', 'postgres://postgres@127.0.0.1:5432/test'],
  ['mysql', 'mysql://root@127.0.0.1:3306/test'],
  ['redis', 'redis://127.0.0.1:6379'],
])('%s via a tunnel', (kind, url) => {
  it('collects over the tunnel stream, named after the SSH host', async () => {
    const source = createDatabaseSource('remote', { [kind]: url, via: 'bastion' }, { tunnel });
    sources.push(source);
    expect(source.host).toBe('bastion');
    expect(source.target).toMatch(/ via bastion$/);
    const sample = await tick(source);
    expect(sample.kind).toBe(kind);
    expect(opened).toEqual([{ host: '127.0.0.1', port: Number(new URL(url).port) }]);
    await tick(source);
    expect(opened).toHaveLength(1);
  });

  it('says the SSH connection is missing when no tunnel is given', async () => {
    const source = createDatabaseSource('remote', { [kind]: url, via: 'bastion' });
    sources.push(source);
    await expect(tick(source)).rejects.toThrow("via: bastion needs that host's SSH connection, which is not available");
  });
});
