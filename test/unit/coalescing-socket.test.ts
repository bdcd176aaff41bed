// The socket under every SSH connection sends what one turn of the event loop wrote as one writev
// (ssh2 writes each packet in three pieces), and in order, with nothing held back past the turn.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalescingConnection } from '../../src/services/ssh/coalescing-socket.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A loopback server that keeps what it receives, and a coalescing socket connected to it. */
async function connected(): Promise<{ socket: Socket; received: () => string }> {
  let text = '';
  server = createServer((peer) => peer.on('data', (chunk: Buffer) => (text += chunk.toString())));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const socket = coalescingConnection('127.0.0.1', port);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setNoDelay(true);
  return { socket, received: () => text };
}

describe('the SSH connection socket', () => {
  it("sends a turn's writes as one writev, in order, and each later turn's on its own", async () => {
    const { socket, received } = await connected();
    // Node's own: one call per chunk written uncorked, one per batch of corked chunks.
    const calls: string[] = [];
    const own = socket as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
    const [write, writev] = [own._write.bind(socket), own._writev.bind(socket)];
    own._write = (...args) => {
      calls.push('write');
      write(...args);
    };
    own._writev = (...args) => {
      calls.push(`writev ${(args[0] as unknown[]).length}`);
      writev(...args);
    };

    socket.write('len.');
    socket.write('ciphertext.');
    socket.write('tag|');
    await new Promise((resolve) => setImmediate(resolve));
    socket.write('next');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['writev 3', 'write']);

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received()).toBe('len.ciphertext.tag|next');
    socket.destroy();
  });
});
