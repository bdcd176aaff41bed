// The lasting timeline on disk: lines written by day, read back with bad lines skipped and counted,
// each day's file bounded, old days pruned; events handed to sinks once each; the view's filter.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withEvents } from '../../src/app/apply.js';
import { attachEventSinks } from '../../src/app/event-sink.js';
import { createOpsStore, emptyData } from '../../src/app/store.js';
import { restoreTimeline } from '../../src/app/timeline.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { filterTimeline, parseTimelineLine, timelineLine } from '../../src/domain/timeline.js';
import { KEEP_DAYS, MAX_DAY_BYTES, readTimeline, TimelineWriter } from '../../src/services/timeline-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-timeline-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const event = (at: number, message: string, extra: Partial<OpsEvent> = {}): OpsEvent => ({ at, host: 'web-1', kind: 'unit', level: 'warn', message, ...extra });
const DAY = 24 * 60 * 60 * 1000;

describe('a timeline line', () => {
  it('is JSON with the time in UTC ISO 8601 and reads back as the same event', () => {
    const e = event(Date.parse('2026-12-01T09:42:10.123Z'), 'app.service active → failed (failed)', { auditId: 'a1', incident: 'inc-20261201-0940' });
    const line = timelineLine(e);
    expect(JSON.parse(line)).toEqual({ at: '2026-12-01T09:42:10.123Z', host: 'web-1', kind: 'unit', level: 'warn', message: 'app.service active → failed (failed)', auditId: 'a1', incident: 'inc-20261201-0940' });
    expect(parseTimelineLine(line)).toEqual(e);
  });

  it('that is torn, edited or of another shape is not an event; escape sequences in it are dropped', () => {
    for (const bad of ['{"at": "2026-12-01T09:42:10Z", "host": "web-1"', 'null', '[]', '{"at":"yesterday","host":"a","kind":"unit","level":"warn","message":"x"}', '{"at":"2026-12-01T09:42:10Z","host":"a","kind":"nope","level":"warn","message":"x"}', '{"at":"2026-12-01T09:42:10Z","host":"a","kind":"unit","level":"loud","message":"x"}']) {
      expect(parseTimelineLine(bad)).toBeUndefined();
    }
    expect(parseTimelineLine('{"at":"2026-12-01T09:42:10Z","host":"a","kind":"unit","level":"warn","message":"x\\u001b]0;evil\\u0007y"}')?.message).toBe('xy');
  });
});

describe('the day files', () => {
  it('each event goes to its UTC day\'s file; reading a window gives its events oldest first and counts the bad lines', async () => {
    const writer = new TimelineWriter(dir);
    const day1 = Date.parse('2026-11-30T23:59:59.000Z');
    writer.append([event(day1, 'late'), event(day1 + 2000, 'early next day')]);
    writer.append([event(day1 + 1000, 'midnight')]);
    await writer.flush();
    expect((await readdir(dir)).sort()).toEqual(['2026-11-30.jsonl', '2026-12-01.jsonl']);
    await writeFile(join(dir, '2026-12-01.jsonl'), `${await readFile(join(dir, '2026-12-01.jsonl'), 'utf8')}{"torn\n`);
    const read = await readTimeline(dir, day1 - DAY, day1 + DAY);
    expect(read.events.map((e) => e.message)).toEqual(['late', 'midnight', 'early next day']);
    expect(read.skipped).toEqual([{ file: join(dir, '2026-12-01.jsonl'), lines: 1 }]);
    expect((await readTimeline(dir, day1 + 500, day1 + DAY)).events.map((e) => e.message)).toEqual(['midnight', 'early next day']);
  });

  it('a day\'s file stops at its bound with one line saying so', async () => {
    const writer = new TimelineWriter(dir);
    const at = Date.parse('2026-12-01T10:00:00.000Z');
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < MAX_DAY_BYTES / big.length + 10; i++) writer.append([event(at + i, `${i} ${big}`)]);
    await writer.flush();
    writer.append([event(at + 10_000, 'after the bound')]);
    await writer.flush();
    const file = join(dir, '2026-12-01.jsonl');
    expect((await stat(file)).size).toBeLessThanOrEqual(MAX_DAY_BYTES + 1024);
    const { events } = await readTimeline(dir, at - DAY, at + DAY);
    expect(events.at(-1)).toMatchObject({ host: 'opsdeck', level: 'warn', message: expect.stringContaining('timeline full for 2026-12-01') });
    expect(events.filter((e) => e.message.startsWith('timeline full'))).toHaveLength(1);
    expect(events.some((e) => e.message === 'after the bound')).toBe(false);
  });

  it(`keeps the newest ${KEEP_DAYS} days: a new day's file prunes the oldest`, async () => {
    const first = Date.parse('2026-11-01T12:00:00.000Z');
    for (let d = 0; d < KEEP_DAYS + 3; d++) {
      const writer = new TimelineWriter(dir);
      writer.append([event(first + d * DAY, `day ${d}`)]);
      await writer.flush();
    }
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(KEEP_DAYS);
    expect(files[0]).toBe('2026-11-04.jsonl');
  });

  it('a write that fails is said once, never thrown', async () => {
    const blocked = join(dir, 'blocked');
    await writeFile(blocked, 'a file where the directory should be');
    const said: string[] = [];
    const writer = new TimelineWriter(join(blocked, 'timeline'), (message) => said.push(message));
    writer.append([event(Date.now(), 'one')]);
    await writer.flush();
    writer.append([event(Date.now(), 'two')]);
    await writer.flush();
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`timeline not written to ${join(blocked, 'timeline')}`);
  });
});

describe('in the cockpit', () => {
  it('the last 24 h come back into Events; only what joins later goes to the sinks, once each, tagged with the open incident', async () => {
    const now = Date.now();
    const writer = new TimelineWriter(dir);
    writer.append([event(now - 2 * DAY, 'two days ago'), event(now - 60_000, 'a minute ago'), event(now - 50_000, 'incident opened', { host: 'opsdeck', kind: 'incident' })]);
    writer.append([event(now - 45_000, 'check: 1 of 2 hosts ok', { host: 'db-9,web-1', kind: 'action' }), event(now - 44_000, 'HighLatency firing', { host: 'api-lb', kind: 'alert' })]);
    // Another cockpit of the same user, watching another config, wrote to the same timeline.
    writer.append([event(now - 40_000, 'wall-db-9 disk crit', { host: 'wall-db-9' })]);
    await writer.flush();
    await writeFile(join(dir, `${new Date(now).toISOString().slice(0, 10)}.jsonl`), 'not json\n', { flag: 'a' });
    // As the cockpit starts: the store has no host yet, the config names them.
    const store = createOpsStore(emptyData());
    const notice = await restoreTimeline(store, dir, new Set(['web-1', 'local']), now);
    expect(store.getState().data.events.map((e) => e.message)).toEqual(['a minute ago', 'incident opened', 'check: 1 of 2 hosts ok', 'HighLatency firing']);
    expect(notice).toMatch(/^timeline: 1 unreadable line skipped in /);
    const got: OpsEvent[][] = [];
    const detach = attachEventSinks(store, [{ events: (batch) => got.push([...batch]) }]);
    store.setState((s) => ({ ...s, data: { ...s.data, incident: { id: 'inc-1', title: 't', severity: 'P2', startedAt: now, startedBy: 'a' } } }));
    store.setState((s) => ({ ...s, data: withEvents(s.data, [event(now, 'first'), event(now, 'second')]) }));
    store.setState((s) => ({ ...s, ui: { ...s.ui, focus: 'events' } }));
    store.setState((s) => ({ ...s, data: withEvents(s.data, [event(now, 'third')]) }));
    detach();
    store.setState((s) => ({ ...s, data: withEvents(s.data, [event(now, 'after detach')]) }));
    expect(got.map((batch) => batch.map((e) => e.message))).toEqual([['first', 'second'], ['third']]);
    expect(got.flat().every((e) => e.incident === 'inc-1')).toBe(true);
  });
});

describe('the timeline view\'s filter', () => {
  const events: OpsEvent[] = [
    event(1, 'cpu crit', { level: 'crit', kind: 'threshold' }),
    event(2, 'app.service restarted', { host: 'web-2', level: 'info', kind: 'action', auditId: 'mk3-9' }),
    event(3, 'worker.service active → inactive', { level: 'warn' }),
  ];
  const messages = (filter: Parameters<typeof filterTimeline>[1]) => filterTimeline(events, filter).map((e) => e.message);

  it('by host, by level (at least), by text in the message or the audit id, together', () => {
    expect(messages({ host: '', level: 'all', text: '' })).toHaveLength(3);
    expect(messages({ host: 'web-2', level: 'all', text: '' })).toEqual(['app.service restarted']);
    expect(messages({ host: '', level: 'warn', text: '' })).toEqual(['cpu crit', 'worker.service active → inactive']);
    expect(messages({ host: '', level: 'crit', text: '' })).toEqual(['cpu crit']);
    expect(messages({ host: '', level: 'all', text: 'SERVICE' })).toEqual(['app.service restarted', 'worker.service active → inactive']);
    expect(messages({ host: '', level: 'all', text: 'mk3' })).toEqual(['app.service restarted']);
    expect(messages({ host: 'web-1', level: 'warn', text: 'worker' })).toEqual(['worker.service active → inactive']);
  });
});
