// Ports that are not SSH servers, each stopping a handshake at another step: a listener that accepts
// and never writes (no banner), one that sends an SSH banner and then nothing (a stalled key
// exchange), and one whose connection attempts are never answered (a network dropping packets).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Listener {
  port: number;
  /** Connections it has accepted so far. */
  accepted(): number;
  /** Of which still open: the client has not closed them. */
  open(): number;
  close(): Promise<void>;
}

async function serve(onConnection: (socket: Socket) => void): Promise<Listener> {
  const sockets: Socket[] = [];
  let closed = 0;
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    // Read and drop what the client says, so its FIN is seen and "open" is true.
    socket.on('error', () => undefined).on('close', () => closed++).resume();
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => sockets.length,
    open: () => sockets.length - closed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Accepts TCP and never says a word, like a port where something else waits for its client to speak. */
export function silentListener(): Promise<Listener> {
  return serve(() => undefined);
}

/** Sends an OpenSSH banner, then nothing: the key exchange never starts. */
export function bannerOnlyListener(): Promise<Listener> {
  return serve((socket) => socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
}

/**
 * A port whose SYNs go unanswered: a stopped process listening with a backlog of one, its queue
 * filled first, so the kernel drops every further connection attempt as a lossy network would.
 */
export async function droppingListener(): Promise<Listener> {
  const child = spawn(process.execPath, ['-e', "require('net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () { process.stdout.write(this.address().port + '\\n') })"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  child.kill('SIGSTOP');
  const fillers: Socket[] = [];
  for (;;) {
    const socket = connect(port, '127.0.0.1').on('error', () => undefined);
    fillers.push(socket);
    const connected = await Promise.race([once(socket, 'connect').then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300))]);
    if (!connected || fillers.length > 20) break;
  }
  return {
    port,
    accepted: () => 0,
    open: () => 0,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGCONT');
      child.kill();
      await once(child, 'exit');
    },
  };
}
