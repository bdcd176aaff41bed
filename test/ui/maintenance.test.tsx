// Issue 8, the maintenance banner: real flag files read by the local host's maintenance source, the
// banner on every pane that shows the host, EXPIRED in its own colour, and the keys that set and clear
// the file (the real local flag door behind the real executor).
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig, type OpsConfig } from '../../src/app/config/resolve.js';
import type { DataState } from '../../src/app/store.js';
import { formatMaintenanceNote } from '../../src/domain/maintenance.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { LocalHostAdapter } from '../../src/services/local/adapter.js';
import { localMaintenanceFlag } from '../../src/services/maintenance-flag.js';
import { deliver, hostsData, sample, withPendingSource } from '../helpers/fixtures.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader, YELLOW } from '../helpers/screen.js';

const MAGENTA = '\u001b[35m';
const HOUR = 3_600_000;

let dir: string;
let flag: string;
let app: AppHarness | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-banner-'));
});
afterEach(async () => {
  app?.unmount();
  app = undefined;
  await rm(flag, { force: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const { text, lineWith, plainLine, colourBefore } = screenReader(() => app!.frame());

function configFor(extra: Record<string, unknown> = {}): OpsConfig {
  flag = join(dir, `maintenance-${Math.random().toString(36).slice(2)}.flag`);
  return resolveConfig({ hold: 1, hosts: { local: { local: true, maintenance: flag, logs: [], services: [] }, 'web-1': { ssh: 'deploy@10.0.0.5' } }, ...extra }, '/etc/opsdeck/config.yaml', loadDefaultBindings()).config;
}

/** The store after the local host's real maintenance source read the flag file, as the runtime delivers it. */
async function dataAfterRead(config: OpsConfig): Promise<DataState> {
  const watch = await new LocalHostAdapter().watch(config.hosts[0]!, { timeoutMs: 5000 });
  const content = await watch.maintenance!.collect(AbortSignal.timeout(5000));
  const tracker = new ThresholdTracker(1);
  const at = Date.now();
  let data = deliver(hostsData(config), hostSourceId('local', 'resources'), sample(5, 10, 22, at), tracker, at);
  data = withPendingSource(data, hostSourceId('local', 'maintenance'), 'maintenance flag', at);
  return deliver(data, hostSourceId('local', 'maintenance'), content, tracker, at);
}

const countOf = (needle: string) => text().split(needle).length - 1;

describe('the maintenance banner', () => {
  it('shows who, why and the time left on Resources, Services and Logs, with a summary line and the M mark', async () => {
    const config = configFor();
    await writeFile(flag, formatMaintenanceNote({ who: 'alice', at: Date.now(), why: 'DB migration step 2', expiresAt: Date.now() + 2 * HOUR - 90_000 }));
    app = await renderApp(config, await dataAfterRead(config), { ui: { host: 'local' } });
    const banner = '⚑ MAINTENANCE local · 1h59m left · M clears · by alice: DB migration step 2';
    // Resources, Services and Logs show the host, each with its banner, and so does the hint line of
    // its selected Hosts row; the summary is above the panes.
    expect(countOf(banner)).toBe(4);
    expect(text().split('\n')[1]).toContain('⚑ MAINTENANCE local 1h59m left · M on a host clears');
    expect(colourBefore('by alice', '⚑ MAINTENANCE local ·')).toBe(YELLOW);
    expect(lineWith('● local')).toMatch(/M/);
    expect(colourBefore('● local', 'M ')).toBe(YELLOW);
    // The Events line names who and why.
    expect(text()).toMatch(/maintenance flag set by alice: DB migration step 2/);
    expect(text().split('\n').length).toBeLessThanOrEqual(50);
  });

  it('at 80x24 the focused host pane keeps its banner and the frame fits the terminal', async () => {
    const config = configFor();
    // The runbooks are Japanese: a wide reason is cut to the pane, not past its border.
    await writeFile(flag, formatMaintenanceNote({ who: 'alice', at: Date.now(), why: 'DB移行 第2段、バックアップ確認後に再開します。担当は田中さんです。', expiresAt: Date.now() + 45 * 60_000 - 30_000 }));
    app = await renderApp(config, await dataAfterRead(config), { columns: 80, rows: 24, ui: { host: 'local', focus: 'resources' } });
    expect(text()).toContain('⚑ MAINTENANCE local · 45m left · M clears · by alice: DB移行 第2段');
    expect(text().split('\n').length).toBeLessThanOrEqual(24);
    for (const line of text().split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(plainLine('⚑ MAINTENANCE local ·')).toMatch(/…\s*│$/);
    // In Hosts, the selected host's hint line carries it too.
    await app.press('1');
    expect(text()).toMatch(/local · 45m left · M clears/);
  });

  it('a flag written by hand still shows as set: reason unknown, no expiry', async () => {
    const config = configFor();
    await writeFile(flag, 'DB migration tonight, ask Ken\n');
    app = await renderApp(config, await dataAfterRead(config), { ui: { host: 'local' } });
    expect(text()).toContain('⚑ MAINTENANCE local · no expiry · M clears · reason unknown');
    expect(text()).toMatch(/maintenance flag set reason unknown/);
  });

  it('an expired flag shows EXPIRED in magenta, says so once in Events, and M then y removes the file', async () => {
    const config = configFor();
    await writeFile(flag, formatMaintenanceNote({ who: 'bob', at: Date.now() - 3 * HOUR, why: 'kernel update', expiresAt: Date.now() - 12 * 60_000 - 5000 }));
    app = await renderApp(config, await dataAfterRead(config), { ui: { host: 'local', focus: 'resources' }, ports: { maintenance: (host) => (host === 'local' ? localMaintenanceFlag(flag) : undefined) } });
    expect(text()).toContain('⚑ MAINTENANCE local · EXPIRED 12m ago · M clears · by bob: kernel update');
    expect(colourBefore('EXPIRED 12m ago · M clears', '⚑ MAINTENANCE local ·')).toBe(MAGENTA);
    expect(colourBefore('● local', 'M ')).toBe(MAGENTA);
    expect(app.store.getState().data.events.filter((e) => /EXPIRED at/.test(e.message))).toHaveLength(1);
    // Pressed on the host's own pane, the key clears that host's flag.
    await app.press('M');
    expect(text()).toContain('clear maintenance on local?');
    await app.press('y');
    await expect.poll(() => app!.store.getState().ui.message?.text).toBe(`local: maintenance flag cleared (${flag}, verified absent)`);
    await expect(stat(flag)).rejects.toThrow(/ENOENT/);
    expect(app.audit.map((a) => [a.action, a.outcome])).toEqual([
      ['host.maintenance-off', 'started'],
      ['host.maintenance-off', 'ok'],
    ]);
  });
});

describe('m: setting the flag with an expiry', () => {
  const expiresIn = async () => {
    const content = await readFile(flag, 'utf8');
    const line = /^expires: (.*)$/m.exec(content)?.[1];
    return line === undefined ? undefined : Date.parse(line) - Date.parse(/^when: (.*)$/m.exec(content)![1]!);
  };

  it('takes a typed duration: 2h then Enter writes expires: two hours after when:', async () => {
    const config = configFor();
    app = await renderApp(config, await dataAfterRead(config), { ports: { maintenance: () => localMaintenanceFlag(flag) } });
    await app.press('m');
    expect(text()).toMatch(/expires in: no expiry/);
    await app.press('2', 'x', KEYS.enter);
    expect(app.store.getState().ui.message?.text).toBe('"2x" is not a duration: type one such as 30m or 2h (0: no expiry), then why, or Esc');
    expect(app.store.getState().ui.overlay).toBe('confirm');
    await app.press(KEYS.backspace, 'h', KEYS.enter);
    await expect.poll(() => app!.store.getState().ui.message?.text).toMatch(new RegExp(`^local: maintenance flag set \\(${flag}, verified\\), until \\d\\d:\\d\\d:\\d\\d \\(2h00m\\)$`));
    expect(await expiresIn()).toBe(2 * HOUR);
    expect(app.audit.at(-1)).toMatchObject({ action: 'host.maintenance-on', outcome: 'ok', detail: { expiresInMs: 2 * HOUR } });
  });

  it('takes why after the duration, as the silence dialog does: "2h DB migration #42" writes both', async () => {
    const config = configFor();
    app = await renderApp(config, await dataAfterRead(config), { ports: { maintenance: () => localMaintenanceFlag(flag) } });
    await app.press('m', ...'2h DB migration #42', KEYS.enter);
    await expect.poll(() => app!.store.getState().ui.message?.text).toMatch(/verified\), until .* \(2h00m\)$/);
    expect(await readFile(flag, 'utf8')).toMatch(/^why: DB migration #42$/m);
    expect(await expiresIn()).toBe(2 * HOUR);
  });

  it('y takes the configured maintenanceExpiry; 0 sets none', async () => {
    const config = configFor({ maintenanceExpiry: '30m' });
    app = await renderApp(config, await dataAfterRead(config), { ports: { maintenance: () => localMaintenanceFlag(flag) } });
    await app.press('m');
    expect(text()).toMatch(/expires in: 30m00s/);
    await app.press('y');
    await expect.poll(() => app!.store.getState().ui.message?.text).toMatch(/verified\), until .* \(30m00s\)$/);
    expect(await expiresIn()).toBe(30 * 60_000);
    await app.press('m', '0', KEYS.enter);
    await expect.poll(() => app!.store.getState().ui.message?.text).toMatch(/verified\), no expiry$/);
    expect(await expiresIn()).toBeUndefined();
  });
});
