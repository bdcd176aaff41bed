// The Hosts pane on a short screen: the rows out of view are counted in its title, so a host scrolled
// away is not taken for a host gone.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config/load.js';
import { hostsData } from '../helpers/fixtures.js';
import { renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text, plainLine } = screenReader(() => app!.frame());

const names = Array.from({ length: 12 }, (_, i) => `web-${i + 1}`);
const config = parseConfigText(`hosts:\n${names.map((name, i) => `  ${name}: {ssh: deploy@10.0.0.${i + 1}}`).join('\n')}\n`, '/etc/opsdeck/config.yaml');

describe('the Hosts pane with more hosts than rows', () => {
  it('says which hosts are in view, at the top and after G', async () => {
    app = await renderApp(config, hostsData(config), { columns: 80, rows: 14 });
    const shown = () => names.filter((name) => new RegExp(`^│. ${name} `, 'm').test(text()));
    const first = shown();
    expect(first.length).toBeGreaterThan(1);
    expect(first.length).toBeLessThan(12);
    expect(first).toEqual(names.slice(0, first.length));
    expect(plainLine('╭─ Hosts')).toMatch(new RegExp(` 1–${first.length} of 12/12 ─╮$`));
    await app.press('G');
    expect(shown()).toEqual(names.slice(12 - first.length));
    expect(plainLine('╭─ Hosts')).toMatch(new RegExp(` ${13 - first.length}–12 of 12/12 ─╮$`));
  });
});
