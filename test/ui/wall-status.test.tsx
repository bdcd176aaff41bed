// The wall's status line, left running for weeks: what went wrong outside the screen stays, a note
// that something went as asked goes after 15 s.
import { afterEach, describe, expect, it } from 'vitest';
import { createOpsStore, type OpsStore } from '../../src/app/store.js';
import { OpsProvider } from '../../src/hooks/store.js';
import { ThemeProvider } from '../../src/panes/theme.js';
import { WallScreen } from '../../src/panes/Wall.js';
import { parseConfigText } from '../../src/app/config/load.js';
import { fleetConfig, fleetData, hostsData } from '../helpers/fixtures.js';
import { inkTerminal, type InkTerminal } from '../helpers/ink-terminal.js';
import { screenReader } from '../helpers/screen.js';

let terminal: InkTerminal | undefined;
afterEach(() => terminal?.unmount());

/** The wall on `store`, in a terminal of `size`. */
function wall(store: OpsStore, size: { columns: number; rows: number }, theme = fleetConfig().theme): InkTerminal {
  terminal = inkTerminal(
    <OpsProvider store={store} size={size}>
      <ThemeProvider theme={theme}>
        <WallScreen cycleMs={10_000} refreshMs={2000} quitKeys={['q']} quit={() => undefined} />
      </ThemeProvider>
    </OpsProvider>,
    size,
  );
  return terminal;
}

describe('the wall status line', () => {
  it("keeps an alert that was not delivered, and lets 'delivered again' go after 15 s", async () => {
    const store = createOpsStore(fleetData());
    const size = { columns: 120, rows: 30 };
    wall(store, size);
    const status = () => screenReader(() => terminal!.lastFrame()).text().split('\n').at(-1)!;
    const say = async (text: string, level: 'info' | 'error', ago: number) => {
      store.setState((s) => ({ ...s, ui: { ...s.ui, message: { text, level, at: Date.now() - ago } } }));
      await terminal!.flush();
    };
    await say('alert to slack not delivered after 5 tries: 503', 'error', 60 * 60_000);
    expect(status()).toContain('alert to slack not delivered after 5 tries: 503');
    await say('alerts to slack delivered again', 'info', 1000);
    expect(status()).toContain('alerts to slack delivered again');
    await say('alerts to slack delivered again', 'info', 16_000);
    expect(status()).not.toContain('delivered again');
    expect(status()).toContain('READ-ONLY');
  });
});

describe('a wall tile', () => {
  it('cuts a long host name, not the reason the host is down', async () => {
    const name = 'very-long-hostname-for-the-payment-gateway';
    const config = parseConfigText(`hosts:\n  ${name}: {ssh: deploy@10.0.0.9, group: payments}\n`, '/etc/opsdeck/config.yaml');
    const data = hostsData(config);
    const store = createOpsStore({ ...data, hosts: { [name]: { ...data.hosts[name]!, connection: { status: 'unreachable', since: Date.now(), error: 'connection refused by 10.0.0.9:22' } } } });
    const size = { columns: 40, rows: 12 };
    wall(store, size, config.theme);
    const line = screenReader(() => terminal!.lastFrame()).plainLine('○ very-long');
    expect(line).toMatch(/○ very-long-\S*…\s+unreachable/);
  });
});

describe('the wall with an incident open', () => {
  it('shows its banner above the tiles, severity and title first', async () => {
    const store = createOpsStore({ ...fleetData(), incident: { id: 'inc-20261203-1858', severity: 'P1', title: '決済APIの障害 🔥', startedAt: Date.now() - 65_000, startedBy: 'alice' } });
    const size = { columns: 120, rows: 30 };
    wall(store, size);
    const rows = screenReader(() => terminal!.lastFrame()).text().split('\n');
    expect(rows[1]).toMatch(/^✖ INCIDENT P1 \(system fully down\) 決済APIの障害 🔥 · open 1m0[45]s · inc-20261203-1858 *$/);
    expect(rows.length).toBeLessThanOrEqual(30);
  });
});
