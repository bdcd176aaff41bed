// Operator commands in the cockpit at 80x24: the key from the config, the confirmation, the output
// panel with a section per host (its exit status in the header, sanitised and bounded output,
// scrolling, Esc), the panes still updating above it, and `?` listing the actions. The commands run
// for real on this machine's shell.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config/load.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { localShell } from '../../src/services/operator-command.js';
import { deliver, hostsData, sample } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { GREEN, RED, screenReader } from '../helpers/screen.js';
import { waitFor } from '../helpers/wait.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

const { text, colourBefore } = screenReader(() => app!.frame());

const CONFIG = `
hosts:
  local: {local: true, group: app}
  web-1: {ssh: deploy@10.0.0.5, group: app}
actions:
  check: {key: X, hosts: app, run: "echo checking {host}; printf '\\\\033]0;evil\\\\007title ok\\\\n'; [ {host} = local ] || exit 3", timeout: 10s}
  flood: {key: F, hosts: local, run: "seq 1 20000", confirm: typed}
  restart: {key: Y, run: "systemctl restart {unit}"}
`;

async function cockpit(text = CONFIG) {
  const config = parseConfigText(text, '/etc/opsdeck/config.yaml');
  const shell = localShell();
  app = await renderApp(config, hostsData(config), { columns: 80, rows: 24, ports: { shell: () => shell } });
  return app;
}

const finished = (host: string) => () => app!.store.getState().ui.output?.sections.find((s) => s.host === host)?.status;

describe('operator commands in the cockpit (80x24)', () => {
  it('its key asks first, then the panel shows each host: output, exit status in the header, the panes above still drawn', async () => {
    const app = await cockpit();
    await app.press('X');
    expect(text()).toContain('run check on 2 hosts (local, web-1)?');
    expect(text()).toContain("local: echo checking 'local'; printf");
    expect(text()).toContain('output in a panel (Esc closes it, the run goes on)');
    await app.press('y');
    await waitFor('both hosts done', () => finished('local')() && finished('web-1')());
    await waitFor('the frame with the results', () => text().includes('exit 3'));
    const screen = text();
    expect(screen).toMatch(/── local · exit 0 in [\d.]+m?s · \$ echo checking 'local'/);
    expect(screen).toMatch(/── web-1 · exit 3 in [\d.]+m?s/);
    expect(screen).toContain('checking web-1');
    // The terminal-title escape the command printed is gone; the text around it stays.
    expect(app.store.getState().ui.output!.sections.map((s) => s.lines)).toEqual([
      ['checking local', 'title ok'],
      ['checking web-1', 'title ok'],
    ]);
    expect(app.frame()).not.toContain('\u001b]0;');
    expect(colourBefore('── local', 'exit 0')).toBe(GREEN);
    expect(colourBefore('── web-1', 'exit 3')).toBe(RED);
    expect(screen).toContain('╭─ Hosts');
    expect(screen.split('\n').length).toBeLessThanOrEqual(24);
    expect(app.audit.map((r) => [r.action, r.host, r.outcome])).toEqual([
      ['action.run', 'local,web-1', 'started'],
      ['action.run', 'local,web-1', 'failed'],
    ]);
    expect(app.events.at(-1)!.message).toMatch(/^check: 1 of 2 hosts ok; web-1 exit 3 in [\d.]+m?s$/);
  });

  it('the panes keep updating under an open panel; Esc closes it, :output opens it again', async () => {
    const app = await cockpit();
    await app.press('X', 'y');
    await waitFor('the run', () => finished('web-1')());
    const tracker = new ThresholdTracker(1);
    app.store.setState((s) => ({ ...s, data: deliver(s.data, hostSourceId('local', 'resources'), sample(64, 12, 30), tracker) }));
    await waitFor('the new CPU figure on the Hosts row', () => /local\s+64%/.test(text()));
    expect(text()).toContain('── local · exit 0');
    // Keys the panel has no use for work as anywhere: 2 focuses Resources, the panel stays.
    await app.press('2');
    expect(app.store.getState().ui.focus).toBe('resources');
    expect(text()).toContain('── local · exit 0');
    await app.press(KEYS.escape);
    expect(text()).not.toContain('── local ·');
    await app.press(':', ...'output', KEYS.enter);
    expect(text()).toContain('── local · exit 0');
  });

  it('a long output is cut to the last 64 KiB with a note, followed at its end; g/G and j/k scroll', async () => {
    const app = await cockpit();
    await app.press('F');
    expect(text()).toContain('type flood and Enter to go');
    await app.press('f', 'l', 'o', 'o', 'd', KEYS.enter);
    await waitFor('seq to end on screen', () => text().includes('── local · exit 0'));
    expect(text()).toMatch(/lines \d+–\d+ of \d+ \(following\)/);
    const lastLine = /^║ 20000 +║$/m;
    expect(text()).toMatch(lastLine);
    await app.press('g');
    expect(text()).toContain('── local · exit 0');
    expect(text()).toMatch(/… \d+ KiB cut: the last 64 KiB are kept/);
    expect(text()).not.toMatch(lastLine);
    // Scrolled into the output, the host's header stays pinned on top.
    await app.press('j');
    expect(text()).not.toContain('KiB cut');
    expect(text()).toContain('── local · exit 0');
    await app.press('G');
    expect(text()).toMatch(lastLine);
    expect(text()).toContain('(following)');
  });

  it('the confirmation shows the whole command it sends, wrapped, however long: its end is what may do harm', async () => {
    const steps = Array.from({ length: 14 }, (_, i) => `echo step-${i + 1}`).join(' && ');
    const app = await cockpit(`hosts:\n  local: {local: true}\nactions:\n  long: {key: X, hosts: local, run: "${steps} && rm -rf /tmp/opsdeck-should-not-exist-dir"}\n`);
    await app.press('X');
    const screen = text();
    expect(screen).toContain('run long on local?');
    const sends = screen.slice(screen.indexOf('sends:'));
    // The dialog's rows, border taken off, read as one line again (a space at a row's end reads as padding).
    const sent = sends
      .split('\n')
      .map((row) => row.replace(/^║|║$/g, ''))
      .join('')
      .replaceAll(' ', '');
    expect(sent).toContain(`${steps} && rm -rf /tmp/opsdeck-should-not-exist-dir`.replaceAll(' ', ''));
    expect(screen.split('\n').length).toBeLessThanOrEqual(24);
    for (const row of screen.split('\n').filter((r) => r.startsWith('║'))) expect(row).toMatch(/^║.{78}║$/u);
  });

  it('on a screen too small for the whole command, the dialog keeps its first row and its end, and says how many rows are left out', async () => {
    const steps = Array.from({ length: 80 }, (_, i) => `echo step-${i + 1}`).join(' && ');
    const config = parseConfigText(`hosts:\n  local: {local: true}\nactions:\n  long: {key: X, hosts: local, run: "${steps} && rm -rf /tmp/opsdeck-x"}\n`, '/etc/opsdeck/config.yaml');
    app = await renderApp(config, hostsData(config), { columns: 80, rows: 24, ports: { shell: () => localShell() } });
    await app.press('X');
    const screen = text();
    expect(screen).toContain('on local · ');
    expect(screen).toMatch(/… \d+ rows of the command left out …/);
    expect(screen.replaceAll(/\s|║/g, '')).toContain('rm-rf/tmp/opsdeck-x');
    expect(screen.split('\n').length).toBeLessThanOrEqual(24);
  });

  it('a placeholder the selection cannot fill: the reason on the status line, nothing asked or run', async () => {
    const app = await cockpit();
    await app.press('Y');
    expect(text()).toContain('restart needs {unit}: select a unit in Services');
    expect(app.store.getState().ui.overlay).toBe('none');
    expect(app.audit).toEqual([]);
  });

  it(':run NAME runs one as its key does; ? lists the actions with their keys and commands', async () => {
    const app = await cockpit();
    await app.press(':', ...'run check', KEYS.enter);
    expect(text()).toContain('run check on 2 hosts (local, web-1)?');
    await app.press(KEYS.escape, '?');
    // The help scrolls at 80x24: the actions come after the keys of every pane.
    for (let page = 0; page < 6 && !text().includes('check on app'); page++) await app.press(' ');
    expect(text()).toContain('Actions (actions: in the config');
    expect(text()).toMatch(/X\s+check on app: echo checking \{host\}/);
  });
});
