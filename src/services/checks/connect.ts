// How a check reaches host:port: a TCP connection from this machine, or a forwarded channel over a
// host's SSH connection (`from: HOST`, the same TunnelFactory as a database's `via:`). Every kind of
// check opens its streams through one of these, so a check runs the same code from either place.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TunnelFactory } from '../db/source.js';

export type StreamOpener = TunnelFactory;

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
};

/** RFC 4254's channel open failure codes, as the SSH host's refusal to forward reads to an operator. */
const OPEN_FAILURES: Record<number, string> = {
  1: "the host's sshd does not allow forwarding there (administratively prohibited)",
  3: "the host's sshd does not forward TCP (unknown channel type)",
  4: "the host's sshd is out of resources for another channel",
};

/** The words an operator needs for a socket error ("connection refused"), or its own message. */
export function describeNetError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code && NET_ERRORS[code]) return NET_ERRORS[code];
  const refusal = OPEN_FAILURES[(error as { cause?: { reason?: unknown } }).cause?.reason as number];
  if (refusal) return refusal;
  const message = (error as Error).message ?? String(error);
  // OpenSSH's direct-tcpip refusal comes back through ssh2 as "(SSH) Channel open failure: Connection refused".
  const channel = /Channel open failure: (.+)$/i.exec(message);
  if (channel) return channel[1]!.toLowerCase().replace(/^connect failed: /, '');
  return message;
}

/** A TCP connection from this machine, ended when the signal aborts before it connects. */
export const directOpener: StreamOpener = ({ host, port }, signal) =>
  new Promise<Duplex>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const socket = net.connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
  });
