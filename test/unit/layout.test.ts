import { describe, expect, it } from 'vitest';
import { CHROME_ROWS, computeLayout, innerRows, scrollTop, type Layout } from '../../src/app/layout.js';
import { PANES, type PaneId } from '../../src/app/store.js';

function panes(layout: Layout): PaneId[] {
  return layout.columns.flat().map((box) => box.pane);
}

function columnHeights(layout: Layout): number[] {
  return layout.columns.map((column) => column.reduce((sum, box) => sum + box.height, 0));
}

function columnWidths(layout: Layout): number[] {
  return layout.columns.map((column) => {
    const widths = new Set(column.map((box) => box.width));
    if (widths.size !== 1) throw new Error(`panes of one column differ in width: ${[...widths].join(', ')}`);
    return [...widths][0]!;
  });
}

describe('computeLayout at 80x24', () => {
  it('on Hosts with a few hosts: Hosts above the selected host\'s Resources, filling the body', () => {
    const layout = computeLayout(80, 24, 'hosts', false, 3);
    expect(layout.mode).toBe('single');
    expect(panes(layout)).toEqual(['hosts', 'resources']);
    expect(columnHeights(layout)).toEqual([24 - CHROME_ROWS]);
    expect(columnWidths(layout)).toEqual([80]);
    const [hosts, resources] = layout.columns[0]!;
    expect(innerRows(hosts!)).toBeGreaterThanOrEqual(3);
    expect(innerRows(resources!)).toBeGreaterThanOrEqual(8);
  });

  it('on Hosts with many hosts: Hosts alone', () => {
    const layout = computeLayout(80, 24, 'hosts', false, 30);
    expect(panes(layout)).toEqual(['hosts']);
    expect(columnHeights(layout)).toEqual([22]);
  });

  it.each(['resources', 'services', 'logs', 'events'] as const)('on %s: that pane alone at full size', (focus) => {
    const layout = computeLayout(80, 24, focus, false, 3);
    expect(layout.mode).toBe('single');
    expect(layout.columns).toEqual([[{ pane: focus, width: 80, height: 22 }]]);
  });
});

describe('computeLayout at 200x50', () => {
  const layout = computeLayout(200, 50, 'hosts', false, 4, 2);

  it('without databases, leaves the Databases pane out until it is focused', () => {
    expect(panes(computeLayout(200, 50, 'hosts', false, 4, 0))).not.toContain('databases');
    expect(panes(computeLayout(200, 50, 'databases', false, 4, 0))).toContain('databases');
  });

  it('is a grid that shows every pane once (Alerts only while focused)', () => {
    expect(layout.mode).toBe('grid');
    expect(panes(layout).sort()).toEqual(PANES.filter((p) => p !== 'alerts').sort());
  });

  it('Alerts, focused, takes the Logs slot, the same size', () => {
    const withAlerts = computeLayout(200, 50, 'alerts', false, 4, 2);
    expect(JSON.stringify(withAlerts)).toBe(JSON.stringify(layout).replace('"pane":"logs"', '"pane":"alerts"'));
  });

  it('fills the screen exactly: each column is rows-2 tall, the columns are as wide as the terminal', () => {
    expect(columnHeights(layout)).toEqual(layout.columns.map(() => 48));
    expect(columnWidths(layout).reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('gives Logs the most room on its side and Hosts room for its rows', () => {
    const boxes = Object.fromEntries(layout.columns.flat().map((b) => [b.pane, b]));
    expect(innerRows(boxes.hosts!)).toBeGreaterThanOrEqual(4);
    expect(boxes.logs!.height * boxes.logs!.width).toBeGreaterThan(boxes.events!.height * boxes.events!.width);
  });

  it('the focus does not move panes around', () => {
    for (const focus of PANES.filter((p) => p !== 'alerts')) expect(computeLayout(200, 50, focus, false, 4, 2)).toEqual(layout);
  });
});

describe('computeLayout: zoom', () => {
  it.each([...PANES])('zoomed %s gets the whole body, in a grid-sized terminal too', (focus) => {
    expect(computeLayout(200, 50, focus, true, 4).columns).toEqual([[{ pane: focus, width: 200, height: 48 }]]);
    expect(computeLayout(80, 24, focus, true, 4).columns).toEqual([[{ pane: focus, width: 80, height: 22 }]]);
  });
});

describe('computeLayout: any terminal size', () => {
  it('never draws more rows or columns than the terminal has, and every pane can show a row', () => {
    const failures: string[] = [];
    for (let columns = 40; columns <= 320; columns += 7) {
      for (let rows = 8; rows <= 100; rows += 3) {
        for (const hostCount of [0, 1, 5, 12, 40]) {
          for (const focus of PANES) {
            for (const [zoomed, databaseCount] of [[false, 0], [false, 3], [true, 0]] as const) {
              const layout = computeLayout(columns, rows, focus, zoomed, hostCount, databaseCount);
              const ok =
                columnHeights(layout).every((h) => h === rows - CHROME_ROWS) &&
                columnWidths(layout).reduce((a, b) => a + b, 0) === columns &&
                layout.columns.flat().every((box) => innerRows(box) >= 1) &&
                panes(layout).includes(focus);
              if (!ok) failures.push(JSON.stringify({ columns, rows, focus, zoomed, hostCount, databaseCount, layout }));
            }
          }
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
  });
});

describe('scrollTop', () => {
  it('does not scroll when everything fits', () => {
    expect(scrollTop(0, 5, 10)).toBe(0);
    expect(scrollTop(9, 10, 10)).toBe(0);
  });

  it('starts at the top while the cursor is near the top', () => {
    expect(scrollTop(2, 100, 10)).toBe(0);
  });

  it('shows the last full window when the cursor is at the end (no empty rows below)', () => {
    expect(scrollTop(99, 100, 10)).toBe(90);
  });

  it('keeps the cursor visible and the window full, for every position', () => {
    for (const rows of [1, 2, 5, 10, 21]) {
      for (const total of [0, 1, 5, 10, 11, 50, 200]) {
        for (let cursor = 0; cursor < total; cursor++) {
          const top = scrollTop(cursor, total, rows);
          const context = JSON.stringify({ cursor, total, rows, top });
          expect(top, context).toBeGreaterThanOrEqual(0);
          expect(cursor, context).toBeGreaterThanOrEqual(top);
          expect(cursor, context).toBeLessThan(top + rows);
          if (total >= rows) expect(top + rows, context).toBeLessThanOrEqual(total);
        }
      }
    }
  });

  it('moving the cursor by one moves the window by at most one row (the list does not jump)', () => {
    let previous = scrollTop(0, 100, 10);
    for (let cursor = 1; cursor < 100; cursor++) {
      const top = scrollTop(cursor, 100, 10);
      expect(top - previous).toBeGreaterThanOrEqual(0);
      expect(top - previous).toBeLessThanOrEqual(1);
      previous = top;
    }
  });
});
