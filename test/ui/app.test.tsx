// The cockpit as a user sees it: focus, zoom, filter, help, and what ok/warn/crit/error look like.
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { fleetConfig, fleetData, fleetWithDatabase, hostsData } from '../helpers/fixtures.js';
import { withEvents } from '../../src/app/apply.js';
import { PANE_TITLES } from '../../src/app/store.js';
import { parseConfigText } from '../../src/app/config/load.js';
import { widthOf } from '../../src/panes/format.js';
import { helpRows } from '../../src/panes/HelpOverlay.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { GREEN, RED, screenReader, YELLOW } from '../helpers/screen.js';
import { waitFor } from '../helpers/wait.js';
import type { PostgresSample } from '../../src/domain/database.js';
import type { ConnectionState } from '../../src/domain/model.js';
import { handshakeTimedOut } from '../../src/services/ssh/errors.js';
import { LogBuffer } from '../../src/services/logs/buffer.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());

const { text, lineWith, plainLine, colourBefore } = screenReader(() => app!.frame());

describe('cockpit at 200x50', () => {
  it('shows every pane at once with the hosts, their figures and states', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    const screen = text();
    for (const title of ['Hosts', 'Resources', 'Services', 'Logs', 'Events']) expect(screen).toContain(`╭─ ${title}`);
    expect(screen).toMatch(/web-1\s+76%▲\s+40%\s+30%/);
    expect(screen).toMatch(/db-1\s+20%\s+50%\s+93%✖/);
    expect(plainLine('○ edge')).toMatch(/down since \d\d:\d\d:\d\d: connection refused/);
    expect(screen.split('\n').length).toBeLessThanOrEqual(50);
  });

  it('marks and colours values by level: ● green ok, ▲ yellow warn, ✖ red crit and ○ red for an unreachable host', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    expect(colourBefore('▲ web-1', '76%▲')).toBe(YELLOW);
    expect(colourBefore('✖ db-1', '93%✖')).toBe(RED);
    expect(colourBefore('● local', '5%')).toBe(GREEN);
    expect(colourBefore('○ edge', 'down since')).toBe(RED);
    // web-1 is at warn by its CPU, and crit by its failed unit: the top bar counts it crit.
    expect(text()).toContain('✖ 2 crit ○ 1 down');
  });

  it('counts a database gone critical against its host, though nothing else changed', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase());
    // local is at warn already: its database's longest query has run 42 s.
    expect(text()).toContain('✖ 2 crit ▲ 1 warn ○ 1 down');
    app.store.setState((s) => ({ ...s, data: { ...s.data, databases: { main: { ...s.data.databases.main!, levels: { connections: 'crit', overall: 'crit' } } } } }));
    await app.flush();
    expect(text()).toContain('✖ 3 crit ○ 1 down');
  });

  it('moves focus with Tab and Shift-Tab and says which pane has it', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    expect(app.store.getState().ui.focus).toBe('hosts');
    await app.press(KEYS.tab);
    expect(app.store.getState().ui.focus).toBe('resources');
    expect(lineWith('╭─ Resources')).toContain('\u001b[36m');
    await app.press(KEYS.shiftTab, KEYS.shiftTab);
    expect(app.store.getState().ui.focus).toBe('events');
  });

  it('opens a host with Enter: Resources and Services show that host', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('j', 'j', 'j', KEYS.enter);
    expect(app.store.getState().ui.host).toBe('local');
    await app.press('1', 'k', 'k', 'k', KEYS.enter);
    expect(text()).toMatch(/Services ─+ web-1/);
    expect(text()).toMatch(/garden-backend\.service\s+failed/);
    expect(colourBefore('garden-backend.service', 'failed')).toBe(RED);
  });

  it("shows the selected host's logs, and the next host's after Enter while resources keep arriving", async () => {
    const data = fleetData();
    app = await renderApp(fleetConfig(), data, { ui: { host: 'local' } });
    expect(text()).toContain('GET /api/plans 502');
    const local = data.hosts.local!;
    app.store.setState((s) => ({ ...s, data: { ...s.data, hosts: { ...s.data.hosts, local: { ...local, resources: { ...local.resources!, cpu: { totalPercent: 9, perCorePercent: [9] } } } } } }));
    await app.flush();
    expect(text()).toContain('GET /api/plans 502');
    await app.press(KEYS.enter);
    expect(app.store.getState().ui.host).toBe('web-1');
    expect(text()).not.toContain('GET /api/plans 502');
  });

  it('zooms the focused pane to the whole screen and back', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('5', 'z');
    expect(text()).toContain('╭─ Events');
    expect(text()).not.toContain('╭─ Hosts');
    expect(lineWith('╭─ Events').length).toBeGreaterThan(0);
    await app.press('z');
    expect(text()).toContain('╭─ Hosts');
  });

  it('filters the hosts list with / and clears it with Esc', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('/', 'd', 'b', KEYS.enter);
    expect(text()).toMatch(/Hosts ─+ \/db 1\/4/);
    expect(text()).toContain('db-1');
    expect(text()).not.toMatch(/● web-1/);
    await app.press(KEYS.escape);
    expect(text()).toMatch(/web-1/);
    expect(app.store.getState().ui.filters.hosts).toBe('');
  });

  it('filters logs by regex, highlights matches, inverts with !', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { ui: { host: 'local' } });
    await app.press('4', '/', ...'plans', KEYS.enter);
    expect(text()).toContain('GET /api/plans 200');
    expect(text()).not.toContain('GET /health 200');
    expect(lineWith('/api/plans 200')).toContain('\u001b[7mplans');
    await app.press('/', KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, ...'!GET', KEYS.enter);
    expect(text()).toContain('ERROR upstream timed out');
    expect(text()).not.toContain('GET /api/plans');
  });

  it('jumps between errors with E and e and pauses the tail there', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { ui: { host: 'local' } });
    await app.press('4', 'E');
    expect(plainLine('╭─ Logs')).toContain('PAUSED');
    expect(app.store.getState().ui.logs.anchor).toBe(5);
    await app.press('E');
    expect(app.store.getState().ui.logs.anchor).toBe(3);
    await app.press('e');
    expect(app.store.getState().ui.logs.anchor).toBe(5);
    await app.press('G');
    expect(plainLine('╭─ Logs')).toContain('FOLLOW');
  });

  it('shows help built from the live keymap and closes it with Esc', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('?');
    expect(text()).toContain('opsdeck help');
    expect(text()).toMatch(/q ctrl\+c\s+quit opsdeck/);
    expect(text()).toMatch(/e\s+next error/);
    await app.press(KEYS.escape);
    expect(text()).not.toContain('opsdeck help');
  });

  it('help side by side: every description whole, wrapped in its column under its keys, never begun at a column\'s top; G shows the last command', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('?');
    const screen = text();
    // Three columns at 200: what Enter does runs over four rows of its column.
    expect(screen).toContain("unit's log in Logs (Esc back); Databases: a");
    expect(screen).not.toMatch(/[a-z]… /);
    const firstRows = screen.split('\n')[3]!;
    for (const start of [2, 67, 132]) expect(firstRows.slice(start, start + 18).trim(), `a column's first row: ${firstRows}`).not.toBe('');
    await app.press('G');
    const { rows } = helpRows(fleetConfig().bindings, [], 200);
    const last = rows.at(-1)!;
    expect(text()).toContain('text' in last ? last.text : '');
    expect(text()).toMatch(new RegExp(`lines \\d+–${rows.length} of ${rows.length}`));
  });

  it('help scrolled at 200x50: no column ends in a section title whose bindings begin the next column', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    const titles = new Set(['Everywhere', 'Lists (Hosts, Services, Events, Databases, Logs)', 'Commands (:)', ...Object.values(PANE_TITLES)]);
    await app.press('?');
    for (let scrolled = 0; scrolled < 20; scrolled++) {
      const rows = text().split('\n').slice(2, -1);
      for (const start of [2, 67, 132]) {
        const column = rows.map((row) => row.slice(start, start + 64).trim()).filter((cell) => cell !== '' && !cell.startsWith('═'));
        expect(titles.has(column.at(-1) ?? ''), `scrolled ${scrolled}, column at ${start} ends in "${column.at(-1)}"`).toBe(false);
      }
      await app.press('j');
    }
  });

  it('lines the commands\' descriptions up after their usage, a long usage included', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    // The commands come last: at 200x50 the wrapped help scrolls to them.
    await app.press('?', 'G');
    const lines = text().split('\n');
    const at = (words: string) => lines.find((l) => l.includes(words))!.indexOf(words);
    // The longest usage is cut, and a space still parts it from its description.
    expect(text()).toMatch(/incident start P1\.\.P4 TITLE.*… open an incident/);
    // The commands in its column: their descriptions start where its does.
    for (const description of ['show every host of a group', 'set the refresh interval', 'live screen again', 'stop the operations still']) expect(at(description)).toBe(at('open an incident (events'));
  });

  it('runs : commands with completion and keeps a history', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':', ...'host d', KEYS.tab, KEYS.enter);
    expect(app.store.getState().ui.host).toBe('db-1');
    expect(app.store.getState().ui.focus).toBe('resources');
    await app.press(':', ...'refresh 5s', KEYS.enter);
    expect(app.refreshes).toEqual([5000]);
    expect(text()).toContain('refresh 5s');
    await app.press(':', KEYS.up);
    expect(text()).toContain(':refresh 5s');
    await app.press(KEYS.escape, ':', ...'nosuch', KEYS.enter);
    expect(text()).toContain('unknown command "nosuch"');
  });

  it('the prompts edit as a shell line does: Ctrl-W the last word, Ctrl-U the line, Backspace an emoji whole', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':', ...'host db-1', '\u0017');
    expect(app.store.getState().ui.input).toBe('host ');
    await app.press('\u0015', ...'refresh 5s', KEYS.enter);
    expect(app.refreshes).toEqual([5000]);
    await app.press('4', '/', ...'ERROR 🔥', KEYS.backspace);
    expect(app.store.getState().ui.filters.logs).toBe('ERROR ');
    expect(text()).toContain('/ERROR ');
  });

  it('a prompt line longer than the screen shows its end, where the typing is', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24 });
    const typed = `${'timeout|refused|'.repeat(6)}END`;
    await app.press('4', '/', ...typed);
    expect(plainLine('/…')).toMatch(/^\/….*refused\|END $/);
  });

  it(':pane alerts without an Alertmanager says how to add one, with no counts of nothing', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':', ...'pane alerts', KEYS.enter);
    expect(text()).toContain('no Alertmanager in the config: add alertmanager:');
    expect(text()).not.toContain('0 firing');
    expect(text()).not.toContain('no alerts firing');
  });

  it("a command that goes as asked takes an earlier command's error off the status line", async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':', ...'refresh abc', KEYS.enter);
    expect(text()).toContain('"abc" is not a duration');
    await app.press(':', ...'refresh 5s', KEYS.enter);
    expect(app.refreshes).toEqual([5000]);
    expect(text()).not.toContain('"abc" is not a duration');
    // An operation's failure is not the command's to take down: it stays until Esc.
    app.store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text: 'restart nginx.service on web-1 failed: unit is failed', level: 'error', at: Date.now() } } }));
    await app.press(':', ...'pane logs', KEYS.enter);
    expect(text()).toContain('restart nginx.service on web-1 failed');
  });

  it('takes keys that arrive in one chunk one after the other', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':host db-1\r');
    expect(app.store.getState().ui.host).toBe('db-1');
    await app.press('5/');
    expect(app.store.getState().ui.focus).toBe('events');
    expect(app.store.getState().ui.overlay).toBe('filter');
  });

  it('changes the refresh with + and -, and quits with q', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('+');
    await app.press('-', '-');
    expect(app.refreshes).toEqual([5000, 2000, 1000]);
    // The status line shows the refresh: it is not said again beside it, only where it can go no further.
    const status = () => text().split('\n').at(-1)!;
    expect(status()).toMatch(/^ refresh 1s {2}opsdeck/);
    await app.press('-', '-', '-');
    expect(status()).toMatch(/^ refresh 500ms │ refresh 500ms: the shortest there is/);
    await app.press('q');
    expect(app.quits).toBe(1);
  });

  it('pause freezes what is shown while data keeps arriving', async () => {
    const data = fleetData();
    app = await renderApp(fleetConfig(), data);
    await app.press('p');
    const web = data.hosts['web-1']!;
    app.store.setState((s) => ({ ...s, data: { ...s.data, hosts: { ...s.data.hosts, 'web-1': { ...web, resources: { ...web.resources!, cpu: { totalPercent: 12, perCorePercent: [12] } } } } } }));
    await app.press('j', 'k');
    expect(text()).toMatch(/web-1\s+76%/);
    expect(text()).toContain('PAUSED');
    await app.press('p');
    expect(text()).toMatch(/web-1\s+12%/);
  });
});

describe('a paused screen and a busy log', () => {
  it('keeps the log lines it showed while the log runs on far past its buffer', async () => {
    const data = fleetData();
    const [key, view] = Object.entries(data.logs)[0]!;
    const buffer = new LogBuffer(100, 2000, { host: view.host, source: view.label });
    for (let i = 1; i <= 100; i++) buffer.append(`before the pause ${i}`);
    app = await renderApp(fleetConfig(), { ...data, logs: { [key]: { ...view, lines: buffer.takeSnapshot()! } } }, { ui: { host: view.host } });
    expect(text()).toContain('before the pause 100');
    expect(plainLine('╭─ Logs')).toMatch(/ FOLLOW ─╮$/);
    await app.press('p');
    // The Logs title says what the status line does: nothing new comes on screen.
    expect(plainLine('╭─ Logs')).toMatch(/ PAUSED ─╮$/);
    for (let i = 1; i <= 1000; i++) buffer.append(`after the pause ${i}`);
    app.store.setState((s) => ({ ...s, data: { ...s.data, logs: { [key]: { ...view, lines: buffer.takeSnapshot()! } } } }));
    // Scrolling up a line draws the frozen lines again.
    await app.press('4', 'k');
    expect(text()).toContain('before the pause 98');
    expect(text()).toContain('before the pause 99');
    expect(text()).not.toContain('after the pause');
    await app.press('p', 'G');
    expect(text()).toContain('after the pause 1000');
  });
});

describe('cockpit at 80x24', () => {
  it('shows one pane at a time with a tab bar, never taller than the terminal', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24 });
    expect(text().split('\n').length).toBeLessThanOrEqual(24);
    expect(text()).toContain('1 Hosts');
    expect(text()).toContain('╭─ Hosts');
    await app.press('4');
    expect(text()).toContain('╭─ Logs');
    expect(text()).not.toContain('╭─ Hosts');
    for (const l of text().split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('keeps the scope and what is wrong on the tab bar: the focused tab keeps its title, the others theirs from the left as far as they fit, numbers after', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24 });
    const bar = () => text().split('\n')[0]!;
    expect(bar()).toBe(' 1 Hosts  2 Resources  3 Services  4 Logs  5  6  │ web-1 │ ✖ 2 crit ○ 1 down');
    await app.press('4');
    expect(bar()).toBe(' 1 Hosts  2 Resources  3 Services  4 Logs  5  6  │ web-1 │ ✖ 2 crit ○ 1 down');
    expect(widthOf(bar())).toBeLessThanOrEqual(80);
    // Where everything fits, the name and every title.
    app.unmount();
    app = await renderApp(fleetConfig(), fleetData(), { columns: 200, rows: 50 });
    expect(bar()).toBe('opsdeck  1 Hosts  2 Resources  3 Services  4 Logs  5 Events  6 Databases  │ web-1 │ ✖ 2 crit ○ 1 down');
  });
});

describe('trusting an SSH host key', () => {
  it("at 80x24 the selected host's hint names the trust key, then why, and marks where its long advice is cut", async () => {
    app = await renderApp(fleetConfig(), refusedEdge(), { columns: 80, rows: 24 });
    await app.press('j', 'j');
    expect(text()).toContain('edge (T: trust dialog): host key refused: edge is not in known_hosts');
    expect(text()).toMatch(/— Unknown host\. Compare the fingerprint with…/);
  });

  function refusedEdge() {
    const data = fleetData();
    const edge = data.hosts.edge!;
    const connection = {
      status: 'hostkey-refused' as const,
      since: Date.now(),
      error: 'host key refused: edge is not in known_hosts (ssh-ed25519 SHA256:abcDEF123)',
      fingerprint: { offered: 'SHA256:abcDEF123' },
      hint: 'Unknown host. Compare the fingerprint with the host, then trust it.',
    };
    return { ...data, hosts: { ...data.hosts, edge: { ...edge, connection } } };
  }

  it('shows the fingerprint, and trusts only after "yes" is typed', async () => {
    app = await renderApp(fleetConfig(), refusedEdge());
    await app.press('j', 'j');
    expect(text()).toContain('edge (T: trust dialog): host key refused: edge is not in known_hosts');
    expect(text()).toContain('— Unknown host. Compare the fingerprint');
    // The state's words once: the room goes to the fingerprint.
    expect(text()).toMatch(/host key refused since \d\d:\d\d:\d\d: edge /);
    await app.press('T');
    expect(text()).toContain('trust the SSH host key of edge (deploy@10.0.0.7)?');
    expect(text()).toContain('the host offers: SHA256:abcDEF123');
    await app.press('y', KEYS.enter);
    expect(app.trusted).toEqual([]);
    expect(text()).toContain('type "yes" to confirm');
    await app.press(KEYS.backspace, ...'yes', KEYS.enter);
    // It runs in the background: done once its result is in Events.
    await waitFor('the operation to finish', () => app!.events.length === 1);
    await app.flush();
    expect(app.trusted).toEqual(['edge']);
    expect(app.events.at(-1)?.message).toBe('edge: host key SHA256:abcDEF123 trusted, reconnecting');
    // On the record before the key was filed, and its outcome after, under one id.
    expect(app.audit).toEqual([
      expect.objectContaining({ action: 'host.trust-key', target: 'edge host key', host: 'edge', outcome: 'started', detail: expect.objectContaining({ offered: 'SHA256:abcDEF123' }) }),
      expect.objectContaining({ action: 'host.trust-key', outcome: 'ok', id: app.audit[0]?.id }),
    ]);
    expect(text()).not.toContain('trust the SSH host key of edge');
  });

  it('Esc leaves the key untrusted', async () => {
    app = await renderApp(fleetConfig(), refusedEdge());
    await app.press('j', 'j', 'T', KEYS.escape);
    expect(text()).toContain('cancelled: trust the SSH host key of edge');
    expect(app.trusted).toEqual([]);
  });

  it('R reconnects the selected SSH host now', async () => {
    app = await renderApp(fleetConfig(), refusedEdge());
    await app.press('j', 'j', 'R');
    expect(app.reconnects).toEqual(['edge']);
    expect(text()).toContain('edge: reconnecting now');
  });

  it('says so when the selected host has no refused key', async () => {
    app = await renderApp(fleetConfig(), refusedEdge());
    await app.press('T');
    expect(text()).toContain('web-1: no refused host key to trust');
  });
});

// Issue 15, fault 3: the row of a host whose port never speaks SSH says so, and since when.
describe('an SSH host whose port is not an SSH server', () => {
  function edgeWith(connection: ConnectionState) {
    const data = fleetData();
    return { ...data, hosts: { ...data.hosts, edge: { ...data.hosts.edge!, connection } } };
  }
  const since = new Date(2026, 10, 30, 12, 3, 11).getTime();

  it('while connecting, the row says since when and what the handshake waits for', async () => {
    app = await renderApp(fleetConfig(), edgeWith({ status: 'connecting', since, stage: 'TCP connected to 10.0.0.7:22, waiting for its SSH banner' }));
    // Zoomed, so the whole state fits on the row.
    await app.press('z');
    expect(plainLine('edge ')).toContain('connecting since 12:03:11: TCP connected to 10.0.0.7:22');
  });

  it('an operation on a host that cannot be reached says so in its confirmation, before y', async () => {
    const data = fleetData();
    const connection: ConnectionState = { status: 'unreachable', since, error: 'connection refused by 10.0.0.5:22' };
    app = await renderApp(fleetConfig(), { ...data, hosts: { ...data.hosts, 'web-1': { ...data.hosts['web-1']!, connection } } });
    await app.press('3', 'r');
    expect(text()).toContain('restart garden-backend.service on web-1?');
    expect(text()).toContain('○ web-1 is unreachable since 12:03:11: connection refused by 10.0.0.5:22');
    await app.press(KEYS.escape);
    expect(text()).not.toContain('○ web-1 is unreachable');
  });

  it('with a command too long for the screen, the host-down line still leaves the screen its height', async () => {
    const steps = Array.from({ length: 80 }, (_, i) => `echo step-${i + 1}`).join(' && ');
    const config = parseConfigText(`hosts:\n  web-1: {ssh: deploy@10.0.0.5}\nactions:\n  long: {key: X, hosts: web-1, run: "${steps}"}\n`, '/etc/opsdeck/config.yaml');
    const data = hostsData(config);
    const connection: ConnectionState = { status: 'unreachable', since, error: 'connection refused by 10.0.0.5:22' };
    app = await renderApp(config, { ...data, hosts: { 'web-1': { ...data.hosts['web-1']!, connection } } }, { columns: 80, rows: 24 });
    await app.press('X');
    expect(text()).toContain('○ web-1 is unreachable since 12:03:11');
    expect(text()).toMatch(/rows of the command left out/);
    const rows = text().split('\n');
    expect(rows.length).toBeLessThanOrEqual(24);
    // The answer line, the dialog's foot and the status line are all still on screen.
    expect(text()).toContain('y/Enter to go');
    expect(rows.at(-1)).toContain('refresh');
    expect(rows.at(-2)).toMatch(/^╚═+╝$/);
  });

  it('after the connect timeout: "unreachable since 12:03:11: no SSH banner within 10 s", and the hint for the selected row', async () => {
    const failure = handshakeTimedOut('banner', '10.0.0.7:22', 10_000);
    app = await renderApp(fleetConfig(), edgeWith({ ...failure, since }));
    await app.press('z');
    expect(plainLine('edge ')).toContain('unreachable since 12:03:11: no SSH banner within 10 s (is this port an SSH server?)');
    await app.press('j', 'j');
    // Why first (the row is cut where the pane is narrow), then what to do.
    expect(text()).toContain('edge: no SSH banner within 10 s (is this port an SSH server?) — 10.0.0.7:22 accepts TCP connections but says nothing');
  });
});

describe('a host that cannot be read now', () => {
  it('keeps its last figures on its row, without the level marks that would read as now', async () => {
    const data = fleetData();
    const before = await renderApp(fleetConfig(), data);
    expect(stripVTControlCharacters(before.frame())).toMatch(/web-1\s+76%▲/);
    before.unmount();
    const connection: ConnectionState = { status: 'unreachable', since: Date.now(), error: 'connection refused by 10.0.0.5:22' };
    app = await renderApp(fleetConfig(), { ...data, hosts: { ...data.hosts, 'web-1': { ...data.hosts['web-1']!, connection } } });
    const row = plainLine('○ web-1');
    expect(row).toMatch(/○ web-1\s+76% /);
    expect(row).toContain('unreachable since');
    expect(colourBefore('○ web-1', '76%')).not.toBe(YELLOW);
  });
});

describe('fleet view', () => {
  it(':group shows every host of the group, each name in its colour', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press(':', ...'group web', KEYS.enter);
    expect(text()).toMatch(/Services ─+ group web \(2 hosts\)/);
    expect(plainLine('garden-backend.service')).toMatch(/^│web-1\s+garden-backend\.service\s+failed/);
    expect(colourBefore('garden-backend.service', 'web-1')).toBe(RED);
    expect(text()).toMatch(/Resources ─+ group web/);
    expect(plainLine('edge ')).toContain('connection refused');
    await app.press(KEYS.escape);
    expect(app.store.getState().ui.group).toBe('');
  });
});

describe('Databases pane actions', () => {
  it('cancels the selected query after a yes, and records the result', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase());
    await app.press('6');
    expect(text()).toContain('╭─ Databases');
    expect(text()).toMatch(/4242.*UPDATE plans SET status = 2/);
    await app.press('/', ...'4242', KEYS.enter, 'c');
    expect(text()).toContain('cancel query 4242 on main?');
    expect(text()).toContain('UPDATE plans SET status = 2 WHERE id = 7');
    // What will be sent, and where, before the yes.
    expect(text()).toContain('on local · db:main pid 4242 · sends: SELECT pg_cancel_backend(4242)');
    await app.press('y');
    await waitFor('the operation to finish', () => app!.events.length === 1);
    await app.flush();
    expect(app.admin).toEqual([{ database: 'main', pid: 4242, operation: 'cancel' }]);
    expect(text()).toContain('cancelled the query of pid 4242 on main');
    expect(app.events.at(-1)).toMatchObject({ kind: 'action', message: 'cancelled the query of pid 4242 on main' });
  });

  it('at 80x24 a thousand-character query fills at most half the screen, the rest counted, the question and the target in view', async () => {
    const data = fleetWithDatabase();
    const main = data.databases.main!;
    const sample = main.sample as PostgresSample;
    const long = `UPDATE plans SET status = 2 WHERE id IN (${Array.from({ length: 200 }, (_, i) => i + 1).join(', ')})`;
    const queries = sample.queries.map((q) => (q.pid === 4242 ? { ...q, query: long } : q));
    app = await renderApp(fleetConfig(), { ...data, databases: { ...data.databases, main: { ...main, sample: { ...sample, queries } } } }, { columns: 80, rows: 24 });
    await app.press('6', '/', ...'4242', KEYS.enter, 'c');
    const screen = text();
    expect(screen).toContain('cancel query 4242 on main?');
    expect(screen).toMatch(/… \d+ more rows/);
    expect(screen).toContain('on local · db:main pid 4242 · sends: SELECT pg_cancel_backend(4242)');
    expect(screen).toContain('y/Enter to go · n/Esc to cancel');
    expect(screen).toContain('╭─ Databases');
    expect(screen.split('\n').length).toBeLessThanOrEqual(24);
  });

  it('terminates only once the pid is typed', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase());
    await app.press('6', '/', ...'4242', KEYS.enter, 'K');
    expect(text()).toContain('terminate session 4242 on main?');
    await app.press('y', KEYS.enter);
    expect(app.admin).toEqual([]);
    await app.press(KEYS.backspace, ...'4242', KEYS.enter);
    await waitFor('the operation to finish', () => app!.events.length === 1);
    expect(app.admin).toEqual([{ database: 'main', pid: 4242, operation: 'terminate' }]);
  });

  it('a session in no database (a MySQL thread with no schema, a walsender) is asked about as its user alone, not "app@"', async () => {
    const data = fleetWithDatabase();
    const main = data.databases.main!;
    const sample = main.sample as PostgresSample;
    const queries = sample.queries.map((q) => (q.pid === 4242 ? { ...q, database: '' } : q));
    app = await renderApp(fleetConfig(), { ...data, databases: { ...data.databases, main: { ...main, sample: { ...sample, queries } } } });
    await app.press('6', '/', ...'4242', KEYS.enter, 'K');
    expect(text()).toContain('terminate session 4242 on main?');
    expect(text()).toContain('app · active · running 42s');
    expect(text()).not.toContain('app@ ');
  });

  it('keeps the selected query when the busy list is re-sorted under the cursor', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase());
    await app.press('6', 'j');
    app.store.setState((s) => {
      const db = s.data.databases.main!;
      const sample = db.sample as PostgresSample;
      return { ...s, data: { ...s.data, databases: { main: { ...db, sample: { ...sample, queries: [...sample.queries].reverse() } } } } };
    });
    await app.press('c');
    expect(text()).toContain('cancel query 4242 on main?');
  });

  it('refuses in read-only mode without asking, and says so', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { readOnly: true });
    await app.press('6', 'j', 'K');
    expect(text()).not.toContain('terminate session 4242 on main?');
    expect(text()).toContain('read-only: "terminate session 4242 on main" refused');
    expect(text()).toContain('READ-ONLY');
    expect(app.admin).toEqual([]);
    // One record, the refusal itself: what was refused, on what, why, and what the operator saw.
    expect(app.audit).toEqual([
      {
        id: expect.any(String),
        action: 'db.terminate',
        target: 'db:main pid 4242',
        host: 'local',
        detail: expect.objectContaining({ pid: 4242, query: expect.stringContaining('UPDATE plans') }),
        outcome: 'refused',
        error: 'read-only: "terminate session 4242 on main" refused',
      },
    ]);
  });
});

describe('the status line at 80x24', () => {
  it("keeps an operation's result readable, giving up the keys hint and opsdeck's own figures first, then the clock", async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns: 80, rows: 24, readOnly: true });
    const status = () => text().split('\n').at(-1)!;
    expect(status()).toContain('? help');
    await app.press('6', 'j', 'K');
    // With the clock beside it the result would end "r…": the word that matters is "refused".
    expect(status()).toMatch(/^ READ-ONLY {2}refresh 2s │ read-only: "terminate session 4242 on main" refused *$/);
    expect(stringWidth(status())).toBe(80);
  });

  it('keeps the clock where the result is cut even without it', async () => {
    app = await renderApp(fleetConfig(), fleetWithDatabase(), { columns: 60, rows: 24, readOnly: true });
    await app.press('6', 'j', 'K');
    expect(text().split('\n').at(-1)).toMatch(/^ READ-ONLY {2}refresh 2s │ read-only: "terminate.*… │ \d\d:\d\d:\d\d$/);
  });
});

describe('messages in the status line', () => {
  it('lets a message that something went as asked go after 15 s, and keeps an error until Esc', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    const status = () => text().split('\n').at(-1)!;
    const say = async (text: string, level: 'info' | 'error', ago: number) => {
      app!.store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text, level, at: Date.now() - ago } } }));
      await app!.flush();
    };
    await say('backup of main written', 'info', 1000);
    expect(status()).toContain('│ backup of main written');
    await say('backup of main written', 'info', 16_000);
    expect(status()).not.toContain('backup of main');
    await say('restart of app.service failed: unit not found', 'error', 60 * 60_000);
    expect(status()).toContain('│ restart of app.service failed: unit not found');
    await app.press(KEYS.escape);
    expect(status()).not.toContain('restart of app.service');
  });
});

describe('help at 80x24', () => {
  it('scrolls with j/k to every binding and command', async () => {
    app = await renderApp(fleetConfig(), fleetData(), { columns: 80, rows: 24 });
    await app.press('?');
    expect(text()).toMatch(/lines 1–\d+ of \d+, j\/k scroll/);
    expect(text()).toMatch(/q ctrl\+c\s+quit opsdeck/);
    // A description longer than its room goes on in the row under it, lined up, not cut.
    expect(text()).toMatch(/║ \/ {17}filter the focused pane \(regex in Logs; start with ! to +║\n║ {19}invert\) +║/);
    expect(text()).not.toContain('Commands (:)');
    // More than it takes: the scroll stops at the last line.
    for (let i = 0; i < 200; i++) await app.press('j');
    const first = () => Number(/lines (\d+)–/.exec(text())?.[1]);
    expect(text()).toMatch(/lines \d+–(\d+) of \1,/);
    expect(text()).toMatch(/quit\s+quit opsdeck/);
    expect(text().split('\n').length).toBeLessThanOrEqual(24);
    // The scroll stopped at the last row, not past it: one k shows one row earlier.
    const last = first();
    await app.press('k');
    expect(first()).toBe(last - 1);
    await app.press(KEYS.escape);
    expect(text()).not.toContain('opsdeck help');
  });
});

describe('Events selection', () => {
  it('holds the selected event while new ones arrive above it', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('5', 'j');
    // The Events rows are the left column's lines that start with a time (the fixture's, from 2026-11-23,
    // with their day); the selected one is inverse.
    const selectedLine = () => app!.frame().split('\n').find((l) => l.includes('\u001b[7m') && /^│(\d\d-\d\d )?\d\d:\d\d:\d\d/.test(stripVTControlCharacters(l))) ?? '';
    const before = stripVTControlCharacters(selectedLine());
    expect(before).toMatch(/\d\d:\d\d:\d\d/);
    app.store.setState((s) => ({ ...s, data: withEvents(s.data, [{ at: Date.now(), host: 'db-1', kind: 'unit', level: 'crit', message: 'postgresql.service is failed' }]) }));
    await app.press('j', 'k');
    expect(stripVTControlCharacters(selectedLine())).toBe(before);
    expect(text()).toContain('postgresql.service is failed');
  });
});

describe('unit operations', () => {
  it('r on a unit shows the exact command and what will be verified; Esc sends nothing', async () => {
    app = await renderApp(fleetConfig(), fleetData());
    await app.press('3', 'j', 'r');
    expect(text()).toContain('restart nginx.service on web-1?');
    expect(text()).toContain('systemctl restart -- nginx.service');
    expect(text()).toContain('then verified: active with a new MainPID');
    await app.press(KEYS.escape);
    expect(text()).toContain('cancelled: restart nginx.service on web-1');
    expect(app.audit).toEqual([]);
  });
});
