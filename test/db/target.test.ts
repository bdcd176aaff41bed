// Reading a databases: entry: URL or host form, sockets, TLS, passwords; never showing a secret.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('the clients\' own conventions (PG*, pg_service.conf, MYSQL_*, REDISCLI_AUTH)', () => {
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-conv-'));
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  };

  it('fills what an entry leaves out from PGHOST, PGPORT, PGDATABASE and PGUSER; what the entry says wins', () => {
    const env = { PGHOST: 'db9.internal', PGPORT: '6543', PGDATABASE: 'orders', PGUSER: 'monitor' };
    expect(describeTarget(resolveTarget({ postgres: 'postgres://' }, env))).toBe('postgres://monitor@db9.internal:6543/orders');
    expect(describeTarget(resolveTarget({ postgres: 'db1' }, env))).toBe('postgres://monitor@db1:6543/orders');
    expect(describeTarget(resolveTarget({ postgres: 'postgres://app@db1:5432/app' }, env))).toBe('postgres://app@db1:5432/app');
    expect(describeTarget(resolveTarget({ postgres: 'postgres://', user: 'me', port: 5433, database: 'x' }, env))).toBe('postgres://me@db9.internal:5433/x');
    // PGHOST may name a socket directory, as for psql.
    expect(describeTarget(resolveTarget({ postgres: 'postgres://' }, { PGHOST: '/run/postgresql', PGUSER: 'u' }))).toBe('postgres://u@unix(/run/postgresql)/postgres');
  });

  it('names the variable when it cannot be used', () => {
    expect(() => resolveTarget({ postgres: 'postgres://' }, { PGPORT: 'five' })).toThrow('PGPORT="five" is not a port (1-65535)');
    expect(() => resolveTarget({ mysql: 'mysql://' }, { MYSQL_TCP_PORT: '99999' })).toThrow('MYSQL_TCP_PORT="99999" is not a port');
    expect(() => resolveTarget({ postgres: 'postgres://' }, { PGHOST: 'a,b' })).toThrow('PGHOST="a,b" lists several hosts');
  });

  it('reads a service from $PGSERVICEFILE or ~/.pg_service.conf, then $PGSYSCONFDIR, below the entry and above PG* variables', () => {
    const h = home();
    try {
      writeFileSync(join(h.dir, '.pg_service.conf'), ['# mine', '[reports]', 'host=db-reports', 'port=5440', 'dbname=reports', 'user=reader', 'password=s3cret', 'sslmode=verify-full', ''].join('\n'));
      mkdirSync(join(h.dir, 'etc'));
      writeFileSync(join(h.dir, 'etc', 'pg_service.conf'), ['[shared]', 'host=/var/run/postgresql', 'port=5433', '[reports]', 'host=not-this-one', ''].join('\n'));
      const env = { HOME: h.dir, PGSYSCONFDIR: join(h.dir, 'etc'), PGDATABASE: 'ignored', PGHOST: 'ignored' };
      const viaEnv = resolveTarget({ postgres: 'postgres://' }, { ...env, PGSERVICE: 'reports' });
      expect(describeTarget(viaEnv)).toBe('postgres://reader@db-reports:5440/reports');
      expect(viaEnv.tls).toEqual({});
      expect(configuredPassword(viaEnv, { PGPASSWORD: 'second' })).toBe('s3cret');
      expect(resolveTarget({ postgres: 'postgres://?service=shared', user: 'u' }, env)).toMatchObject({ socket: '/var/run/postgresql', port: 5433, user: 'u', database: 'ignored' });
      expect(describeTarget(resolveTarget({ postgres: 'postgres://other:5999/db?service=reports' }, env))).toBe('postgres://reader@other:5999/db');
      const elsewhere = join(h.dir, 'elsewhere.conf');
      writeFileSync(elsewhere, '[reports]\nhost=db-other\n');
      expect(resolveTarget({ postgres: 'postgres://?service=reports' }, { ...env, PGSERVICEFILE: elsewhere }).host).toBe('db-other');
      expect(() => resolveTarget({ postgres: 'postgres://' }, { ...env, PGSERVICE: 'nope' })).toThrow(`postgres: service "nope" is not defined`);
    } finally {
      h.remove();
    }
  });

  it('takes PGPASSWORD for PostgreSQL and REDISCLI_AUTH for Redis after passwordEnv and the URL; MYSQL_PWD is not read', () => {
    expect(configuredPassword(resolveTarget({ postgres: 'h' }, {}), { PGPASSWORD: 'pg' })).toBe('pg');
    expect(configuredPassword(resolveTarget({ postgres: 'postgres://a:url@h/db' }, {}), { PGPASSWORD: 'pg' })).toBe('url');
    expect(configuredPassword(resolveTarget({ redis: 'h' }, {}), { REDISCLI_AUTH: 'rd' })).toBe('rd');
    expect(configuredPassword(resolveTarget({ redis: 'h', passwordEnv: 'PW' }, {}), { REDISCLI_AUTH: 'rd', PW: 'mine' })).toBe('mine');
    expect(configuredPassword(resolveTarget({ mysql: 'h' }, {}), { MYSQL_PWD: 'my' })).toBeUndefined();
    expect(configuredPassword(resolveTarget({ mysql: 'h', passwordEnv: 'MYSQL_PWD' }, {}), { MYSQL_PWD: 'my' })).toBe('my');
  });

  it('fills a MySQL entry from MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_UNIX_PORT', () => {
    expect(describeTarget(resolveTarget({ mysql: 'mysql://', user: 'monitor' }, { MYSQL_HOST: 'db7', MYSQL_TCP_PORT: '3307' }))).toBe('mysql://monitor@db7:3307');
    expect(describeTarget(resolveTarget({ mysql: 'db1' }, { MYSQL_TCP_PORT: '3307' }))).toBe('mysql://db1:3307');
    expect(resolveTarget({ mysql: 'mysql://' }, { MYSQL_UNIX_PORT: '/tmp/my.sock' }).socket).toBe('/tmp/my.sock');
  });
});
