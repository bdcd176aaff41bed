// The access-log parser on lines captured from real nginx 1.22 and Apache 2.4 (test/fixtures/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAccessLine, parseCommonLogTime, requestPath } from '../../../src/domain/access-log.js';

const lines = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
const AT = Date.UTC(2026, 11, 1, 2, 26, 25);

describe('combined log format (nginx and Apache)', () => {
  it('reads every line nginx wrote: status, path without its query, client and time', () => {
    const parsed = lines('nginx-access-combined.log').map((line) => parseAccessLine('nginx', line));
    expect(parsed.map((r) => r?.status)).toEqual([200, 200, 404, 502, 503, 301, 429, 200, 200, 200, 200, 400, 400]);
    expect(parsed.map((r) => r?.path)).toEqual(['/', '/api/orders', '/missing', '/boom', '/down', '/moved', '/limited', '/search', '/api/login', '/quote\\x22in\\x22path', '/raw', '-', '-']);
    expect(parsed.every((r) => r?.client === '127.0.0.1' && r.at === AT)).toBe(true);
  });

  it('reads Apache\'s lines, where a quote in the request is escaped as \\"', () => {
    const parsed = lines('apache-access-combined.log').map((line) => parseAccessLine('apache', line));
    expect(parsed.map((r) => r?.status)).toEqual([200, 200, 404, 301, 410, 404, 200, 404, 404, 400]);
    expect(parsed[7]).toEqual({ status: 404, path: '/quote\\"in\\"path', client: '127.0.0.1', at: Date.UTC(2026, 11, 1, 2, 26, 36) });
    expect(parsed[9]?.path).toBe('-');
  });

  it('is not fooled by a line of another log, or by a status inside the request', () => {
    expect(parseAccessLine('nginx', '2026/12/01 02:26:20 [error] 1234#1234: *1 open() "/srv/www/favicon.ico" failed (2: No such file or directory)')).toBeUndefined();
    expect(parseAccessLine('nginx', '10.0.0.1 - - [01/Dec/2026:02:26:20 +0000] "GET /x 500 HTTP/1.1" 200 3 "-" "-"')?.status).toBe(200);
  });

  it('takes the zone of the time into account', () => {
    expect(parseCommonLogTime('01/Dec/2026:11:26:25 +0900')).toBe(AT);
    expect(parseCommonLogTime('30/Nov/2026:21:26:25 -0500')).toBe(AT);
    expect(parseCommonLogTime('01/Foo/2026:11:26:25 +0900')).toBeUndefined();
  });

  it('finds the path of an absolute-form request and refuses what is no request', () => {
    expect(requestPath('GET http://example.com/a?b HTTP/1.1')).toBe('http://example.com/a');
    expect(requestPath('HEAD')).toBe('-');
  });
});

describe('JSON lines', () => {
  it('reads nginx\'s escape=json log_format: status, path from the request, client, ISO time', () => {
    const parsed = lines('nginx-access-json.log').map((line) => parseAccessLine('json', line));
    expect(parsed.map((r) => r?.status)).toEqual([200, 200, 404, 502, 503, 301, 429, 200, 200, 200, 200, 400, 400]);
    expect(parsed[1]).toEqual({ status: 200, path: '/api/orders', client: '127.0.0.1', at: AT });
    expect(parsed[9]?.path).toBe('/quote"in"path');
  });

  it('takes an application\'s own field names, a status as text and a time in epoch seconds', () => {
    expect(parseAccessLine('json', '{"ts":1796092785,"statusCode":"503","url":"/pay?x=1","client_ip":"10.1.2.3"}')).toEqual({ status: 503, path: '/pay', client: '10.1.2.3', at: 1796092785000 });
  });

  it('skips a JSON line without a status, and a line that is no JSON object', () => {
    expect(parseAccessLine('json', '{"level":"info","msg":"started"}')).toBeUndefined();
    expect(parseAccessLine('json', '[200]')).toBeUndefined();
    expect(parseAccessLine('json', '{"status": 200')).toBeUndefined();
  });
});
