// A TCP proxy between opsdeck and a test server, to play the network: pass traffic, drop it
// silently in both directions (a partition or a half-open link: no FIN, no RST), or reset every
// connection at once.
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';

export class FlakyProxy {
  private mode: 'pass' | 'drop' = 'pass';
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FlakyProxy> {
    // Clients connect only once the server listens, and by then the proxy exists.
    const server = createServer((client) => proxy.join(client, targetPort));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const proxy = new FlakyProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** Traffic vanishes from now on, both ways, on open and new connections alike. */
  drop(): void {
    this.mode = 'drop';
  }

  heal(): void {
    this.mode = 'pass';
  }

  /** Every connection through the proxy is reset (RST) at once. */
  reset(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.reset();
    this.server.close();
  }

  private join(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk) => this.mode === 'pass' && to.write(chunk));
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}
