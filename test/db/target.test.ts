// Reading a databases: entry: URL or host form, sockets, TLS, passwords; never showing a secret.
import { describe, expect, it } from 'vitest';
import { describeTarget, resolveTarget } from '../../src/services/db/index.js';
import { configuredPassword, parseMyCnf } from '../../src/services/db/target.js';

describe('resolveTarget', () => {
  it('reads a URL with user, password, port and database, and never shows the password', () => {
    const t = resolveTarget({ postgres: 'postgresql://app:s%40cret@db1.internal:5433/orders?sslmode=verify-full' });
    expect(t).toMatchObject({ kind: 'postgres', host: 'db1.internal', port: 5433, user: 'app', urlPassword: 's@cret', database: 'orders', tls: {} });
    expect(describeTarget(t)).toBe('postgres://app@db1.internal:5433/orders');
  });

  it('takes a bare host or host:port with user/port/database keys (the host form)', () => {
    expect(resolveTarget({ mysql: 'db2', user: 'monitor', port: 3307, database: 'shop' })).toMatchObject({ host: 'db2', port: 3307, user: 'monitor', database: 'shop' });
    expect(resolveTarget({ redis: 'cache1:6380', database: 3 })).toMatchObject({ host: 'cache1', port: 6380, database: '3' });
    expect(resolveTarget({ redis: '[::1]:6380' })).toMatchObject({ host: '::1', port: 6380 });
    expect(describeTarget(resolveTarget({ redis: '[::1]:6380' }))).toBe('redis://[::1]:6380');
  });

  it('reads unix sockets: a path, ?socket= or PostgreSQL\'s ?host=/dir', () => {
    expect(resolveTarget({ mysql: '/run/mysqld/mysqld.sock' }).socket).toBe('/run/mysqld/mysqld.sock');
    expect(resolveTarget({ postgres: 'postgres:///postgres?host=/var/run/postgresql', user: 'me' })).toMatchObject({ socket: '/var/run/postgresql', database: 'postgres' });
    expect(describeTarget(resolveTarget({ postgres: 'postgres:///postgres?host=/var/run/postgresql', user: 'me' }))).toBe('postgres://me@unix(/var/run/postgresql)/postgres');
    expect(resolveTarget({ redis: 'redis://localhost?socket=/run/redis/redis.sock' }).socket).toBe('/run/redis/redis.sock');
  });

  it('turns on TLS from rediss://, sslmode, ?ssl=true or tls:, and tls: false turns it off', () => {
    expect(resolveTarget({ redis: 'rediss://cache:6380' }).tls).toEqual({});
    expect(resolveTarget({ postgres: 'postgres://h/db?sslmode=require' }).tls).toEqual({ verify: false });
    expect(resolveTarget({ postgres: 'postgres://h/db?sslmode=disable' }).tls).toBeUndefined();
    expect(resolveTarget({ mysql: 'mysql://h?ssl=true' }).tls).toEqual({});
    expect(resolveTarget({ mysql: 'h', tls: { ca: '/etc/ssl/ca.pem', servername: 'db.example' } }).tls).toEqual({ ca: '/etc/ssl/ca.pem', servername: 'db.example' });
    expect(resolveTarget({ redis: 'rediss://cache', tls: false }).tls).toBeUndefined();
    expect(describeTarget(resolveTarget({ redis: 'rediss://cache' }))).toBe('rediss://cache:6379');
  });

  it('names the via host and refuses a socket through it', () => {
    expect(describeTarget(resolveTarget({ postgres: 'postgres://app@10.0.0.5/app', via: 'bastion' }))).toBe('postgres://app@10.0.0.5:5432/app via bastion');
    expect(() => resolveTarget({ mysql: '/run/mysqld/mysqld.sock', via: 'bastion' })).toThrow(/unix socket cannot be reached through via: bastion/);
  });

  it('rejects a mismatched scheme, a bad port and a non-numeric Redis database with what was expected', () => {
    expect(() => resolveTarget({ postgres: 'mysql://h' })).toThrow('postgres: URL scheme mysql:// does not match');
    expect(() => resolveTarget({ mysql: 'h', port: 70000 })).toThrow('port 70000 out of range');
    expect(() => resolveTarget({ redis: 'redis://h/cache' })).toThrow('redis: database must be a number');
  });
});

describe('passwords', () => {
  it('comes from passwordEnv first, then the URL; a missing variable is named', () => {
    expect(configuredPassword(resolveTarget({ postgres: 'postgres://a:url@h/db', passwordEnv: 'PW' }), { PW: 'env' })).toBe('env');
    expect(configuredPassword(resolveTarget({ postgres: 'postgres://a:url@h/db' }), {})).toBe('url');
    expect(configuredPassword(resolveTarget({ postgres: 'postgres://a@h/db' }), {})).toBeUndefined();
    expect(() => configuredPassword(resolveTarget({ redis: 'h', passwordEnv: 'NOPE' }), {})).toThrow('NOPE is not set');
  });

  it('reads the client groups of ~/.my.cnf, quoted values and comments included', () => {
    const cnf = parseMyCnf(['# opsdeck', '[mysqld]', 'user = mysql', '[client]', 'user = monitor', "password = 'p#ss word'", 'port=3307 # alt', '!includedir /etc/mysql/conf.d/', '[mysqldump]', 'password = other'].join('\n'));
    expect(cnf).toEqual({ user: 'monitor', password: 'p#ss word', port: 3307 });
  });
});
