// The full-screen timeline (ctrl+t) at 80x24 and 200x50: newest at the bottom with day and time,
// level marks, audit ids; h cycles the host, l the level, / types a text filter; Esc back. The open
// incident's banner; I fills in the `:` line to open or close one.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config/load.js';
import { withEvents } from '../../src/app/apply.js';
import type { IncidentControls } from '../../src/app/incidents.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { widthOf } from '../../src/panes/format.js';
import { hostsData, NOW } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text } = screenReader(() => app!.frame());

const CONFIG = `
hosts:
  web-1: {ssh: deploy@10.0.0.5}
  db-1: {ssh: deploy@10.0.0.6}
`;

const CTRL_T = '\u0014';

function events(): OpsEvent[] {
  const out: OpsEvent[] = [];
  for (let i = 0; i < 40; i++) out.push({ at: NOW - (40 - i) * 60_000, host: i % 2 ? 'web-1' : 'db-1', kind: 'threshold', level: i % 5 === 0 ? 'crit' : 'info', message: `event number ${i}` });
  out.push({ at: NOW, host: 'web-1', kind: 'action', level: 'info', message: 'web-1: app.service restarted, verified active (running)', auditId: 'mk3-1f-0', incident: 'inc-20261123-1150' });
  return out;
}

async function cockpit(columns: number, rows: number, incidents?: IncidentControls) {
  const config = parseConfigText(CONFIG, '/etc/opsdeck/config.yaml');
  app = await renderApp(config, withEvents(hostsData(config), events()), { columns, rows, ...(incidents ? { incidents } : {}) });
  return app;
}

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
] as const) {
  describe(`the timeline view at ${columns}x${rows}`, () => {
    it('fills the screen with the newest events at the bottom, each with its day, time, mark, host and audit id; every line fits', async () => {
      await cockpit(columns, rows);
      await app!.press(CTRL_T);
      const screen = text();
      expect(screen).toContain('Timeline 41/41');
      const newest = screen.split('\n').find((l) => l.includes('app.service restarted'))!;
      expect(newest).toMatch(/\d\d-\d\d \d\d:\d\d:\d\d ● INFO +web-1 +app\.service restarted/);
      if (columns === 200) expect(newest).toContain('[inc-20261123-1150] audit mk3-1f-0');
      // Older events above it, as many as fit.
      expect(screen).toContain('event number 39');
      expect(screen.split('\n').length).toBeLessThanOrEqual(rows);
      for (const line of screen.split('\n')) expect(widthOf(line)).toBeLessThanOrEqual(columns);
    });

    it('h, l and / filter by host, level and text; Esc leaves the text, then the view', async () => {
      await cockpit(columns, rows);
      await app!.press(CTRL_T, 'h');
      expect(text()).toContain('h host: web-1');
      expect(text()).not.toContain('db-1 ');
      expect(text()).toMatch(/Timeline 21\/41/);
      await app!.press('l', 'l');
      expect(text()).toContain('l level: crit');
      // Crit and on web-1: events 5, 15, 25, 35.
      expect(text()).toMatch(/Timeline 4\/41/);
      await app!.press('h', 'h', 'l', '/', '3', '9');
      expect(text()).toContain('/39');
      expect(text()).toMatch(/Timeline 1\/41/);
      expect(text()).toContain('event number 39');
      await app!.press('x');
      expect(text()).toContain('no event matches these filters');
      await app!.press(KEYS.escape);
      expect(text()).toMatch(/Timeline 41\/41/);
      await app!.press(KEYS.escape);
      expect(text()).not.toContain('Timeline 41');
      // Back in the cockpit, its panes in their frames.
      expect(text()).toContain('╭─ Hosts');
    });
  });
}

describe('incidents on screen', () => {
  it('the open incident is a banner under the tab bar; I puts the close on the `:` line, Enter asks for it', async () => {
    const asked: string[] = [];
    const incidents: IncidentControls = { start: async (s, t) => void asked.push(`start ${s} ${t}`), stop: async () => void asked.push('stop'), report: async () => (asked.push('report'), '/tmp/r.md') };
    await cockpit(80, 24, incidents);
    await app!.press('I');
    expect(text()).toContain(':incident start P3 ');
    await app!.press(...'checkout failing'.split(''), KEYS.enter);
    expect(asked).toEqual(['start P3 checkout failing']);
    app!.store.setState((s) => ({ ...s, data: { ...s.data, incident: { id: 'inc-20261123-1150', title: 'checkout failing', severity: 'P1', startedAt: NOW - 5 * 60_000, startedBy: 'alice' } } }));
    await app!.flush();
    const banner = text().split('\n')[1]!;
    expect(banner).toMatch(/^✖ INCIDENT P1 \(system fully down\) checkout failing · open \d/);
    await app!.press('I');
    expect(text()).toContain(':incident stop');
    await app!.press(KEYS.enter, 'P');
    expect(asked).toEqual(['start P3 checkout failing', 'stop', 'report']);
    await app!.press(':', ...'incident start P9 x'.split(''), KEYS.enter);
    expect(text()).toContain('usage: incident start P1|P2|P3|P4 TITLE');
  });
});

describe('the incident banner', () => {
  it('counts the open time up as the screen refreshes, not only when the incident changes', async () => {
    await cockpit(80, 24);
    app!.store.setState((s) => ({ ...s, data: { ...s.data, incident: { id: 'inc-1', title: 'checkout failing', severity: 'P2', startedAt: Date.now() - 5000, startedBy: 'alice' } } }));
    await app!.flush();
    const openFor = () => /· open (\d+)s/.exec(text().split('\n')[1]!)?.[1];
    const first = Number(openFor());
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // A tick's commit, as a refresh brings: the incident itself is unchanged.
    app!.store.setState((s) => ({ ...s, data: { ...s.data, events: [...s.data.events] } }));
    await app!.flush();
    expect(Number(openFor())).toBeGreaterThanOrEqual(first + 2);
  });
});

describe('events restored from earlier days in the Events pane', () => {
  it('carry their day; today\'s keep their clocks in the same column; with only today\'s, no day is shown', async () => {
    const now = Date.now();
    const yesterday = new Date(now);
    yesterday.setDate(yesterday.getDate() - 1);
    yesterday.setHours(21, 40, 5, 0);
    const today = new Date(now);
    today.setHours(0, 0, 1, 0);
    const day = `${String(yesterday.getMonth() + 1).padStart(2, '0')}-${String(yesterday.getDate()).padStart(2, '0')}`;
    const config = parseConfigText(CONFIG, '/etc/opsdeck/config.yaml');
    const restored: OpsEvent[] = [
      { at: yesterday.getTime(), host: 'db-1', kind: 'threshold', level: 'crit', message: 'disk / crit: 96% (crit 90%)' },
      { at: today.getTime(), host: 'web-1', kind: 'source', level: 'info', message: 'resources back after 2.0s' },
    ];
    app = await renderApp(config, withEvents(hostsData(config), restored), { columns: 80, rows: 24 });
    await app.press('5');
    const lines = text().split('\n');
    const old = lines.find((l) => l.includes('disk / crit'))!;
    const fresh = lines.find((l) => l.includes('resources back'))!;
    expect(old).toContain(`${day} 21:40:05 CRIT db-1`);
    expect(fresh).toMatch(/│ {6}00:00:01 INFO web-1/);
    expect(fresh.indexOf('INFO')).toBe(old.indexOf('CRIT'));
    app.unmount();

    app = await renderApp(config, withEvents(hostsData(config), [restored[1]!]), { columns: 80, rows: 24 });
    await app.press('5');
    expect(text().split('\n').find((l) => l.includes('resources back'))).toMatch(/│00:00:01 INFO web-1/);
  });
});
