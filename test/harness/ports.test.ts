// The harness's servers on ports picked free: one whose port was taken meanwhile is started again on
// another, and whatever else listens on the taken port is never mistaken for it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { spawnListening } from './ports.js';

it('starts a server again on another port when its port was taken, and waits for that server itself', async () => {
  // Another process got the port first, and answers on it.
  const squatter = createServer().listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  const taken = (squatter.address() as { port: number }).port;
  const ports: number[] = [];
  let output = '';
  const { child, port, exited } = await spawnListening('redis-server', (free) => {
    ports.push(ports.length === 0 ? taken : free);
    const server = spawn('redis-server', ['--port', String(ports.at(-1)), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return server;
  });
  try {
    expect(ports).toEqual([taken, port]);
    expect(output).toMatch(/Address already in use/);
  } finally {
    child.kill();
    await exited;
    squatter.close();
  }
});
