// Alerts' judgement and delivery without a network: one alert per transition (a reconnecting host
// has not recovered), the rate limit said rather than sent, the URL never in a message or an error.
import { afterEach, describe, expect, it } from 'vitest';
import { startAlerts, transitions, type AlertMemory, type Post } from '../../src/app/alerts.js';
import { ConfigError, parseConfigText } from '../../src/app/config/load.js';
import { applyConnection, withEvents } from '../../src/app/apply.js';
import { createOpsStore } from '../../src/app/store.js';
import { redactSecret } from '../../src/domain/redact.js';
import { fleetConfig, fleetData } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const item = (crit: boolean | undefined) => new Map([['host:web-1', { crit, host: 'web-1', text: 'web-1 down: unreachable' }]]);

describe('alert transitions', () => {
  it('alerts a crit once, does not take "not known" (reconnecting) for a recovery, and alerts the recovery once', () => {
    const memory: AlertMemory = new Map();
    expect(transitions(memory, item(false), 0)).toEqual([]);
    expect(transitions(memory, item(true), 1000).map((a) => a.kind)).toEqual(['crit']);
    expect(transitions(memory, item(true), 2000)).toEqual([]);
    expect(transitions(memory, item(undefined), 3000)).toEqual([]);
    expect(transitions(memory, item(true), 4000)).toEqual([]);
    const back = transitions(memory, item(false), 61_000);
    expect(back.map((a) => [a.kind, a.text])).toEqual([['recovered', '● RECOVERED web-1 down: unreachable (crit for 1m00s)']]);
    expect(transitions(memory, item(false), 62_000)).toEqual([]);
  });
});

describe('alert delivery', () => {
  it('holds back what passes the rate limit and says so', async () => {
    const config = fleetConfig();
    const store = createOpsStore(fleetData(config));
    const bodies: unknown[] = [];
    const post: Post = async (_url, body) => (bodies.push(body), { ok: true });
    const said: string[] = [];
    stops.push(startAlerts(store, { receivers: [{ format: 'slack', url: 'https://hooks.example/T/B/TOKEN' }], perMinute: 2, timeoutMs: 1000 }, (t) => said.push(t), post));
    const flip = (status: 'unreachable' | 'ok') => store.setState((s) => ({ ...s, data: applyConnection(s.data, 'web-1', { status, since: Date.now(), error: status === 'ok' ? undefined : 'connection refused' }) }));
    flip('unreachable');
    flip('ok');
    flip('unreachable');
    await waitFor('two alerts sent', () => bodies.length === 2);
    // Whatever the fleet has crit at start counts too: two go out, each one after is held back and said.
    expect(said.length).toBeGreaterThanOrEqual(1);
    expect(said[0]).toBe('alerts to slack: 1 held back by the rate limit (2/min)');
    expect(said.at(-1)).toBe(`alerts to slack: ${said.length} held back by the rate limit (2/min)`);
    expect(bodies).toHaveLength(2);
  });

  it('sends each operation recorded from now on once, and neither one from before (a reloaded timeline) nor other events', async () => {
    const config = fleetConfig();
    const at = Date.now();
    const store = createOpsStore(withEvents(fleetData(config), [{ at: at - 60_000, host: 'web-1', kind: 'action', level: 'info', message: 'restart nginx.service: active' }]));
    const bodies: { kind: string; text: string }[] = [];
    const post: Post = async (_url, body) => (bodies.push(body as { kind: string; text: string }), { ok: true });
    stops.push(startAlerts(store, { receivers: [{ format: 'webhook', url: 'https://hooks.example/ops' }], perMinute: 50, timeoutMs: 1000 }, () => {}, post));
    const record = (kind: 'action' | 'log', message: string, level: 'info' | 'warn') => store.setState((s) => ({ ...s, data: withEvents(s.data, [{ at: Date.now(), host: 'db-1', kind, level, message }]) }));
    record('action', 'stop postgresql.service: inactive', 'info');
    record('log', 'ERROR connection reset', 'warn');
    record('action', 'restart postgresql.service: failed (exit 1)', 'warn');
    await waitFor('two operations sent', () => bodies.filter((b) => b.kind === 'operation').length === 2);
    // An unrelated commit hands nothing again.
    store.setState((s) => ({ ...s, data: applyConnection(s.data, 'web-2', { status: 'ok', since: Date.now() }) }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(bodies.filter((b) => b.kind === 'operation').map((b) => b.text)).toEqual(['● db-1: stop postgresql.service: inactive', '▲ db-1: restart postgresql.service: failed (exit 1)']);
  });

  it('retries a failing receiver and never puts its URL in what it says', async () => {
    const config = fleetConfig();
    const store = createOpsStore(fleetData(config));
    const url = 'https://hooks.example/services/T0/B0/TOPSECRET';
    let calls = 0;
    const post: Post = async (u) => (calls++, { ok: false, error: `connect ECONNREFUSED for ${u}` });
    const said: string[] = [];
    stops.push(startAlerts(store, { receivers: [{ format: 'webhook', url }], perMinute: 20, timeoutMs: 1000 }, (t) => said.push(t), post));
    store.setState((s) => ({ ...s, data: applyConnection(s.data, 'web-1', { status: 'unreachable', since: Date.now(), error: 'connection refused' }) }));
    await waitFor('a retry after the backoff', () => calls >= 2, 5000);
    expect(said[0]).toBe('alert to webhook failed: connect ECONNREFUSED for ‹secret›; retrying in 1s');
    expect(said.join('\n')).not.toContain('TOPSECRET');
  });

  it('hides a URL and its path (where the token is) in any text', () => {
    expect(redactSecret('POST https://hooks.slack.com/services/T/B/X failed; path /services/T/B/X', 'https://hooks.slack.com/services/T/B/X')).toBe('POST ‹secret› failed; path ‹secret›');
  });
});

describe('alerts config', () => {
  it('refuses a receiver whose variable is unset or holds no URL, naming the variable but never its value', () => {
    const text = (env: string) => `alerts:\n  slack: {url: {env: ${env}}}\n`;
    delete process.env.OPSDECK_UNSET_HOOK;
    expect(() => parseConfigText(text('OPSDECK_UNSET_HOOK'), '/etc/opsdeck.yaml')).toThrow(/opsdeck\.yaml:2:\d+: alerts\.slack\.url\.env: OPSDECK_UNSET_HOOK is not set/);
    process.env.OPSDECK_BAD_HOOK = 'not-a-url-SECRETVALUE';
    let message = '';
    try {
      parseConfigText(text('OPSDECK_BAD_HOOK'), '/etc/opsdeck.yaml');
    } catch (error) {
      message = error instanceof ConfigError ? error.message : String(error);
    }
    expect(message).toContain('OPSDECK_BAD_HOOK does not hold an http:// or https:// URL');
    expect(message).not.toContain('SECRETVALUE');
    process.env.OPSDECK_GOOD_HOOK = 'https://hooks.example/T/B/C';
    expect(parseConfigText(text('OPSDECK_GOOD_HOOK'), '/etc/opsdeck.yaml').alerts.receivers).toEqual([{ format: 'slack', url: 'https://hooks.example/T/B/C' }]);
  });
});
