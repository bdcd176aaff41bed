// What the wall display (`opsdeck --wall`) shows: one tile per host group, its hosts worst first and
// the groups worst first, and how the tiles are spread over pages when they do not fit the screen.
// Pure derivation from the store's data; the pane only draws it.
import { maintenanceExpired, noteSummary } from '../domain/maintenance.js';
import type { Level } from '../domain/model.js';
import { timeLeft } from './maintenance-view.js';
import { checkLevel, checkRows, downReason, hostRows, type CheckRow } from './rows.js';
import { checkStateText } from './check-text.js';
import type { DataState } from './store.js';

/** A tile's or host's state on the wall: a level, or a host that cannot be read (down) or not read yet. */
export type WallState = Level | 'down' | 'pending';

const RANK: Record<WallState, number> = { down: 0, crit: 1, warn: 2, pending: 3, ok: 4 };

export interface WallHost {
  name: string;
  state: WallState;
  /** Why it is not ok, shortest first: "cpu 92%", "2 units failed", "check api down", "unreachable". */
  reasons: string[];
  /** While its maintenance flag is set: time left (or EXPIRED) and who/why, as far as the flag says. */
  maintenance?: { text: string; expired: boolean };
}

export interface WallGroup {
  name: string;
  state: WallState;
  hosts: WallHost[];
}

/** The tile of the hosts without `group:`: "other" beside named groups; "hosts" when no host has a group (the default config). */
function ungroupedTile(data: Pick<DataState, 'hosts'>): string {
  return Object.values(data.hosts).some((host) => host.group !== undefined) ? 'other' : 'hosts';
}
/** The checks shown on no host's row share this tile. */
export const CHECKS = 'checks';

function checkWallState(row: CheckRow): WallState {
  return row.state === 'pending' ? 'pending' : row.state === 'failing' ? 'down' : checkLevel(row.state);
}

const worse = (a: WallState, b: WallState): WallState => (RANK[a] <= RANK[b] ? a : b);

function levelWords(data: Pick<DataState, 'hosts'>, name: string): string[] {
  const host = data.hosts[name];
  if (!host) return [];
  const words: string[] = [];
  const r = host.resources;
  if (host.levels.cpu !== 'ok' && r) words.push(`cpu ${Math.round(r.cpu.totalPercent)}%`);
  if (host.levels.memory !== 'ok' && r) words.push(`mem ${Math.round(r.memory.usedPercent)}%`);
  if (host.levels.load !== 'ok' && r) words.push(`load ${r.load[0].toFixed(1)}`);
  for (const [mount, level] of Object.entries(host.levels.disks)) {
    const disk = r?.disks.find((d) => d.mount === mount);
    if (level !== 'ok' && disk) words.push(`disk ${mount} ${Math.round(disk.usedPercent)}%`);
  }
  return words;
}

/** Every host of the config in its group's tile, judged as the Hosts pane judges it, worst first. */
export function wallGroups(data: Pick<DataState, 'hostOrder' | 'hosts' | 'sources' | 'databases' | 'backups' | 'checks' | 'logs'>, now: number): WallGroup[] {
  const groups = new Map<string, WallHost[]>();
  const ungrouped = ungroupedTile(data);
  for (const row of hostRows(data, { filters: { hosts: '' } })) {
    const reasons: string[] = [];
    let state: WallState;
    if (row.health === 'error' || row.health === 'stale') {
      state = 'down';
      reasons.push(downReason(row.problem));
    } else if (row.health === 'pending') state = 'pending';
    else state = row.level;
    if (row.failedUnits > 0) {
      state = worse(state, 'crit');
      reasons.push(`${row.failedUnits} unit${row.failedUnits === 1 ? '' : 's'} failed`);
    }
    // The row's level already counts its checks (failing is crit) and its logs' alerts; the reasons name them.
    for (const check of row.checks) reasons.push(`check ${check.check.name} ${check.state === 'failing' ? 'down' : check.state}`);
    for (const alert of row.logAlerts) reasons.push(alert.short);
    // Its databases and backups count in the row's level: a tile gone yellow for them says so too.
    for (const concern of row.dataConcerns) reasons.push(concern.text);
    if (state !== 'down') reasons.unshift(...levelWords(data, row.host.name));
    const host = row.host;
    const maintenance = host.maintenanceOn
      ? {
          expired: maintenanceExpired(host.maintenanceNote, now),
          text: `${timeLeft(host, now)} · ${noteSummary(host.maintenanceNote)}`,
        }
      : undefined;
    const group = host.group ?? ungrouped;
    groups.set(group, [...(groups.get(group) ?? []), { name: host.name, state, reasons, maintenance }]);
  }
  // A check on no host's row (a public URL, a service behind a balancer) has no tile of a host to be
  // named in: its own tile, so a failing one is on the wall as it is in the cockpit.
  const unhosted = checkRows(data).filter((row) => !row.check.host);
  if (unhosted.length > 0) groups.set(CHECKS, unhosted.map((row) => ({ name: row.check.name, state: checkWallState(row), reasons: row.state === 'ok' ? [] : [row.state === 'failing' ? (row.reason ?? 'failing') : checkStateText(row)] })));
  return [...groups]
    .map(([name, hosts]) => {
      const sorted = [...hosts].sort((a, b) => RANK[a.state] - RANK[b.state]);
      return { name, hosts: sorted, state: sorted.reduce<WallState>((s, h) => worse(s, h.state), 'ok') };
    })
    .sort((a, b) => RANK[a.state] - RANK[b.state]);
}

/** A tile placed on a page: its group, its size in cells, and how many of its hosts fit. */
export interface WallTile {
  group: WallGroup;
  width: number;
  height: number;
  /** Hosts drawn; the rest (the best, since they are sorted worst first) are counted on a last line. */
  shown: number;
}

/** A page is rows of tiles side by side; `spacing` blank lines between hosts where the screen has room to spare. */
export interface WallPage {
  rows: WallTile[][];
  spacing: number;
}

/** Narrower tiles cut host names and reasons; wider ones leave too much empty room between name and reason. */
const TILE_MIN_WIDTH = 38;
const TILE_MAX_WIDTH = 100;
/** Border and title line. */
const TILE_CHROME = 3;

/** A host's lines: its own, one more for its maintenance flag, and the blank lines between hosts. */
function hostLines(host: WallHost, spacing: number): number {
  return (host.maintenance ? 2 : 1) + spacing;
}

/** How many of a group's hosts fit in `room` lines, keeping one for "+N more" when not all do. */
function shownHosts(group: WallGroup, room: number, spacing: number): { shown: number; lines: number } {
  const total = group.hosts.reduce((n, h) => n + hostLines(h, spacing), 0);
  if (total <= room) return { shown: group.hosts.length, lines: total };
  let lines = 0;
  let shown = 0;
  for (const host of group.hosts) {
    if (lines + hostLines(host, spacing) > room - 1) break;
    lines += hostLines(host, spacing);
    shown++;
  }
  return { shown, lines: lines + 1 };
}

function paginate(groups: readonly WallGroup[], columns: number, rows: number, perRow: number, spacing: number): WallPage[] {
  const width = Math.floor(columns / perRow);
  const pages: WallPage[] = [];
  let page: WallTile[][] = [];
  let used = 0;
  for (let i = 0; i < groups.length; i += perRow) {
    const tiles = groups.slice(i, i + perRow).map((group) => {
      const { shown, lines } = shownHosts(group, Math.max(1, rows - TILE_CHROME), spacing);
      return { group, width, height: lines + TILE_CHROME, shown };
    });
    const height = Math.max(...tiles.map((t) => t.height));
    if (used + height > rows && page.length > 0) {
      pages.push({ rows: page, spacing });
      page = [];
      used = 0;
    }
    page.push(tiles);
    used += height;
  }
  pages.push({ rows: page, spacing });
  return pages;
}

/**
 * The groups laid out in tiles, rows of tiles filling the height; what does not fit goes on the next
 * page, and every group is on exactly one page, so cycling through the pages shows every host. The
 * fewest pages win, then the widest tiles; on a big screen with room to spare the hosts are spaced
 * out, to be read from further away.
 */
export function wallPages(groups: readonly WallGroup[], columns: number, rows: number): WallPage[] {
  if (groups.length === 0) return [{ rows: [], spacing: 0 }];
  const most = Math.max(1, Math.min(groups.length, Math.floor(columns / TILE_MIN_WIDTH)));
  const fewest = Math.min(most, Math.max(1, Math.ceil(columns / TILE_MAX_WIDTH)));
  let best = paginate(groups, columns, rows, fewest, 0);
  for (let perRow = fewest + 1; perRow <= most && best.length > 1; perRow++) {
    const pages = paginate(groups, columns, rows, perRow, 0);
    if (pages.length < best.length) best = pages;
  }
  if (best.length === 1) {
    const perRow = best[0]!.rows[0]?.length ?? 1;
    const spaced = paginate(groups, columns, rows, perRow, 1);
    if (spaced.length === 1) return spaced;
  }
  return best;
}
