import { describe, expect, it } from 'vitest';
import { classify, levelOf } from '../../src/domain/log-level.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';

function snapshot(buffer: LogBuffer) {
  const lines = buffer.takeSnapshot();
  if (!lines) throw new Error('expected a snapshot');
  return [...lines];
}

describe('LogBuffer', () => {
  it('collapses identical consecutive lines into one with a count and the latest time', () => {
    const buffer = new LogBuffer(100, 2000);
    buffer.append('upstream timed out', 1000);
    buffer.append('upstream timed out', 2000);
    buffer.append('upstream timed out', 3000);
    const lines = snapshot(buffer);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ text: 'upstream timed out', count: 3, at: 3000 });
  });

  it('does not collapse identical lines that are not consecutive', () => {
    const buffer = new LogBuffer(100, 2000);
    for (const text of ['a', 'b', 'a']) buffer.append(text);
    expect(snapshot(buffer).map((l) => [l.text, l.count])).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 1],
    ]);
  });

  it('collapses lines that only differ in escape sequences (compared as shown)', () => {
    const buffer = new LogBuffer(100, 2000);
    buffer.append('\u001b[31mdisk full\u001b[0m');
    buffer.append('disk full');
    const lines = snapshot(buffer);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.count).toBe(2);
  });

  it('never collapses a marker, and a line after a marker starts a new entry', () => {
    const buffer = new LogBuffer(100, 2000);
    buffer.append('tick');
    buffer.mark('--- file rotated ---');
    buffer.mark('--- file rotated ---');
    buffer.append('--- file rotated ---');
    buffer.append('tick');
    const lines = snapshot(buffer);
    expect(lines.map((l) => [levelOf(l), l.text, l.count])).toEqual([
      ['info', 'tick', 1],
      ['marker', '--- file rotated ---', 1],
      ['marker', '--- file rotated ---', 1],
      ['info', '--- file rotated ---', 1],
      ['info', 'tick', 1],
    ]);
  });

  it('keeps at most `capacity` lines, dropping the oldest', () => {
    const buffer = new LogBuffer(3, 2000);
    for (let i = 1; i <= 5; i++) buffer.append(`line ${i}`);
    expect(buffer.size).toBe(3);
    expect(snapshot(buffer).map((l) => l.text)).toEqual(['line 3', 'line 4', 'line 5']);
  });

  it('repeats collapsed into one entry take one slot of capacity', () => {
    const buffer = new LogBuffer(2, 2000);
    buffer.append('first');
    for (let i = 0; i < 50; i++) buffer.append('spam');
    expect(snapshot(buffer).map((l) => [l.text, l.count])).toEqual([
      ['first', 1],
      ['spam', 50],
    ]);
  });

  it('takeSnapshot is undefined until something changes', () => {
    const buffer = new LogBuffer(10, 2000);
    expect(buffer.takeSnapshot()).toBeUndefined();
    buffer.append('x');
    expect(buffer.takeSnapshot()).toHaveLength(1);
    expect(buffer.takeSnapshot()).toBeUndefined();
    buffer.append('x');
    expect(buffer.takeSnapshot()?.at(0)?.count).toBe(2);
    buffer.mark('reconnected');
    expect(buffer.takeSnapshot()).toHaveLength(2);
    expect(buffer.takeSnapshot()).toBeUndefined();
  });

  it('a snapshot handed out keeps its lines until the next one, though more lines come meanwhile', () => {
    const buffer = new LogBuffer(4, 2000);
    for (const text of ['a', 'b', 'c', 'd']) buffer.append(text);
    const first = buffer.takeSnapshot()!;
    buffer.append('e');
    buffer.append('f');
    expect([...first].map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(snapshot(buffer).map((l) => l.text)).toEqual(['c', 'd', 'e', 'f']);
  });

  it('without a snapshot for half its capacity more, the oldest lines go: a window then has only what is left', () => {
    const buffer = new LogBuffer(4, 2000);
    for (const text of ['a', 'b', 'c', 'd']) buffer.append(text);
    const first = buffer.takeSnapshot()!;
    for (const text of ['e', 'f', 'g']) buffer.append(text);
    expect(first).toHaveLength(3);
    expect(first.at(0)?.text).toBe('b');
    expect([...first].map((l) => l.text)).toEqual(['b', 'c', 'd']);
    expect(snapshot(buffer).map((l) => l.text)).toEqual(['d', 'e', 'f', 'g']);
  });

  it('a window kept apart (a paused screen) holds its lines, numbers and counts while the buffer runs far past them', () => {
    const buffer = new LogBuffer(4, 2000);
    for (const text of ['a', 'b', 'b', 'c']) buffer.append(text);
    const window = buffer.takeSnapshot()!;
    const kept = window.detached!();
    const before = [...kept].map((l) => [l.seq, l.text, l.count]);
    for (let i = 0; i < 100; i++) buffer.append(`later ${i}`);
    expect(before.map(([, text, count]) => [text, count])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
    ]);
    expect([...kept].map((l) => [l.seq, l.text, l.count])).toEqual(before);
    expect(kept.seqAt!(1)).toBe(before[1]![0]);
    expect(window).toHaveLength(0);
  });

  it('a window whose lines have all gone since is empty, not of a negative length', () => {
    const buffer = new LogBuffer(4, 2000);
    buffer.append('a');
    buffer.append('b');
    const first = buffer.takeSnapshot()!;
    for (let i = 0; i < 10; i++) buffer.append(`later ${i}`);
    expect(first).toHaveLength(0);
    expect(first.at(0)).toBeUndefined();
    expect([...first]).toEqual([]);
  });

  it('keeps lines of every length through many turns of its ring, blank ones included', () => {
    const buffer = new LogBuffer(50, 2000);
    const texts: string[] = [];
    // Lengths 0..299 in a fixed order, so the ring wraps, grows and leaves room at its end.
    for (let i = 0; i < 5000; i++) {
      const text = i % 7 === 0 ? '' : `${i} ${'x'.repeat((i * 37) % 300)}`;
      texts.push(text);
      buffer.append(text);
      if (i % 613 === 0) buffer.takeSnapshot();
    }
    expect(snapshot(buffer).map((l) => l.text)).toEqual(texts.slice(-50));
  });

  it('keeps every line its own text after a run of blank markers was all it held', () => {
    const buffer = new LogBuffer(100, 2000);
    buffer.append('x'.repeat(300));
    // A hundred blank notes from the follower (its stderr): every line kept has no bytes.
    for (let i = 0; i < 100; i++) buffer.mark('');
    buffer.takeSnapshot();
    const texts = [`first ${'z'.repeat(494)}`];
    for (let i = 0; i < 40; i++) texts.push(`${String(i).padStart(3, '0')} ${'y'.repeat(196)}`);
    for (const text of texts) buffer.append(text);
    expect(snapshot(buffer).map((l) => l.text)).toEqual([...Array<string>(59).fill(''), ...texts]);
  });

  it('takes a line as bytes: printable ASCII as it is, anything else as its sanitized text', () => {
    const buffer = new LogBuffer(10, 40);
    const add = (text: string) => {
      const bytes = Buffer.from(`>>${text}<<`);
      buffer.appendBytes(bytes, 2, bytes.length - 2);
    };
    add('GET /health 200');
    add('起動完了 ✓');
    add('\u001b[31mred\u001b[0m\tcell');
    add('z'.repeat(60));
    expect(snapshot(buffer).map((l) => l.text)).toEqual(['GET /health 200', '起動完了 ✓', 'red    cell', `${'z'.repeat(40)}…[+20 chars]`]);
  });

  it('a line that comes as bytes and again as text is one line, counted twice', () => {
    const buffer = new LogBuffer(10, 2000);
    const bytes = Buffer.from('upstream timed out');
    buffer.appendBytes(bytes, 0, bytes.length);
    buffer.append('upstream timed out');
    expect(snapshot(buffer).map((l) => [l.text, l.count])).toEqual([['upstream timed out', 2]]);
  });

  it('sanitizes what it stores and cuts long lines at its width', () => {
    const buffer = new LogBuffer(10, 100);
    buffer.append(`\u001b]0;pwned\u0007${'y'.repeat(150)}`);
    const [line] = snapshot(buffer);
    expect(line!.text).toBe(`${'y'.repeat(100)}…[+50 chars]`);
  });

  it('numbers lines in arrival order across buffers, so merged sources sort by seq', () => {
    const nginx = new LogBuffer(10, 2000);
    const app = new LogBuffer(10, 2000);
    nginx.append('n1');
    app.append('a1');
    nginx.append('n2');
    app.mark('a-mark');
    const all = [...snapshot(nginx), ...snapshot(app)].sort((x, y) => x.seq - y.seq).map((l) => l.text);
    expect(all).toEqual(['n1', 'a1', 'n2', 'a-mark']);
  });

  it('stamps each line with the host and log it came from, when told them', () => {
    const buffer = new LogBuffer(10, 2000, { host: 'web-1', source: 'nginx' });
    buffer.append('GET / 200');
    buffer.mark('--- file rotated ---');
    expect(snapshot(buffer).map((l) => [l.host, l.source, l.text])).toEqual([
      ['web-1', 'nginx', 'GET / 200'],
      ['web-1', 'nginx', '--- file rotated ---'],
    ]);
  });

  it('a burst larger than the window keeps the newest lines, numbered and classified', () => {
    const buffer = new LogBuffer(3, 2000);
    for (let i = 1; i <= 1000; i++) buffer.append(i === 999 ? `line ${i} ERROR` : `line ${i}`);
    const lines = snapshot(buffer);
    expect(lines.map((l) => [l.text, levelOf(l)])).toEqual([
      ['line 998', 'info'],
      ['line 999 ERROR', 'error'],
      ['line 1000', 'info'],
    ]);
    expect(lines[1]!.seq - lines[0]!.seq).toBe(1);
  });

  it('classifies the stored line', () => {
    const buffer = new LogBuffer(10, 2000);
    buffer.append('2026/11/23 11:49:31 [error] 1234#1234: *1 connect() failed');
    buffer.append('WARN pool nearly exhausted');
    buffer.append('GET /health 200');
    expect(snapshot(buffer).map((l) => levelOf(l))).toEqual(['error', 'warn', 'info']);
  });
});

describe('classify', () => {
  describe('nginx error log', () => {
    it.each([
      ['2026/11/23 11:49:31 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.7, server: garden-dx.example.com, request: "GET /api/health HTTP/1.1", upstream: "http://127.0.0.1:8000/api/health"', 'error'],
      ['2026/11/23 11:49:35 [crit] 1234#1234: *5690 SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking', 'error'],
      ['2026/11/23 11:40:00 [emerg] 998#998: bind() to 0.0.0.0:80 failed (98: Address already in use)', 'error'],
      ['2026/11/23 11:41:00 [alert] 998#998: worker process 1001 exited on signal 9', 'error'],
      ['2026/11/23 11:50:02 [warn] 1234#1234: *5679 an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000001 while reading upstream', 'warn'],
      ['2026/11/23 11:30:00 [notice] 1#1: signal process started', 'info'],
    ])('%s -> %s', (line, level) => {
      expect(classify(line)).toBe(level);
    });
  });

  describe('Python / FastAPI / gunicorn', () => {
    it('a traceback header is an error', () => {
      expect(classify('Traceback (most recent call last):')).toBe('error');
    });

    it('uvicorn and gunicorn error and warning lines', () => {
      expect(classify('ERROR:    Exception in ASGI application')).toBe('error');
      expect(classify('[2026-11-23 11:49:31 +0000] [1234] [CRITICAL] WORKER TIMEOUT (pid:1240)')).toBe('error');
      expect(classify('[2026-11-23 11:49:31 +0000] [1234] [ERROR] Worker (pid:1240) was sent SIGKILL! Perhaps out of memory?')).toBe('error');
      expect(classify('WARNING:  Invalid HTTP request received.')).toBe('warn');
      expect(classify('INFO:     Application startup complete.')).toBe('info');
      expect(classify('DeprecationWarning: datetime.utcnow() is deprecated')).toBe('warn');
    });

    it("the exception line that ends a traceback is an error (ValueError, psycopg2's OperationalError)", () => {
      expect(classify("ValueError: invalid literal for int() with base 10: 'abc'")).toBe('error');
      expect(classify('psycopg2.OperationalError: could not connect to server: Connection refused')).toBe('error');
    });
  });

  describe('level words', () => {
    it('WARN, WARNING and warning in any case are warnings', () => {
      expect(classify('2026-11-23T11:49:31Z WARN  [main] pool nearly exhausted (95/100)')).toBe('warn');
      expect(classify('WARNING: Sponsor wallet balance is 7 SUI')).toBe('warn');
      expect(classify('disk usage warning on /var/lib/postgresql')).toBe('warn');
    });

    it('ERROR, FATAL, CRITICAL and panic are errors; error beats warn on one line', () => {
      expect(classify('CRITICAL: CPU usage is 91%')).toBe('error');
      expect(classify('FATAL:  password authentication failed for user "monitor"')).toBe('error');
      expect(classify('panic: runtime error: invalid memory address')).toBe('error');
      expect(classify('WARN retry failed with ERROR')).toBe('error');
    });

    it('words that merely contain a level word are not levels', () => {
      expect(classify('GET /static/terrors.css 200')).toBe('info');
      expect(classify('stderr redirected to /var/log/garden-dx/app.log')).toBe('info');
      expect(classify('user forewarned=true')).toBe('info');
    });
  });

  describe('access logs', () => {
    it('a 502 response is an error', () => {
      expect(classify('10.0.0.7 - - [23/Nov/2026:11:49:31 +0000] "GET /api/estimates HTTP/1.1" 502 157 "-" "Mozilla/5.0"')).toBe('error');
      expect(classify('10.0.0.7 - - [23/Nov/2026:11:49:32 +0000] "POST /api/login HTTP/1.1" 503 0 "-" "curl/8.5.0"')).toBe('error');
    });

    it('2xx and 4xx responses are not errors', () => {
      expect(classify('10.0.0.7 - - [23/Nov/2026:11:49:31 +0000] "GET /api/health HTTP/1.1" 200 17 "-" "curl/8.5.0"')).toBe('info');
      expect(classify('10.0.0.9 - - [23/Nov/2026:11:49:31 +0000] "GET /wp-login.php HTTP/1.1" 404 153 "-" "Mozilla/5.0"')).toBe('info');
    });

    it('a 200 response whose body happens to be 5xx bytes long is not an error', () => {
      expect(classify('10.0.0.7 - - [23/Nov/2026:11:49:31 +0000] "GET /static/logo.svg HTTP/1.1" 200 512 "-" "Mozilla/5.0"')).toBe('info');
    });
  });
});
