// Hosts whose sshd allows one cipher or MAC only: opsdeck's ssh2 is patched to hand Node a key
// object made once per connection instead of the key's bytes per packet (patches/ssh2+*.patch),
// so each of the ciphers and MACs it can agree on must still carry a command and its output.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testConnection } from '../harness/hosts.js';
import { ensureTestUser, SshdHost, Workspace } from '../harness/sshd.js';

const ALLOWED = [
  ['aes128-gcm@openssh.com', []],
  ['aes256-gcm@openssh.com', []],
  ['chacha20-poly1305@openssh.com', []],
  ['aes128-ctr', ['MACs hmac-sha2-256']],
  ['aes256-ctr', ['MACs hmac-sha2-512-etm@openssh.com']],
] as const;

let workspace: Workspace;
const hosts: SshdHost[] = [];

beforeAll(async () => {
  const user = await ensureTestUser();
  workspace = await Workspace.create();
  for (const [cipher, extra] of ALLOWED) {
    const host = await SshdHost.start(workspace, cipher.replace(/[@.]/g, '-'), { extra: [`Ciphers ${cipher}`, ...extra] });
    await workspace.trust(host);
    hosts.push(host);
  }
  await workspace.writeSshConfig(hosts.map((host, i) => ({ alias: `only-${i}`, port: host.port, user: user.name })));
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await workspace?.cleanup();
});

describe('a host that allows one cipher', () => {
  test.each(ALLOWED.map(([cipher, extra], i) => ({ name: [cipher, ...extra].join(', '), i })))('$name: a command and 200 KiB of its output arrive intact', async ({ i }) => {
    const connection = testConnection(workspace.sshConfig, workspace.dir, `only-${i}`);
    try {
      // Many packets each way, and stderr beside stdout: every packet is sealed and opened with the key.
      const result = await connection.exec('head -c 204800 /dev/zero | tr "\\0" a; echo warn >&2; exit 4', AbortSignal.timeout(15_000));
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('a'.repeat(204_800));
      expect(result.stderr).toBe('warn\n');
      expect((await connection.exec('echo second', AbortSignal.timeout(15_000))).stdout).toBe('second\n');
    } finally {
      connection.close();
    }
  });
});
