// Enter on a unit in Services opens its log in Logs, with a heading that names the unit and how to go
// back; Esc returns to Services. (The follower itself, local or over SSH, is test/ssh/cockpit-ops.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { unitLogId, withUnitLog } from '../../src/app/sources/logs/index.js';
import { reduceResult } from '../../src/app/sources/registry.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { fleetConfig, fleetData, NOW } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text } = screenReader(() => app!.frame());

describe('Enter on a unit', () => {
  it('shows that unit\'s log alone in Logs under a heading; Esc goes back to Services', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24, ui: { host: 'web-1', focus: 'services' } });
    await app.press(KEYS.enter);
    expect(app.store.getState().ui).toMatchObject({ focus: 'logs', unitLog: { host: 'web-1', unit: 'garden-backend.service' } });
    // What the runtime puts in the store once the unit's follower runs (test/ssh/cockpit-ops.test.ts).
    const id = unitLogId('web-1', 'garden-backend.service');
    app.store.setState((s) => {
      const seeded = withUnitLog(s.data, id, 'garden-backend.service', 'journal');
      const lines = [{ seq: 100, at: NOW, text: 'Started Garden DX backend.', level: 'info' as const, count: 1 }, { seq: 101, at: NOW, text: 'ERROR config line 12: unknown key', level: 'error' as const, count: 1 }];
      return { ...s, data: reduceResult(seeded, id, { lines }, { at: NOW, tracker: new ThresholdTracker(1) }) };
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(text()).toContain('▶ garden-backend.service on web-1 · Esc back to Services · journal');
    expect(text()).toContain('ERROR config line 12: unknown key');
    await app.press(KEYS.escape);
    expect(app.store.getState().ui).toMatchObject({ focus: 'services', unitLog: null });
    expect(text()).not.toContain('▶ garden-backend.service');
  });

  it('a unit\'s log never mixes into the host\'s own logs', async () => {
    const data = fleetData();
    const id = unitLogId('local', 'cron.service');
    const withUnit = reduceResult(withUnitLog(data, id, 'cron.service', 'journal'), id, { lines: [{ seq: 50, at: NOW, text: 'cron line', knownLevel: 'info', count: 1 }] }, { at: NOW, tracker: new ThresholdTracker(1) });
    app = await renderApp(fleetConfig(), withUnit, { ui: { host: 'local', focus: 'logs' } });
    expect(text()).toContain('GET /api/plans 502');
    expect(text()).not.toContain('cron line');
  });

  it('with no unit listed, Enter says so', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { ui: { host: 'db-1', focus: 'services' } });
    await app.press(KEYS.enter);
    expect(app.store.getState().ui.message).toMatchObject({ level: 'error', text: 'no unit selected: move onto one in the Services pane' });
    expect(app.store.getState().ui.focus).toBe('services');
  });
});
