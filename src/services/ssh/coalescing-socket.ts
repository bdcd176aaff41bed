// The TCP connection under an SSH session. ssh2 hands its socket each packet in pieces (for AES-GCM:
// the length, the ciphertext, the tag), and with Nagle's algorithm off (connection.ts) each piece is
// a write(2) and a TCP segment of its own: three segments a packet, each waking the host's sshd.
// What is written in one turn of the event loop is held (cork) and sent as one writev(2), as Node's
// own HTTP client does with its header and body.
import { createConnection, type Socket } from 'node:net';

export function coalescingConnection(host: string, port: number): Socket {
  const socket = createConnection({ host, port });
  // Set after connect(): connect() puts Socket.prototype.write back on the instance.
  const write = socket.write;
  let holding = false;
  const release = (): void => {
    holding = false;
    socket.uncork();
  };
  socket.write = function holdForThisTurn(this: Socket, ...args: unknown[]): boolean {
    if (!holding) {
      holding = true;
      socket.cork();
      process.nextTick(release);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Socket['write'];
  return socket;
}
