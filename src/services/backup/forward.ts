// A database reached with `via: HOST`, for the client programs a backup runs: they cannot use
// opsdeck's SSH connection, so each of their connections to a unix socket in a fresh 0700 directory
// (only this user can reach it, unlike a TCP port any local user could) becomes one forwarded channel
// to the server as the SSH host sees it.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TunnelFactory } from '../db/source.js';
import type { ConnectionTarget } from '../db/target.js';
import { BackupError } from './process.js';

export interface Forward {
  /** The same server, reached through the socket. */
  target: ConnectionTarget;
  close(): Promise<void>;
}

export async function forwardToSocket(target: ConnectionTarget, tunnel: TunnelFactory, signal: AbortSignal): Promise<Forward> {
  if (target.tls) throw new BackupError(`${target.kind}: TLS through via: ${target.via} is not supported for backups (the clients reach the server through a local socket)`);
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-via-'));
  // libpq finds a server socket by its directory and port; MySQL and Redis take the path.
  const path = join(dir, target.kind === 'postgres' ? `.s.PGSQL.${target.port}` : `${target.kind}.sock`);
  const open = new Set<net.Socket>();
  const server = net.createServer((local) => {
    open.add(local);
    local.on('close', () => open.delete(local));
    local.on('error', () => local.destroy());
    tunnel({ host: target.host, port: target.port }, signal).then(
      (remote) => {
        remote.on('error', () => local.destroy());
        local.on('close', () => remote.destroy());
        remote.on('close', () => local.destroy());
        local.pipe(remote).pipe(local);
      },
      () => local.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    target: { ...target, host: '', socket: target.kind === 'postgres' ? dir : path, via: undefined },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
