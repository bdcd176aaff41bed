// Incidents kept in the state dir (one open at a time, bad lines skipped) and the postmortem draft
// built from them, the timeline and the audit log.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPostmortem, postmortemMarkdown } from '../../src/app/postmortem.js';
import { watchIncident } from '../../src/app/incidents.js';
import { createOpsStore, emptyData, type DataState } from '../../src/app/store.js';
import { waitFor } from '../helpers/wait.js';
import type { AuditRecord } from '../../src/domain/audit.js';
import { incidentId, incidentsOf, parseIncidentRecord } from '../../src/domain/incident.js';
import { auditAppend } from '../../src/services/audit.js';
import { IncidentStore } from '../../src/services/incidents.js';
import { TimelineWriter } from '../../src/services/timeline-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'opsdeck-incident-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-12-01T09:40:00.000Z');

describe('incident records', () => {
  it('fold into incidents: opened, then closed once; an unknown severity or a torn line is no record', () => {
    const lines = [
      '{"type":"start","id":"inc-1","title":"api down","severity":"P1","at":"2026-12-01T09:40:00.000Z","user":"alice"}',
      '{"type":"start","id":"inc-2","title":"slow","severity":"P5","at":"2026-12-01T09:41:00.000Z","user":"bob"}',
      '{"type":"stop","id":"inc-1","at":"2026-12-01T10:10:00.000Z","user":"bob"}',
      '{"type":"stop","id":"inc-1","at":"2026-12-01T11:00:00.000Z","user":"carol"}',
      '{"type":"sto',
    ];
    const records = lines.flatMap((l) => parseIncidentRecord(l) ?? []);
    expect(records).toHaveLength(3);
    expect(incidentsOf(records)).toEqual([{ id: 'inc-1', title: 'api down', severity: 'P1', startedAt: T0, startedBy: 'alice', stoppedAt: Date.parse('2026-12-01T10:10:00.000Z'), stoppedBy: 'bob' }]);
  });

  it('are named by the minute they opened, made unique', () => {
    expect(incidentId(T0, new Set())).toBe('inc-20261201-0940');
    expect(incidentId(T0, new Set(['inc-20261201-0940']))).toBe('inc-20261201-0940-2');
  });
});

describe('the incident store', () => {
  it('opens one at a time, closes the open one, skips lines that are not records', async () => {
    const store = new IncidentStore(dir);
    expect(await store.open()).toBeUndefined();
    const opened = await store.start('P2', 'checkout failing', T0);
    expect(opened).toMatchObject({ id: 'inc-20261201-0940', severity: 'P2', title: 'checkout failing' });
    await expect(store.start('P3', 'another')).rejects.toThrow('incident inc-20261201-0940 (P2 checkout failing) is still open: stop it first');
    await appendFile(store.file, 'garbage\n');
    expect((await store.open())?.id).toBe(opened.id);
    expect((await store.list()).skipped).toBe(1);
    await store.stop(T0 + 60_000);
    expect(await store.open()).toBeUndefined();
    await expect(store.stop()).rejects.toThrow('no incident is open');
  });
});

describe('the cockpit following the incidents file', () => {
  it('says in Events when one is opened and closed elsewhere, once each, without writing them to the timeline again; the one open at start is no news', async () => {
    const incidents = new IncidentStore(dir);
    await incidents.start('P3', 'already open', T0);
    const store = createOpsStore(emptyData());
    const commit = (change: (data: DataState) => DataState) => store.setState((s) => ({ ...s, data: change(s.data) }));
    const stop = watchIncident(commit, incidents, 20);
    try {
      await waitFor('the open incident', () => store.getState().data.incident?.title === 'already open');
      expect(store.getState().data.events).toEqual([]);
      await incidents.stop();
      await incidents.start('P1', '決済APIの障害 🔥');
      await waitFor('the new incident', () => store.getState().data.incident?.title === '決済APIの障害 🔥');
      await incidents.stop();
      await waitFor('no incident', () => store.getState().data.incident === null);
      await new Promise((r) => setTimeout(r, 100));
      const said = store.getState().data.events.map((e) => [e.kind, e.level, e.message.replace(/inc-[\d-]+/, 'ID').replace(/after \S+$/, 'after T'), e.recordedElsewhere]);
      // On screen here; the timeline has them from whoever opened and closed it, not once per cockpit watching.
      expect(said).toEqual([
        ['incident', 'info', 'incident ID closed after T', true],
        ['incident', 'crit', 'incident ID opened: P1 決済APIの障害 🔥', true],
        ['incident', 'info', 'incident ID closed after T', true],
      ]);
    } finally {
      stop();
    }
  });
});

describe('the postmortem draft', () => {
  const audit = (id: string, outcome: AuditRecord['outcome'], at: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({ id, at: new Date(at).toISOString(), user: 'alice', action: 'unit.restart', target: 'unit:web-1/app.service', host: 'web-1', outcome, ...extra });

  it('follows the template, with the window, what was seen and done (who, what it verified), and each operation', () => {
    const markdown = postmortemMarkdown({
      incident: { id: 'inc-1', title: 'checkout failing', severity: 'P2', startedAt: T0, startedBy: 'alice', stoppedAt: T0 + 30 * 60_000, stoppedBy: 'bob' },
      from: T0,
      to: T0 + 30 * 60_000,
      events: [
        { at: T0 - 60_000, host: 'web-1', kind: 'unit', level: 'crit', message: 'app.service active → failed (failed)' },
        // A check on no host's row: no host, and no colon standing for one.
        { at: T0 - 30_000, host: '', kind: 'check', level: 'crit', message: 'check closed failing: connection refused' },
        // The cockpit's own line for the opening: told once, from the incident's record.
        { at: T0, host: 'opsdeck', kind: 'incident', level: 'crit', message: 'incident inc-1 opened: P2 checkout failing' },
        { at: T0 + 120_500, host: 'web-1', kind: 'action', level: 'info', message: 'web-1: app.service restarted, verified active (running)', auditId: 'a1', incident: 'inc-1' },
      ],
      audit: [audit('a1', 'started', T0 + 120_000), audit('a1', 'ok', T0 + 120_400), audit('b2', 'started', T0 + 300_000, { user: 'bob', action: 'maintenance.on', target: 'maintenance:web-1' }), audit('b2', 'failed', T0 + 301_000, { user: 'bob', action: 'maintenance.on', target: 'maintenance:web-1', error: 'permission denied' })],
      startState: '_start state_',
      endState: '_end state_',
      generatedAt: T0 + 31 * 60_000,
    });
    expect(markdown).toContain('- **Impact window**: 2026-12-01 09:40:00 – 2026-12-01 10:10:00 UTC (30m00s)');
    expect(markdown).toContain('- **Severity**: P2: major function down (respond within 1 h; on-call and manager)');
    expect(markdown).toContain('- **Resolved**: 2026-12-01 10:10:00 UTC (closed by bob)');
    const timeline = markdown.slice(markdown.indexOf('## Timeline'), markdown.indexOf('## Root cause'));
    expect(timeline.split('\n').filter((l) => l.startsWith('| 2026'))).toEqual([
      '| 2026-12-01 09:39:00 | seen | – | ✖ crit web-1: app.service active → failed (failed) |',
      '| 2026-12-01 09:39:30 | seen | – | ✖ crit check closed failing: connection refused |',
      '| 2026-12-01 09:40:00 | incident | alice | incident inc-1 opened: P2 checkout failing |',
      '| 2026-12-01 09:42:00 | done | alice | unit.restart unit:web-1/app.service → ok: web-1: app.service restarted, verified active (running) (audit a1) |',
      '| 2026-12-01 09:45:00 | done | bob | maintenance.on maintenance:web-1 → failed: permission denied (audit b2) |',
      '| 2026-12-01 10:10:00 | incident | bob | incident inc-1 closed |',
    ]);
    expect(markdown).toContain('| 2026-12-01 09:45:01 | bob | maintenance.on | maintenance:web-1 | failed: permission denied | b2 |');
    expect(markdown).toMatch(/## State at start.*\n\n_start state_\n/);
    expect(markdown).toMatch(/## State at end.*\n\n_end state_\n/);
    for (const placeholder of ['## Summary (概要)', '## Root cause (根本原因)', '- **Users affected**:', '## Prevention (予防策)', '- [ ] <!-- action --> - <!-- owner --> - <!-- due -->', '## Lessons learned (学んだこと)']) expect(markdown).toContain(placeholder);
  });

  it('is gathered from the files: the open incident by default, --since without one, an unknown id refused', async () => {
    const incidents = new IncidentStore(dir);
    const timelineDir = join(dir, 'timeline');
    const auditPath = join(dir, 'audit.jsonl');
    const sources = { incidents, timelineDir, auditPath, stateNow: async () => '_now_', hosts: new Set(['db-1']) };
    await expect(buildPostmortem(sources, {})).rejects.toThrow('no incident has been opened');
    const now = Date.now();
    const opened = await incidents.start('P3', 'disk filling', now - 60_000);
    await incidents.saveCapture(opened.id, 'start', '_at the start_');
    const writer = new TimelineWriter(timelineDir);
    writer.append([{ at: now - 30_000, host: 'db-1', kind: 'threshold', level: 'warn', message: 'disk / warn: 85%' }]);
    // Written by a cockpit watching another config: not this report's.
    writer.append([{ at: now - 25_000, host: 'wall-g7', kind: 'threshold', level: 'crit', message: 'cpu crit: 99%' }]);
    await writer.flush();
    await auditAppend({ id: 'x1', action: 'backup', target: 'backup:main', host: 'db-1', outcome: 'started', at: new Date(now - 20_000).toISOString(), user: 'dana' }, auditPath);
    const { markdown, incident } = await buildPostmortem(sources, {}, now);
    expect(incident?.id).toBe(opened.id);
    expect(markdown).toContain('| seen | – | ▲ warn db-1: disk / warn: 85% |');
    expect(markdown).not.toContain('wall-g7');
    expect(markdown).toContain('| done | dana | backup backup:main → no outcome recorded (still running, or opsdeck stopped) (audit x1) |');
    expect(markdown).toContain('_at the start_');
    expect(markdown).toContain('_now_');
    expect(markdown).toContain(`still open at`);
    const since = await buildPostmortem(sources, { since: now - 45_000 }, now);
    expect(since.markdown).toContain('# Postmortem: since');
    expect(since.markdown).toContain('_Not captured: no incident was opened at the start of this window._');
    await expect(buildPostmortem(sources, { incident: 'inc-nope' })).rejects.toThrow(`no incident inc-nope (incidents: ${opened.id})`);
  });
});
