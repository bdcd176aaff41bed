// Enter on an Events row: the whole event (time, host, level, kind, audit id, incident) and its
// complete message wrapped to the width, wide text aligned; Esc back to the Events pane. At 80x24,
// where the Events row, the status line and the timeline row all cut a failed unit's reason.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config/load.js';
import { withEvents } from '../../src/app/apply.js';
import type { OpsEvent } from '../../src/domain/model.js';
import { widthOf } from '../../src/panes/format.js';
import { helpRows } from '../../src/panes/HelpOverlay.js';
import { hostsData, NOW } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text } = screenReader(() => app!.frame());

const CONFIG = `
hosts:
  web-1: {ssh: deploy@10.0.0.5}
`;

const REASON =
  "web-1: start app.service FAILED: now failed (Result: exit-code); last log lines (no journal entries; the daemonless systemctl's log /var/log/daemonless/app.service.log): " +
  '2026-11-23 12:03:09 起動失敗 cannot bind 0.0.0.0:8080: アドレスは既に使用中です | 2026-11-23 12:03:09 app.service: main process exited, code=exited, status=1/FAILURE';

const FAILED: OpsEvent = { at: NOW - 60_000, host: 'web-1', kind: 'action', level: 'warn', message: REASON, auditId: 'mk3-1f-0', incident: 'inc-20261123-1150' };
const NEWER: OpsEvent = { at: NOW, host: 'web-1', kind: 'threshold', level: 'info', message: 'web-1 cpu back to ok' };

/** The screen's characters without spaces and the view's border: what a wrapped text reads as. */
const squeezed = (screen: string): string => screen.replace(/[\s║]/g, '');

describe('the event details view', () => {
  it('at 80x24: Enter on the selected event shows all of it, its message wrapped and aligned; Esc goes back to Events', async () => {
    const config = parseConfigText(CONFIG, '/etc/opsdeck/config.yaml');
    app = await renderApp(config, withEvents(hostsData(config), [FAILED, NEWER]), { columns: 80, rows: 24 });
    await app.press('5', 'j');
    // The row itself cuts the message: the reason is not on screen yet.
    expect(text()).not.toContain('起動失敗');
    // Beside the host column a message does not name its host again.
    expect(text()).toMatch(/INFO web-1 +cpu back to ok/);
    expect(text()).toMatch(/WARN web-1 +start app\.service FAILED/);
    await app.press(KEYS.enter);
    const screen = text();
    expect(squeezed(screen)).toContain(squeezed(REASON));
    expect(screen).toMatch(/time +2026-11-23 \d\d:\d\d:\d\d/);
    expect(screen).toMatch(/host +web-1/);
    expect(screen).toMatch(/level +WARN/);
    expect(screen).toMatch(/kind +action/);
    expect(screen).toMatch(/audit id +mk3-1f-0/);
    expect(screen).toMatch(/incident +inc-20261123-1150/);
    const lines = screen.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    // Wide characters count two cells: their rows end at the border like every other.
    const wide = lines.filter((l) => /[起ア]/.test(l));
    expect(wide.length).toBeGreaterThan(0);
    for (const line of wide) expect(line).toMatch(/║$/);
    for (const line of lines) expect(widthOf(line)).toBeLessThanOrEqual(80);

    await app.press(KEYS.escape);
    expect(app.store.getState().ui).toMatchObject({ overlay: 'none', focus: 'events' });
    expect(text()).toContain('Events');
    expect(text()).not.toContain('起動失敗');
  });

  it('an event of no host (an alert, an incident) says nothing of a host rather than an empty one', async () => {
    const config = parseConfigText(CONFIG, '/etc/opsdeck/config.yaml');
    app = await renderApp(config, withEvents(hostsData(config), [{ at: NOW, host: '', kind: 'incident', level: 'crit', message: 'incident inc-1 opened: P1 決済' }]), { columns: 80, rows: 24 });
    await app.press('5', KEYS.enter);
    expect(text()).toContain('Event — Esc back');
    expect(text()).not.toContain('Event on ');
    expect(text()).not.toMatch(/host +║/);
    expect(text()).toMatch(/kind +incident/);
  });

  it('the help says what Enter does in Events', () => {
    const config = parseConfigText(CONFIG, '/etc/opsdeck/config.yaml');
    const help = helpRows(config.bindings, [], 80)
      .rows.map((row) => ('text' in row ? row.text : ''))
      .join(' ');
    expect(help).toContain('Events: the whole event');
  });
});
