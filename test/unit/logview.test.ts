import { describe, expect, it } from 'vitest';
import { anchorIndex, bottomAround, compileLogFilter, displayLines, jumpTo, linesOfHosts, type DisplayLine, type LogDisplay } from '../../src/app/logview.js';
import { hostView } from '../../src/app/apply.js';
import { DEFAULT_THRESHOLDS } from '../../src/app/config/resolve.js';
import { emptyData, initialUi, type DataState, type HostView, type LogView, type UiState } from '../../src/app/store.js';
import type { LogLevel, LogLine, LogLines } from '../../src/domain/model.js';
import { sourceKey, type SourceId } from '../../src/domain/source-id.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';

function line(seq: number, text: string, level: LogLevel = 'info'): LogLine {
  return { seq, at: 1_000 * seq, text, knownLevel: level, count: 1 };
}

function host(name: string, group?: string): HostView {
  return hostView({ name, local: false, ssh: name, group, services: 'auto', systemctl: 'systemctl', sudo: false, logs: 'auto', thresholds: DEFAULT_THRESHOLDS, readOnly: false });
}

function data(): DataState {
  const log = (host: string, index: number, label: string, lines: LogLine[]): [string, LogView] => {
    const id: SourceId<'logs'> = { host, kind: 'logs', name: String(index) };
    return [sourceKey(id), { id, host, label, lines }];
  };
  const logs: Record<string, LogView> = Object.fromEntries([
    log('web-1', 0, 'nginx', [line(1, 'GET /health 200'), line(4, '[error] upstream timed out', 'error'), line(6, 'GET /api 200')]),
    log('web-1', 1, 'garden-backend', [line(2, 'startup complete'), line(3, 'WARN pool 90%', 'warn'), line(7, 'Traceback (most recent call last):', 'error')]),
    log('web-2', 0, 'nginx', [line(5, 'GET /health 200 from web-2')]),
  ]);
  return {
    ...emptyData(),
    hostOrder: ['web-1', 'web-2', 'db-1'],
    hosts: { 'web-1': host('web-1', 'web'), 'web-2': host('web-2', 'web'), 'db-1': host('db-1', 'db') },
    logs,
  };
}

function ui(overrides: Partial<UiState> = {}, logs: Partial<UiState['logs']> = {}, filter = ''): UiState {
  const base = initialUi(overrides);
  return { ...base, logs: { ...base.logs, ...logs }, filters: { ...base.filters, logs: filter } };
}

describe('compileLogFilter', () => {
  it('is a case-insensitive regex', () => {
    const filter = compileLogFilter('upstream (timed out|refused)');
    expect(filter.test('[error] Upstream TIMED OUT')).toBe(true);
    expect(filter.test('upstream refused')).toBe(true);
    expect(filter.test('upstream ok')).toBe(false);
    expect(filter.error).toBeUndefined();
  });

  it('gives the same answer when asked twice about the same line', () => {
    const filter = compileLogFilter('error');
    expect([filter.test('error one'), filter.test('error one'), filter.test('error one')]).toEqual([true, true, true]);
  });

  it('a leading ! keeps the lines that do not match', () => {
    const filter = compileLogFilter('!health');
    expect(filter.test('GET /health 200')).toBe(false);
    expect(filter.test('GET /api 502')).toBe(true);
    expect(filter.highlight).toBeUndefined();
  });

  it('highlights every match of the pattern', () => {
    const filter = compileLogFilter('ab');
    expect('xAByabz'.match(filter.highlight!)).toEqual(['AB', 'ab']);
  });

  it('an invalid regex (half typed) matches literally and reports why', () => {
    const filter = compileLogFilter('connect(');
    expect(filter.error).toBeTruthy();
    expect(filter.test('connect() failed')).toBe(true);
    expect(filter.test('connection refused')).toBe(false);
    expect('a connect( b'.match(filter.highlight!)).toEqual(['connect(']);
  });

  it('an invalid regex after ! is inverted literally', () => {
    const filter = compileLogFilter('![error');
    expect(filter.error).toBeTruthy();
    expect(filter.test('[error] x')).toBe(false);
    expect(filter.test('error x')).toBe(true);
  });

  it('empty, or ! alone, keeps every line', () => {
    for (const text of ['', '!']) {
      const filter = compileLogFilter(text);
      expect(filter.test('anything')).toBe(true);
      expect(filter.test('')).toBe(true);
      expect(filter.error).toBeUndefined();
    }
  });
});

/** The lines as an array, to compare whole. */
const withList = (display: LogDisplay) => ({ ...display, lines: [...display.lines] });

describe('displayLines', () => {
  it("merges the selected host's sources in arrival (seq) order, naming each line's source", () => {
    const { lines, sources, shown } = withList(displayLines(data(), ui({ host: 'web-1' })));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 6, 7]);
    expect(lines.map((l) => l.source)).toEqual(['nginx', 'garden-backend', 'garden-backend', 'nginx', 'nginx', 'garden-backend']);
    expect(lines.every((l) => l.host === 'web-1')).toBe(true);
    expect(sources).toHaveLength(2);
    expect(shown).toHaveLength(2);
  });

  it('shows one source when one is chosen', () => {
    const { lines, shown } = withList(displayLines(data(), ui({ host: 'web-1' }, { source: 1 })));
    expect(shown).toHaveLength(1);
    expect(new Set(lines.map((l) => l.source)).size).toBe(1);
  });

  it('falls back to every source when the chosen index is out of range', () => {
    expect(displayLines(data(), ui({ host: 'web-1' }, { source: 9 })).lines).toHaveLength(6);
  });

  it('a group view merges every host of the group', () => {
    const { lines } = withList(displayLines(data(), ui({ group: 'web' })));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(lines.find((l) => l.seq === 5)?.host).toBe('web-2');
  });

  it('applies the Logs filter', () => {
    const { lines } = withList(displayLines(data(), ui({ host: 'web-1' }, {}, 'get /')));
    expect(lines.map((l) => l.seq)).toEqual([1, 6]);
    expect([...displayLines(data(), ui({ host: 'web-1' }, {}, '!get /')).lines].map((l) => l.seq)).toEqual([2, 3, 4, 7]);
  });

  it('merges busy buffers in arrival order and finds each line in its own buffer, filtered or not', () => {
    const app = new LogBuffer(10_000, 2000, { host: 'web-1', source: 'app' });
    const nginx = new LogBuffer(10_000, 2000, { host: 'web-1', source: 'nginx' });
    for (let i = 0; i < 5000; i++) {
      app.append(`app ${i}${i % 1000 === 0 ? ' ERROR' : ''}`);
      if (i % 10 === 0) nginx.append(`nginx ${i}`);
    }
    const view = (id: SourceId<'logs'>, label: string, lines: LogLines) => ({ id, host: 'web-1', label, lines });
    const app0: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '0' };
    const nginx1: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '1' };
    const logs = { [sourceKey(app0)]: view(app0, 'app', app.takeSnapshot()!), [sourceKey(nginx1)]: view(nginx1, 'nginx', nginx.takeSnapshot()!) };
    const all = linesOfHosts(logs, ['web-1'], ui({ host: 'web-1' })).lines;
    expect(all).toHaveLength(5500);
    expect([all.at(0), all.at(1), all.at(2), all.at(-1)].map((l) => `${l?.source}: ${l?.text}`)).toEqual(['app: app 0 ERROR', 'nginx: nginx 0', 'app: app 1', 'app: app 4999']);
    const errors = linesOfHosts(logs, ['web-1'], ui({ host: 'web-1' }, {}, 'error')).lines;
    expect([...errors].map((l) => l.text)).toEqual(['app 0 ERROR', 'app 1000 ERROR', 'app 2000 ERROR', 'app 3000 ERROR', 'app 4000 ERROR']);
    expect(anchorIndex(all, all.at(2)!.seq)).toBe(2);
  });

  it('a merged line its buffer dropped since (a burst before the next flush) is gone, not another line', () => {
    const busy = new LogBuffer(10, 2000, { host: 'web-1', source: 'app' });
    const quiet = new LogBuffer(10, 2000, { host: 'web-1', source: 'nginx' });
    for (let i = 0; i < 10; i++) {
      busy.append(`app ${i}`);
      quiet.append(`nginx ${i}`);
    }
    const app0: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '0' };
    const nginx1: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '1' };
    const logs = { [sourceKey(app0)]: { id: app0, host: 'web-1', label: 'app', lines: busy.takeSnapshot()! }, [sourceKey(nginx1)]: { id: nginx1, host: 'web-1', label: 'nginx', lines: quiet.takeSnapshot()! } };
    const merged = linesOfHosts(logs, ['web-1'], ui({ host: 'web-1' })).lines;
    // Past half its capacity before the next snapshot, the busy buffer drops its oldest lines.
    for (let i = 0; i < 8; i++) busy.append(`app later ${i}`);
    expect(merged.at(0)).toBeUndefined();
    expect(merged.at(1)?.text).toBe('nginx 0');
    expect(merged.at(-1)?.text).toBe('nginx 9');
    expect([...merged].filter((l) => l.text.startsWith('app')).map((l) => l.text)).toEqual(['app 3', 'app 4', 'app 5', 'app 6', 'app 7', 'app 8', 'app 9']);
  });

  it.each(['', 'error'])('merging flush after flush gives what merging anew would, as buffers drop lines and a log restarts (filter "%s")', (filter) => {
    const ids: SourceId<'logs'>[] = [0, 1, 2].map((n) => ({ host: 'web-1', kind: 'logs', name: String(n) }));
    const labels = ['app', 'nginx', 'worker'];
    let buffers = labels.map((source) => new LogBuffer(10, 2000, { host: 'web-1', source }));
    const views = () => Object.fromEntries(ids.map((id, v) => [sourceKey(id), { id, host: 'web-1', label: labels[v]!, lines: buffers[v]!.takeSnapshot() ?? [] }]));
    let logs = views();
    for (let round = 0; round < 40; round++) {
      // Uneven rates: the busiest drops most of what the last merge held.
      for (let i = 0; i < 7 * (round % 4); i++) buffers[0]!.append(`app ${round}.${i}${i % 3 === 0 ? ' ERROR' : ''}`);
      for (let i = 0; i < round % 3; i++) buffers[1]!.append(`nginx ${round}.${i}`);
      if (round % 5 === 0) buffers[2]!.append(`worker ${round} ERROR`);
      if (round === 20) buffers = [new LogBuffer(10, 2000, { host: 'web-1', source: 'app' }), buffers[1]!, buffers[2]!];
      const next = views();
      // A buffer with nothing new keeps its last snapshot, as the runtime does (a restarted one starts empty).
      logs = Object.fromEntries(Object.entries(next).map(([key, view]) => [key, view.lines.length > 0 || round === 20 ? view : logs[key]!]));
      const merged = linesOfHosts(logs, ['web-1'], ui({ host: 'web-1' }, {}, filter)).lines;
      const anew = Object.values(logs).flatMap((view) => [...view.lines].filter((l) => filter === '' || /error/i.test(l.text)));
      expect([...merged].map((l) => l.text), `round ${round}`).toEqual(anew.sort((a, b) => a.seq - b.seq).map((l) => l.text));
      // No line the buffers dropped is left counted in the window.
      expect(merged, `round ${round}`).toHaveLength(anew.length);
    }
  });

  it('a paused screen\'s older copy of the logs, merged after newer ones, gives what merging it anew would', () => {
    const ids: SourceId<'logs'>[] = [0, 1].map((n) => ({ host: 'web-1', kind: 'logs', name: String(n) }));
    const buffers = ['app', 'nginx'].map((source) => new LogBuffer(10, 2000, { host: 'web-1', source }));
    const logsOf = (lines: LogLines[]) => Object.fromEntries(ids.map((id, v) => [sourceKey(id), { id, host: 'web-1', label: ['app', 'nginx'][v]!, lines: lines[v]! }]));
    buffers.forEach((b, v) => ['one', 'two', 'three'].forEach((word) => b.append(`${v} ${word}`)));
    const then = buffers.map((b) => b.takeSnapshot()!);
    const frozen = logsOf(then.map((lines) => lines.detached!()));
    linesOfHosts(logsOf(then), ['web-1'], ui({ host: 'web-1' }));
    buffers.forEach((b, v) => ['four', 'five'].forEach((word) => b.append(`${v} ${word}`)));
    linesOfHosts(logsOf(buffers.map((b) => b.takeSnapshot()!)), ['web-1'], ui({ host: 'web-1' }));
    const paused = linesOfHosts(frozen, ['web-1'], ui({ host: 'web-1' })).lines;
    expect([...paused].map((l) => l.text)).toEqual(['0 one', '0 two', '0 three', '1 one', '1 two', '1 three']);
    expect(paused).toHaveLength(6);
  });

  it('lines given out of order are merged in seq order', () => {
    const a: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '0' };
    const b: SourceId<'logs'> = { host: 'web-1', kind: 'logs', name: '1' };
    const logs = { [sourceKey(a)]: { id: a, host: 'web-1', label: 'a', lines: [line(5, 'a5'), line(1, 'a1')] }, [sourceKey(b)]: { id: b, host: 'web-1', label: 'b', lines: [line(3, 'b3')] } };
    expect([...linesOfHosts(logs, ['web-1'], ui({ host: 'web-1' })).lines].map((l) => l.text)).toEqual(['a1', 'b3', 'a5']);
  });

  it('a host without log sources shows nothing', () => {
    expect(displayLines(data(), ui({ host: 'db-1' })).lines).toHaveLength(0);
  });
});

function shown(levels: LogLevel[]): DisplayLine[] {
  // seqs 10, 20, 30...: gaps, as after a filter.
  return levels.map((level, i) => ({ ...line((i + 1) * 10, `line ${i}`, level), host: 'web-1', source: 'app' }));
}

describe('anchorIndex', () => {
  const lines = shown(['info', 'info', 'info', 'info']);

  it('following: the last line', () => {
    expect(anchorIndex(lines, null)).toBe(3);
  });

  it('paused: the anchored line', () => {
    expect(anchorIndex(lines, 20)).toBe(1);
  });

  it('paused on a line that the filter now hides: the last line before it', () => {
    expect(anchorIndex(lines, 25)).toBe(1);
  });

  it('an anchor before every line: the first line', () => {
    expect(anchorIndex(lines, 5)).toBe(0);
  });

  it('no lines: -1 either way', () => {
    expect(anchorIndex([], null)).toBe(-1);
    expect(anchorIndex([], 5)).toBe(-1);
  });
});

describe('bottomAround', () => {
  const one = () => 1;

  it('puts the line a third from the top of the window', () => {
    // 30 lines, 9 rows: line 12 with 3 above it (9..11) and 5 below (13..17).
    expect(bottomAround(30, 12, 9, one)).toBe(17);
  });

  it('lower where fewer lines follow it: the last line at the bottom', () => {
    expect(bottomAround(30, 27, 9, one)).toBe(29);
  });

  it('higher where fewer lines precede it: the window stays full from the first line', () => {
    expect(bottomAround(30, 1, 9, one)).toBe(8);
  });

  it('counts wrapped lines by their rows, and leaves out a line that would not fit whole', () => {
    // Line 12 takes 2 rows, 13 takes 3, 14 takes 4: 3 rows above, 2 for 12, 3 for 13; 14 does not fit in the 1 left.
    const rows = (i: number) => ({ 12: 2, 13: 3, 14: 4 })[i] ?? 1;
    expect(bottomAround(30, 12, 9, rows)).toBe(13);
  });
});

describe('jumpTo', () => {
  //                        10      20       30      40       50      60       70
  const lines = shown(['info', 'error', 'warn', 'info', 'error', 'warn', 'info']);

  it('while following, the previous error is the last one on screen', () => {
    expect(jumpTo(lines, null, 'error', -1)).toBe(50);
    expect(jumpTo(lines, null, 'warn', -1)).toBe(60);
  });

  it('while following there is no next error', () => {
    expect(jumpTo(lines, null, 'error', 1)).toBeUndefined();
  });

  it('from a paused position: next and previous error and warning', () => {
    expect(jumpTo(lines, 30, 'error', 1)).toBe(50);
    expect(jumpTo(lines, 30, 'error', -1)).toBe(20);
    expect(jumpTo(lines, 30, 'warn', 1)).toBe(60);
    expect(jumpTo(lines, 40, 'warn', -1)).toBe(30);
  });

  it('does not stay on the line it is already on', () => {
    expect(jumpTo(lines, 20, 'error', 1)).toBe(50);
    expect(jumpTo(lines, 50, 'error', -1)).toBe(20);
  });

  it('repeated jumps walk through every error and then stop', () => {
    const visited: number[] = [];
    let anchor: number | null = 10;
    for (;;) {
      const next = jumpTo(lines, anchor, 'error', 1);
      if (next === undefined) break;
      visited.push(next);
      anchor = next;
    }
    expect(visited).toEqual([20, 50]);
  });

  it('no line of that level: undefined', () => {
    expect(jumpTo(shown(['info', 'info']), null, 'error', -1)).toBeUndefined();
  });
});

describe('lines a follower stamped with their host and log', () => {
  function stampedData(): DataState {
    const id: SourceId<'logs'> = { host: 'web-2', kind: 'logs', name: '0' };
    const lines = [1, 2, 3].map((seq) => ({ ...line(seq, seq === 2 ? 'ERROR boom' : `line ${seq}`, seq === 2 ? 'error' : 'info'), host: 'web-2', source: 'nginx' }));
    return { ...data(), logs: { [sourceKey(id)]: { id, host: 'web-2', label: 'nginx', lines } } };
  }

  it('one log shows its lines in order with where they came from', () => {
    const shown = [...displayLines(stampedData(), ui({ host: 'web-2' })).lines];
    expect(shown.map((l) => [l.seq, l.host, l.source, l.text])).toEqual([
      [1, 'web-2', 'nginx', 'line 1'],
      [2, 'web-2', 'nginx', 'ERROR boom'],
      [3, 'web-2', 'nginx', 'line 3'],
    ]);
  });

  it('a filter still applies to them', () => {
    expect([...displayLines(stampedData(), ui({ host: 'web-2' }, {}, 'boom')).lines].map((l) => l.seq)).toEqual([2]);
  });
});
