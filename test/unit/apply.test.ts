import { describe, expect, it } from 'vitest';
import { applyConnection, applySourceError, applySourceOk, EVENT_LIMIT, pendingSource, withEvents } from '../../src/app/apply.js';
import type { DataState } from '../../src/app/store.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { hostSourceId, sourceKey } from '../../src/domain/source-id.js';
import { withHost } from '../helpers/fixtures.js';

describe('source health', () => {
  const source = { id: hostSourceId('web-1', 'resources'), label: 'web-1 resources' };
  const key = sourceKey(source.id);

  function withSource(): DataState {
    return { ...withHost(), sources: { [key]: pendingSource(source, 0) } };
  }

  it('a source that never delivered data is in error, with a warning event', () => {
    const data = applySourceError(withSource(), source.id, 'ssh: connect ECONNREFUSED', 1000, 'is sshd running?');
    expect(data.sources[key]).toMatchObject({ status: 'error', error: 'ssh: connect ECONNREFUSED', hint: 'is sshd running?', since: 1000 });
    expect(data.events).toHaveLength(1);
    expect(data.events[0]).toMatchObject({ kind: 'source', level: 'warn', host: 'web-1' });
    expect(data.events[0]!.message).toContain('ECONNREFUSED');
  });

  it('a source with data that then fails is stale (its values stay), with a crit event', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out after 5s', 7000);
    expect(data.sources[key]).toMatchObject({ status: 'stale', error: 'timed out after 5s', since: 7000, lastOkAt: 1000 });
    expect(data.events.map((e) => [e.kind, e.level])).toEqual([['source', 'crit']]);
    expect(data.events[0]!.message).toContain('timed out after 5s');
  });

  it('the same failure again changes nothing', () => {
    const once = applySourceError(withSource(), source.id, 'boom', 1000);
    expect(applySourceError(once, source.id, 'boom', 3000)).toBe(once);
  });

  it('a different failure while down updates the error, keeps since, and is not a new event', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out', 5000);
    data = applySourceError(data, source.id, 'connection reset', 9000);
    expect(data.sources[key]).toMatchObject({ status: 'stale', error: 'connection reset', since: 5000 });
    expect(data.events).toHaveLength(1);
  });

  it('recovering after a failure is an info event saying how long it was down', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceError(data, source.id, 'timed out', 10_000);
    data = applySourceOk(data, source.id, 100_000);
    expect(data.sources[key]).toMatchObject({ status: 'ok', since: 100_000, lastOkAt: 100_000 });
    expect(data.sources[key]!.error).toBeUndefined();
    expect(data.sources[key]!.hint).toBeUndefined();
    const back = data.events.at(-1)!;
    expect(back).toMatchObject({ kind: 'source', level: 'info', at: 100_000 });
    expect(back.message).toMatch(/back after 1m30s/);
  });

  it('recovering from a never-worked error is also an event', () => {
    let data = applySourceError(withSource(), source.id, 'no route to host', 1000);
    data = applySourceOk(data, source.id, 4000);
    expect(data.events.map((e) => e.level)).toEqual(['warn', 'info']);
    expect(data.events[1]!.message).toMatch(/back after 3s/);
  });

  it('the first success and later successes are not events', () => {
    let data = applySourceOk(withSource(), source.id, 1000);
    data = applySourceOk(data, source.id, 3000);
    expect(data.events).toEqual([]);
    expect(data.sources[key]).toMatchObject({ status: 'ok', since: 1000, lastOkAt: 3000 });
  });

  it('an unreachable host\'s sources failing with its connection\'s error add no events of their own, going or coming back', () => {
    const refused = { status: 'unreachable' as const, since: 900, error: 'connection refused by 10.0.0.5:22' };
    let data = applyConnection(withSource(), 'web-1', { status: 'ok', since: 100 });
    data = applyConnection(data, 'web-1', refused);
    expect(data.events.map((e) => e.message)).toEqual(['unreachable: connection refused by 10.0.0.5:22']);
    data = applySourceError(data, source.id, 'connection refused by 10.0.0.5:22', 1000);
    expect(data.sources[key]).toMatchObject({ status: 'error', error: 'connection refused by 10.0.0.5:22' });
    expect(data.events).toHaveLength(1);
    data = applyConnection(data, 'web-1', { status: 'ok', since: 5000 });
    data = applySourceOk(data, source.id, 5200);
    expect(data.events.map((e) => e.message)).toEqual(['unreachable: connection refused by 10.0.0.5:22', 'connected again after 4.1s']);
    // A failure of its own while the host is reachable is still an event.
    data = applySourceError(data, source.id, 'timed out after 2000 ms', 9000);
    expect(data.events.at(-1)).toMatchObject({ level: 'crit', message: 'web-1 resources down: timed out after 2000 ms' });
  });

  it('reconnecting by hand (R) is part of the outage: failing again adds no event; getting through says how long it was down from the first failure', () => {
    const refused = { status: 'unreachable' as const, since: 1000, error: 'connection refused by 10.0.0.5:22' };
    let data = applyConnection(withSource(), 'web-1', { status: 'ok', since: 100 });
    data = applyConnection(data, 'web-1', refused);
    data = applyConnection(data, 'web-1', { status: 'connecting', since: 60_000 });
    data = applyConnection(data, 'web-1', { ...refused, since: 1000 });
    data = applyConnection(data, 'web-1', { status: 'connecting', since: 120_000 });
    data = applyConnection(data, 'web-1', { status: 'ok', since: 121_000 });
    expect(data.events.map((e) => `${e.level} ${e.message}`)).toEqual(['crit unreachable: connection refused by 10.0.0.5:22', 'info connected again after 2m00s']);
  });

  it('a host refused from the start (unknown key), then trusted: its first connection is not "connected again"', () => {
    const refused = { status: 'hostkey-refused' as const, since: 1000, error: 'host key refused: delta is not in known_hosts (ssh-ed25519 SHA256:x)' };
    let data = applyConnection(withSource(), 'web-1', { status: 'connecting', since: 0 });
    data = applyConnection(data, 'web-1', refused);
    data = applyConnection(data, 'web-1', { status: 'connecting', since: 21_000 });
    data = applyConnection(data, 'web-1', { status: 'ok', since: 21_200 });
    expect(data.events.map((e) => `${e.level} ${e.message}`)).toEqual(['crit host key refused: delta is not in known_hosts (ssh-ed25519 SHA256:x)', 'info connected for the first time after 20.2s']);
    // Lost later and back: that one is a return.
    data = applyConnection(data, 'web-1', { status: 'unreachable', since: 30_000, error: 'connection reset by 10.0.0.5:22' });
    data = applyConnection(data, 'web-1', { status: 'ok', since: 35_000 });
    expect(data.events.at(-1)!.message).toBe('connected again after 5s');
  });

  it('an unknown source id changes nothing', () => {
    const data = withSource();
    const unknown = hostSourceId('web-1', 'services');
    expect(applySourceOk(data, unknown, 1)).toBe(data);
    expect(applySourceError(data, unknown, 'x', 1)).toBe(data);
  });
});

describe('withEvents', () => {
  it(`keeps the newest ${EVENT_LIMIT} events`, () => {
    const make = (n: number): OpsEvent => ({ at: n, host: 'web-1', kind: 'log', level: 'info', message: `e${n}` });
    let data = withHost();
    data = withEvents(data, Array.from({ length: EVENT_LIMIT - 2 }, (_, i) => make(i)));
    data = withEvents(data, [make(EVENT_LIMIT - 2), make(EVENT_LIMIT - 1), make(EVENT_LIMIT), make(EVENT_LIMIT + 1)]);
    expect(data.events).toHaveLength(EVENT_LIMIT);
    expect(data.events[0]!.at).toBe(2);
    expect(data.events.at(-1)!.at).toBe(EVENT_LIMIT + 1);
  });

  it('an outcome quoting a host (a failed unit\'s last log lines) is stored terminal-safe, its lines parted by a bar', () => {
    const message = 'web-1: app.service failed; last log lines (journal): \u001b]0;owned\u0007bind failed\n\u001b[2Jexiting';
    const data = withEvents(withHost(), [{ at: 1, host: 'web-1', kind: 'action', level: 'crit', message }]);
    expect(data.events[0]!.message).toBe('web-1: app.service failed; last log lines (journal): bind failed | exiting');
  });

  it('no events: the same data object', () => {
    const data = withHost();
    expect(withEvents(data, [])).toBe(data);
  });
});

describe('text from hosts in source errors reaches the store terminal-safe', () => {
  const ESC = /[\u001b\u0007\u009b]/;
  const hostile = 'x\u001b]0;pwned\u0007\u001b[2Jy';

  it('errors and hints carrying remote stderr', () => {
    const id = hostSourceId('web-1', 'services');
    let data = withHost();
    data = { ...data, sources: { [sourceKey(id)]: pendingSource({ id, label: 'services' }, 0) } };
    data = applySourceError(data, id, `systemctl: ${hostile}`, 1, hostile);
    expect(data.sources[sourceKey(id)]!.error).toBe('systemctl: xy');
    expect(data.sources[sourceKey(id)]!.hint).toBe('xy');
    expect(data.events.at(-1)!.message).not.toMatch(ESC);
  });
});
