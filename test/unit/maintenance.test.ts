// The maintenance flag's content as opsdeck reads it, and what each read does to the store: the note
// shown, the set / expired / cleared events (expired once), terminal-safe text.
import { describe, expect, it } from 'vitest';
import { maintenanceBanner, roughDuration } from '../../src/app/maintenance-view.js';
import { formatMaintenanceNote, parseMaintenanceNote } from '../../src/domain/maintenance.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, NOW, WEB1, withHost, withPendingSource } from '../helpers/fixtures.js';

const id = hostSourceId('web-1', 'maintenance');
const tracker = new ThresholdTracker(1);
const start = () => withPendingSource(withHost({ ...WEB1, maintenance: '/opt/garden-dx/maintenance.flag' }), id, 'maintenance flag');

describe('parseMaintenanceNote', () => {
  it('reads back what formatMaintenanceNote writes', () => {
    const note = { who: 'alice', at: NOW, why: 'DB移行 step 2', expiresAt: NOW + 7_200_000 };
    expect(parseMaintenanceNote(formatMaintenanceNote(note))).toEqual(note);
  });

  it('takes what a hand-written flag says, and nothing from lines it does not know', () => {
    expect(parseMaintenanceNote('')).toEqual({});
    expect(parseMaintenanceNote('DB migration tonight, ask Ken\n')).toEqual({});
    expect(parseMaintenanceNote('Why:  disk swap \r\nexpires: soon\nwhen: 2026-11-23T12:00:00Z\n')).toEqual({ why: 'disk swap', at: Date.parse('2026-11-23T12:00:00Z') });
  });
});

describe('the maintenance source\'s reducer', () => {
  it('a flag found set is news with who and why; a later read that says the same changes nothing', () => {
    const content = formatMaintenanceNote({ who: 'alice', at: NOW, why: 'disk swap' });
    const data = deliver(start(), id, content, tracker);
    expect(data.hosts['web-1']).toMatchObject({ maintenanceOn: true, maintenanceNote: { who: 'alice', why: 'disk swap', at: NOW }, maintenanceExpired: false });
    expect(data.events.map((e) => e.message)).toEqual(['maintenance flag set by alice: disk swap (/opt/garden-dx/maintenance.flag)']);
    const again = deliver(data, id, content, tracker, NOW + 2000);
    expect(again.hosts).toBe(data.hosts);
    expect(again.events).toBe(data.events);
  });

  it('its expiry passing is one event, however many reads follow; clearing is another', () => {
    const content = formatMaintenanceNote({ who: 'bob', at: NOW, why: 'kernel update', expiresAt: NOW + 60_000 });
    let data = deliver(start(), id, content, tracker);
    data = deliver(data, id, content, tracker, NOW + 59_000);
    expect(data.hosts['web-1']!.maintenanceExpired).toBe(false);
    for (const at of [NOW + 61_000, NOW + 63_000, NOW + 65_000]) data = deliver(data, id, content, tracker, at);
    expect(data.hosts['web-1']!.maintenanceExpired).toBe(true);
    data = deliver(data, id, null, tracker, NOW + 70_000);
    expect(data.events.map((e) => [e.level, e.message])).toEqual([
      ['warn', 'maintenance flag set by bob: kernel update (/opt/garden-dx/maintenance.flag)'],
      ['warn', expect.stringMatching(/^maintenance flag EXPIRED at \d\d:\d\d:\d\d \(by bob: kernel update\), still in place until cleared \(\/opt\/garden-dx\/maintenance\.flag\)$/)],
      ['info', 'maintenance flag cleared (/opt/garden-dx/maintenance.flag)'],
    ]);
    expect(data.hosts['web-1']).toMatchObject({ maintenanceOn: false, maintenanceNote: undefined, maintenanceExpired: false });
  });

  it('a flag written again without being cleared says so, with its new reason', () => {
    let data = deliver(start(), id, formatMaintenanceNote({ who: 'alice', at: NOW, why: 'disk swap' }), tracker);
    data = deliver(data, id, 'who: ken\nwhy: kernel update\n', tracker, NOW + 2000);
    expect(data.events.at(-1)?.message).toBe('maintenance flag rewritten by ken: kernel update (/opt/garden-dx/maintenance.flag)');
    expect(data.hosts['web-1']!.maintenanceNote).toEqual({ who: 'ken', why: 'kernel update' });
  });

  it('a flag not set at start-up is no news', () => {
    expect(deliver(start(), id, null, tracker).events).toEqual([]);
  });

  it('whoever can write the file cannot reach the terminal through it', () => {
    const data = deliver(start(), id, 'who: \u001b]0;owned\u0007mallory\nwhy: \u001b[2Jgone\n', tracker);
    expect(data.hosts['web-1']!.maintenanceNote).toEqual({ who: 'mallory', why: 'gone' });
  });
});

describe('the banner', () => {
  it('says the time left in minutes, or EXPIRED and since when, the key first and the reason last', () => {
    const data = deliver(start(), id, formatMaintenanceNote({ who: 'alice', at: NOW, why: 'disk swap', expiresAt: NOW + 90 * 60_000 }), tracker);
    const host = data.hosts['web-1']!;
    // Time left rounds up: a flag set for 90 minutes does not read 1h29m a few seconds later.
    expect(maintenanceBanner([host], NOW + 30_000, 'M')).toEqual({ expired: false, text: '⚑ MAINTENANCE web-1 · 1h30m left · M clears · by alice: disk swap' });
    expect(maintenanceBanner([host], NOW + 88 * 60_000 + 30_000, 'M')?.text).toContain('· 2m left ·');
    // The last minute in seconds: "1m left" with 6 s to go read as a minute.
    expect(maintenanceBanner([host], NOW + 89 * 60_000 + 30_000, 'M')?.text).toContain('· 30s left ·');
    expect(maintenanceBanner([host], NOW + 90 * 60_000 - 6_000, 'M')?.text).toContain('· 6s left ·');
    expect(maintenanceBanner([host], NOW + 95 * 60_000, 'M')).toEqual({ expired: true, text: '⚑ MAINTENANCE web-1 · EXPIRED 5m ago · M clears · by alice: disk swap' });
    expect(maintenanceBanner([host, { ...host, name: 'web-2', maintenanceOn: false }], NOW, 'M')?.text).toBe('⚑ MAINTENANCE web-1 1h30m left · M on a host clears');
    expect(maintenanceBanner([{ ...host, maintenanceOn: false }], NOW, 'M')).toBeUndefined();
  });

  it('rounds to what an operator plans in', () => {
    expect([59_000, 60_000, 3_599_000, 3_600_000, 49 * 3_600_000].map(roughDuration)).toEqual(['<1m', '1m', '59m', '1h00m', '2d1h']);
  });
});
