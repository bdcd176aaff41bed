// Loopback ports for the servers the tests start: one picked free, and a server process started on
// one, which may be taken by someone else between the pick and the server's bind.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A port nothing listens on at this moment (the kernel's pick for port 0, released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether process `pid` holds the listening socket of 127.0.0.1:port (read from /proc/net/tcp and its fds). */
async function listensOn(pid: number, port: number): Promise<boolean> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set(
    (await readFile('/proc/net/tcp', 'utf8'))
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      // sl local_address rem_address st(0A: LISTEN) ... inode
      .filter((fields) => fields[1] === local && fields[3] === '0A')
      .map((fields) => `socket:[${fields[9]}]`),
  );
  if (inodes.size === 0) return false;
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return true;
    }
  } catch {
    // The process is gone.
  }
  return false;
}

export interface ListeningChild {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

/**
 * Spawns `start(port)` on a free port and waits until that very process listens there: a server that
 * lost the port exits (and something else may be answering on it), so it is started again on another
 * port, up to three times. `describe` says why a child that exited did, for the error.
 */
export async function spawnListening(what: string, start: (port: number) => ChildProcess, describe: () => string = () => '', timeoutMs = 30_000): Promise<ListeningChild> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = start(port);
    let ended = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => (ended = true));
    const until = Date.now() + timeoutMs;
    while (!ended && Date.now() < until && !(child.pid !== undefined && (await listensOn(child.pid, port)))) await new Promise((resolve) => setTimeout(resolve, 50));
    if (!ended && Date.now() < until) return { child, port, exited };
    if (!ended) {
      child.kill('SIGKILL');
      throw new Error(`${what} on port ${port} did not listen within ${timeoutMs} ms${describe() ? `:\n${describe()}` : ''}`);
    }
    failures.push(`port ${port}: exited with ${child.exitCode ?? child.signalCode}${describe() ? `:\n${describe()}` : ''}`);
  }
  throw new Error(`${what} did not start:\n${failures.join('\n')}`);
}
