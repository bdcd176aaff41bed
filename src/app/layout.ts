// Where each pane goes for a terminal size: a grid when there is room, else the focused pane alone
// (with a tab bar to reach the others). Every pane gets an exact size, so a frame never outgrows the screen.
import type { PaneId } from './store.js';

export interface PaneBox {
  pane: PaneId;
  width: number;
  height: number;
}

export interface Layout {
  mode: 'grid' | 'single';
  /** Columns of stacked panes, left to right. */
  columns: PaneBox[][];
}

/** Tab bar above, status bar below. */
export const CHROME_ROWS = 2;
export const GRID_MIN_COLUMNS = 120;
export const GRID_MIN_ROWS = 30;

/** The layout for the screen; in the grid, Alerts takes the Logs slot while it has the focus. */
export function computeLayout(columns: number, rows: number, focus: PaneId, zoomed: boolean, hostCount: number, databaseCount = 0): Layout {
  const layout = paneLayout(columns, rows, focus, zoomed, hostCount, databaseCount);
  if (focus !== 'alerts' || layout.mode === 'single') return layout;
  return { ...layout, columns: layout.columns.map((column) => column.map((box) => (box.pane === 'logs' ? { ...box, pane: 'alerts' } : box))) };
}

function paneLayout(columns: number, rows: number, focus: PaneId, zoomed: boolean, hostCount: number, databaseCount: number): Layout {
  const body = Math.max(3, rows - CHROME_ROWS);
  if (zoomed || columns < GRID_MIN_COLUMNS || rows < GRID_MIN_ROWS) {
    // A short host list leaves room for the selected host's resources below it.
    // Rows, header, frame and two lines for the selected host's problem hint.
    const hostsHeight = hostCount + 6;
    if (!zoomed && focus === 'hosts' && body - hostsHeight >= 10) {
      return { mode: 'single', columns: [[{ pane: 'hosts', width: columns, height: hostsHeight }, { pane: 'resources', width: columns, height: body - hostsHeight }]] };
    }
    return { mode: 'single', columns: [[{ pane: focus, width: columns, height: body }]] };
  }
  const leftWidth = Math.floor(columns * 0.42);
  const rightWidth = columns - leftWidth;
  const hostsHeight = Math.min(Math.max(hostCount + 5, 6), Math.floor(body * 0.35));
  const servicesHeight = Math.floor((body - hostsHeight) * 0.55);
  const eventsHeight = body - hostsHeight - servicesHeight;
  const left: PaneBox[] = [
    { pane: 'hosts', width: leftWidth, height: hostsHeight },
    { pane: 'services', width: leftWidth, height: servicesHeight },
    { pane: 'events', width: leftWidth, height: eventsHeight },
  ];
  if (databaseCount > 0 || focus === 'databases') {
    // Resources, then the databases (a header line each and their busiest queries), then the tail.
    const resources = Math.min(Math.max(12, Math.floor(body * 0.34)), body - 16);
    const databases = Math.min(Math.max(6, databaseCount * 2 + 6), Math.floor(body * 0.33));
    return {
      mode: 'grid',
      columns: [
        left,
        [
          { pane: 'resources', width: rightWidth, height: resources },
          { pane: 'databases', width: rightWidth, height: databases },
          { pane: 'logs', width: rightWidth, height: body - resources - databases },
        ],
      ],
    };
  }
  const resourcesHeight = Math.min(Math.max(14, Math.floor(body * 0.42)), body - 8);
  return {
    mode: 'grid',
    columns: [
      left,
      [
        { pane: 'resources', width: rightWidth, height: resourcesHeight },
        { pane: 'logs', width: rightWidth, height: body - resourcesHeight },
      ],
    ],
  };
}

/** Rows inside a framed pane: the frame takes the top and bottom lines. */
export function innerRows(box: { height: number }): number {
  return Math.max(0, box.height - 2);
}

/** The first row to show: the window scrolls under a centred cursor, so the cursor never jumps. */
export function scrollTop(cursor: number, total: number, rows: number): number {
  if (total <= rows) return 0;
  return Math.max(0, Math.min(cursor - Math.floor(rows / 2), total - rows));
}
