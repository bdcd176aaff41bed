// TLS to the database: a Redis of the test's own serving TLS with a throwaway CA, and the shared
// PostgreSQL and MariaDB (which offer none) asked for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseSource, type DatabaseSource, type RedisSample } from '../../src/services/db/index.js';
import { makeCertificates, myUrl, pgUrl, startRedis, tick, type Certificates, type PrivateRedis } from './harness.js';

const sources: DatabaseSource[] = [];
const open = (...args: Parameters<typeof createDatabaseSource>) => {
  const source = createDatabaseSource(...args);
  sources.push(source);
  return source;
};

describe('TLS', () => {
  let certs: Certificates & { remove(): void };
  let server: PrivateRedis;

  beforeAll(async () => {
    certs = await makeCertificates();
    server = await startRedis([], { tls: certs });
  });

  afterAll(async () => {
    for (const s of sources) await s.close();
    await server?.stop();
    certs?.remove();
  });

  it('connects with rediss:// and tls.ca, verifying the server certificate', async () => {
    const source = open('secure', { redis: `rediss://127.0.0.1:${server.port}`, tls: { ca: certs.ca } });
    expect(source.target).toBe(`rediss://127.0.0.1:${server.port}`);
    expect((await tick<RedisSample>(source)).version).toMatch(/^7\./);
  });

  it('refuses a certificate from an unknown CA, saying which setting to change', async () => {
    const source = open('unknown-ca', { redis: `rediss://127.0.0.1:${server.port}` });
    await expect(tick(source)).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`^TLS: .*(self-signed|unable to get local issuer).* \\(127\\.0\\.0\\.1:${server.port}\\)$`)),
      hint: expect.stringContaining('tls.ca'),
    });
  });

  it('refuses a certificate for another name, and accepts any with verify: false', async () => {
    const wrongName = open('wrong-name', { redis: `rediss://127.0.0.1:${server.port}`, tls: { ca: certs.ca, servername: 'db.example.org' } });
    await expect(tick(wrongName)).rejects.toThrow(/TLS: .*db\.example\.org/);
    const unverified = open('unverified', { redis: `rediss://127.0.0.1:${server.port}`, tls: { verify: false } });
    expect((await tick(unverified)).kind).toBe('redis');
  });

  it('names a CA file it cannot read', async () => {
    const source = open('missing-ca', { redis: `rediss://127.0.0.1:${server.port}`, tls: { ca: '/nonexistent/ca.pem' } });
    await expect(tick(source)).rejects.toThrow('cannot read tls.ca /nonexistent/ca.pem: ENOENT');
  });

  it('says so when PostgreSQL or MariaDB offers no TLS', async () => {
    await expect(tick(open('pg-tls', { postgres: pgUrl(), tls: true }))).rejects.toThrow('the server does not offer TLS (127.0.0.1:5432)');
    await expect(tick(open('my-tls', { mysql: myUrl(), tls: true }))).rejects.toThrow('the server does not offer TLS (127.0.0.1:3306)');
  });
});
