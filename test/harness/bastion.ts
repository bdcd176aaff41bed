// A real sshd host to reach databases through (`via: HOST`), and the tunnel factory the app builds
// from a host's connection: at its core one ssh2 forwardOut per database connection.
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import type { TunnelFactory } from '../../src/services/db/index.js';
import { ensureTestUser, SshdHost, Workspace } from './sshd.js';

export interface Bastion {
  tunnel: TunnelFactory;
  /** Each host:port a tunnel was opened to, in order. */
  forwarded: string[];
  stop(): Promise<void>;
}

export async function startBastion(): Promise<Bastion> {
  const user = await ensureTestUser();
  const workspace = await Workspace.create();
  const host = await SshdHost.start(workspace, 'bastion');
  const client = new Client();
  const expected = Buffer.from(host.hostPub.split(' ')[1]!, 'base64');
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({ host: '127.0.0.1', port: host.port, username: user.name, privateKey: readFileSync(workspace.clientKey), hostVerifier: (key: Buffer) => key.equals(expected) });
  });
  const forwarded: string[] = [];
  return {
    forwarded,
    tunnel: ({ host: to, port }) =>
      new Promise((resolve, reject) => {
        forwarded.push(`${to}:${port}`);
        client.forwardOut('127.0.0.1', 0, to, port, (error, channel) => (error ? reject(error) : resolve(channel)));
      }),
    async stop() {
      client.end();
      await host.stop();
      await workspace.cleanup();
    },
  };
}
