// The themes on the whole cockpit: mono draws no colour yet keeps every level apart by its mark;
// light draws host names in the terminal's own foreground, never white.
import { afterEach, describe, expect, it } from 'vitest';
import { fleetConfig, fleetData } from '../helpers/fixtures.js';
import { renderApp, type AppHarness } from '../helpers/render-app.js';
import { colourSequences, screenReader } from '../helpers/screen.js';
import type { ThemeName } from '../../src/app/color.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

const { text, colourBefore } = screenReader(() => app!.frame());

/** The Hosts pane's row of `name`, as text. */
const hostRow = (name: string): string => text().split('\n').find((l) => new RegExp(`^│\\S ${name} `).test(l)) ?? '';

/** The fleet with the local host (the one with logs) selected. */
function themed(theme: ThemeName) {
  return renderApp({ ...fleetConfig(), theme }, fleetData(), { columns: 200, rows: 50, ui: { host: 'local' } });
}

describe('theme: mono', () => {
  it('draws no colour at all', async () => {
    app = await themed('mono');
    expect(colourSequences(app.frame())).toEqual([]);
  });

  it('tells ok, warn, crit and down apart by the mark on each host row and after each figure', async () => {
    app = await themed('mono');
    expect(hostRow('local')).toMatch(/● local\s+5%\s+10%\s+22%/);
    expect(hostRow('web-1')).toMatch(/▲ web-1\s+76%▲\s+40%\s+30%/);
    expect(hostRow('db-1')).toMatch(/✖ db-1\s+20%\s+50%\s+93%✖/);
    expect(hostRow('edge')).toMatch(/○ edge .*down since/);
  });

  it('marks error and warning log lines in the gutter', async () => {
    app = await themed('mono');
    expect(text()).toMatch(/✖ ERROR upstream timed out/);
    expect(text()).toMatch(/▲ WARN slow query 1200ms/);
    expect(text()).toMatch(/ {2}GET \/health 200/);
  });
});

describe('theme: light', () => {
  it('draws a host with no colour of its own in the default foreground, never white; a configured one keeps it', async () => {
    app = await themed('light');
    expect(app.frame()).not.toContain('\u001b[37m');
    expect(colourBefore('▲ web-1', 'web-1')).toBe('\u001b[31m');
  });

  it('keeps the marks', async () => {
    app = await themed('light');
    expect(hostRow('web-1')).toMatch(/▲ web-1\s+76%▲/);
    expect(hostRow('db-1')).toMatch(/✖ db-1\s+20%\s+50%\s+93%✖/);
  });
});
