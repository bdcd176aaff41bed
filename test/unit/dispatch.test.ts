// handleKey on its own: the key table turns keys into typed intents, per focused pane, with the
// config's overrides, and operation keys reach the executor as data built from the selection.
import { describe, expect, it } from 'vitest';
import { handleKey } from '../../src/app/dispatch.js';
import { KEY_TABLE } from '../../src/app/intents.js';
import { buildKeymap, type Keymap } from '../../src/app/keymap.js';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import type { Operation } from '../../src/app/operations/registry.js';
import { createOpsStore, type OpsStore } from '../../src/app/store.js';
import { fleetConfig, fleetData, fleetWithDatabase } from '../helpers/fixtures.js';
import { testControls } from '../helpers/controls.js';

function setUp(data = fleetData(), overrides: Record<string, Record<string, string | string[]>> = {}) {
  const { keymap, problems } = buildKeymap(KEY_TABLE, loadDefaultBindings(), overrides);
  expect(problems).toEqual([]);
  const store = createOpsStore(data);
  const requested: Operation[] = [];
  const started: Operation[] = [];
  let quits = 0;
  const controls = testControls(
    {
      request: (op) => void requested.push(op),
      start: async (op) => (started.push(op), { outcome: 'ok', message: '' }),
      abortAll: () => 0,
      refusesKind: () => undefined,
    },
    { quit: () => void quits++ },
  );
  const press = (...keys: string[]) => {
    for (const key of keys) handleKey(store, keymap, key, key.length === 1 ? key : '', controls, { hosts: 10, logs: 10, databases: 10 });
  };
  return { store, keymap, press, requested, started, quits: () => quits };
}

const ui = (store: OpsStore) => store.getState().ui;

describe('handleKey', () => {
  it('global keys work from every pane; a number focuses its pane', () => {
    const { store, press, quits } = setUp();
    press('3');
    expect(ui(store).focus).toBe('services');
    press('z');
    expect(ui(store).zoomed).toBe(true);
    press('tab');
    expect(ui(store).focus).toBe('logs');
    press('q');
    expect(quits()).toBe(1);
  });

  it('the same key means what the focused pane says: j moves the Hosts cursor, and scrolls back in Logs', () => {
    const { store, press } = setUp();
    press('j');
    expect(ui(store).cursor.hosts).toBe(1);
    press('j', 'j', 'enter');
    expect(ui(store).host).toBe('local');
    press('4', 'k');
    expect(ui(store).logs.anchor).not.toBeNull();
    press('G');
    expect(ui(store).logs.anchor).toBeNull();
  });

  it('pane keys only apply in their pane: c in Hosts does nothing, in Databases it asks to cancel the selected query', () => {
    const { press, requested } = setUp(fleetWithDatabase());
    press('c');
    expect(requested).toEqual([]);
    press('6', 'j', 'c');
    expect(requested).toEqual([{ kind: 'db.cancel', params: expect.objectContaining({ database: 'main', pid: 4242, host: 'local' }) }]);
  });

  it('an operation key with nothing to act on says why and asks nothing', () => {
    const { store, press, requested } = setUp();
    press('T');
    expect(ui(store).message).toMatchObject({ text: 'web-1: no refused host key to trust', level: 'error' });
    press('j', 'j', 'j', 'R');
    expect(ui(store).message).toMatchObject({ text: 'local: not an SSH host', level: 'error' });
    expect(requested).toEqual([]);
  });

  it('r, L, s and S in Services ask to restart, reload, start and stop the selected unit, with the host\'s systemctl and sudo', () => {
    const { press, requested } = setUp();
    press('3', 'j', 'r', 'L', 's', 'S');
    const params = { host: 'web-1', unit: 'nginx.service', systemctl: 'systemctl', sudo: false };
    expect(requested).toEqual(['restart', 'reload', 'start', 'stop'].map((verb) => ({ kind: `unit.${verb}`, params: { ...params, verb } })));
  });

  it('m and M on a host without a maintenance flag path say what to configure', () => {
    const { store, press, requested } = setUp();
    press('m');
    expect(ui(store).message).toMatchObject({ text: 'web-1: no maintenance flag configured (hosts.web-1.maintenance: PATH)', level: 'error' });
    expect(requested).toEqual([]);
  });

  it('m and M on a host with a flag path ask to set and clear it there', () => {
    const config = fleetConfig();
    const { press, requested } = setUp(fleetData({ ...config, hosts: config.hosts.map((h) => (h.name === 'web-1' ? { ...h, maintenance: '/opt/garden-dx/maintenance.flag' } : h)) }));
    press('m', 'M');
    const params = { host: 'web-1', path: '/opt/garden-dx/maintenance.flag', why: 'set from the opsdeck cockpit' };
    expect(requested).toEqual([{ kind: 'host.maintenance-on', params }, { kind: 'host.maintenance-off', params }]);
  });

  it('keys the config rebinds follow the config', () => {
    const { store, press, requested } = setUp(fleetWithDatabase(), { databases: { 'cancel-query': 'x' }, list: { down: ['n', 'down'] } });
    press('6', 'n', 'c');
    expect(requested).toEqual([]);
    press('x');
    expect(requested).toHaveLength(1);
    expect(ui(store).cursor.databases).toBe(1);
  });

  it('a confirmation takes every key first: n cancels it, y starts the operation it holds', () => {
    const { store, press, started } = setUp(fleetWithDatabase());
    const operation: Operation = { kind: 'host.reconnect', params: { host: 'edge' } };
    const ask = () =>
      store.setState((s) => ({ ...s, ui: { ...s.ui, overlay: 'confirm', confirm: { operation, description: { title: 'reconnect edge', lines: [], host: 'edge', target: 'edge connection', detail: {} }, confirmation: { kind: 'yes' }, changesOutside: false } } }));
    ask();
    press('q', 'j');
    expect(ui(store).overlay).toBe('none');
    expect(ui(store).message?.text).toBe('cancelled: reconnect edge');
    expect(ui(store).cursor.hosts).toBe(1);
    ask();
    press('y');
    expect(started).toEqual([operation]);
  });

  it('a pasted chunk is each of its keys in turn', () => {
    const { store, keymap } = setUp();
    const controls = testControls({ request: () => undefined, start: async () => ({ outcome: 'ok' as const, message: '' }), abortAll: () => 0, refusesKind: () => undefined });
    handleKey(store, keymap, undefined, '6/', controls, {});
    expect(ui(store).focus).toBe('databases');
    expect(ui(store).overlay).toBe('filter');
  });
});

describe('the key table', () => {
  it('names every intent once, each with its line for ?', () => {
    const entries = Object.values(KEY_TABLE).flatMap((bindings) => Object.values(bindings));
    expect(entries.filter((e) => e.intent.kind === 'operation').map((e) => e.intent.name).sort()).toEqual(['alert.expire-silence', 'alert.silence', 'db.backup', 'db.cancel', 'db.restore', 'db.terminate', 'db.test-restore', 'host.maintenance-off', 'host.maintenance-on', 'host.reconnect', 'host.trust-key', 'process.kill', 'process.term', 'unit.reload', 'unit.restart', 'unit.start', 'unit.stop']);
    for (const entry of entries) expect(entry.help.length).toBeGreaterThan(5);
  });

  it('every default binding resolves to an intent in the contexts a pane reads', () => {
    const { keymap } = buildKeymap(KEY_TABLE, loadDefaultBindings(), {});
    const bound = (map: Keymap) => Object.entries(map).flatMap(([context, keys]) => [...keys.values()].map((binding) => KEY_TABLE[context as keyof Keymap][binding]));
    expect(bound(keymap).every((entry) => entry !== undefined)).toBe(true);
  });
});
