// The wall display (`opsdeck --wall`): a tile per host group, worst first, big marks and names to read
// from across a room; pages cycle on a timer when the tiles do not fit. It takes no input but quit.
import { memo, useEffect, useMemo, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { formatClock, formatDuration, secondNow } from '../domain/duration.js';
import { formatBytes } from '../domain/bytes.js';
import { keyName } from '../hooks/keys.js';
import { charKey } from '../app/dispatch.js';
import { useOps, useTerminalSize } from '../hooks/store.js';
import { CHECKS, wallGroups, wallPages, type WallHost, type WallState, type WallTile } from '../app/wall.js';
import { cut, fit, widthOf } from './format.js';
import { shownMessage } from './Chrome.js';
import { IncidentLine } from './IncidentBanner.js';
import { MARK, useTheme, type Tone } from './theme.js';

const STATE_MARK: Record<WallState, string> = MARK;
const STATE_TONE: Record<WallState, Tone> = { ok: 'ok', warn: 'warn', crit: 'crit', down: 'down', pending: 'pending' };
const STATE_WORD: Record<WallState, string> = { ok: 'OK', warn: 'WARN', crit: 'CRIT', down: 'DOWN', pending: 'WAITING' };


function HostLine({ host, width, spacing }: { host: WallHost; width: number; spacing: number }) {
  const theme = useTheme();
  const reasons = host.reasons.join(' · ');
  // What is wrong matters more than the whole name: a long name leaves the reason half the line.
  const name = cut(`${STATE_MARK[host.state]} ${host.name}`, reasons ? Math.max(8, Math.min(widthOf(`${STATE_MARK[host.state]} ${host.name}`), Math.floor(width / 2))) : width);
  return (
    <Box flexDirection="column" marginTop={spacing}>
      <Text wrap="truncate">
        <Text bold color={theme[STATE_TONE[host.state]]}>
          {name}
        </Text>
        {reasons ? <Text color={host.state === 'ok' ? theme.muted : theme[STATE_TONE[host.state]]}>{`  ${cut(reasons, Math.max(0, width - widthOf(name) - 2))}`}</Text> : null}
      </Text>
      {host.maintenance ? (
        <Text bold inverse={host.maintenance.expired} color={host.maintenance.expired ? theme.expired : theme.warn} wrap="truncate">
          {cut(`  ⚑ MAINTENANCE ${host.maintenance.text}`, width)}
        </Text>
      ) : null}
    </Box>
  );
}

const Tile = memo(function Tile({ tile, height, spacing }: { tile: WallTile; height: number; spacing: number }) {
  const theme = useTheme();
  const { group } = tile;
  const inner = tile.width - 4;
  const counts = (['down', 'crit', 'warn'] as const).flatMap((s) => {
    const n = group.hosts.filter((h) => h.state === s).length;
    return n > 0 ? [`${n} ${s}`] : [];
  });
  const title = ` ${STATE_MARK[group.state]} ${group.name.toUpperCase()}  ${STATE_WORD[group.state]}`;
  // The checks' tile lists checks, not hosts.
  const noun = group.name === CHECKS ? 'check' : 'host';
  const summary = `${counts.length > 0 ? counts.join(' · ') : `${group.hosts.length} ${noun}${group.hosts.length === 1 ? '' : 's'}`} `;
  const hidden = group.hosts.length - tile.shown;
  return (
    <Box width={tile.width} height={height} flexDirection="column" borderStyle="round" borderColor={theme[STATE_TONE[group.state]]} paddingX={1}>
      <Text bold inverse color={theme[STATE_TONE[group.state]]} wrap="truncate">
        {fit(`${title}${' '.repeat(Math.max(1, inner - widthOf(title) - widthOf(summary)))}${summary}`, inner)}
      </Text>
      {group.hosts.slice(0, tile.shown).map((host) => (
        <HostLine key={host.name} host={host} width={inner} spacing={spacing} />
      ))}
      {hidden > 0 ? <Text color={theme.muted}>{`+${hidden} more, each better or the same`}</Text> : null}
    </Box>
  );
});

function WallHeader({ width, page, pages }: { width: number; page: number; pages: number }) {
  const theme = useTheme();
  const left = ' opsdeck wall';
  const right = `${pages > 1 ? `page ${page + 1}/${pages} · ` : ''}${formatClock(Date.now())} `;
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {left}
        </Text>
        <Text>{' '.repeat(Math.max(1, width - widthOf(left) - widthOf(right)))}</Text>
        <Text bold>{right}</Text>
      </Text>
    </Box>
  );
}

/** READ-ONLY, the refresh, opsdeck's own cost and what last went wrong outside the screen (an alert not delivered). */
function WallStatus({ width, refreshMs }: { width: number; refreshMs: number }) {
  const theme = useTheme();
  const self = useOps((s) => s.data.self);
  const message = shownMessage(useOps((s) => s.ui.message), Date.now());
  const left = ` READ-ONLY `;
  const right = ` opsdeck ${self.cpuPercent.toFixed(1)}% ${formatBytes(self.rssBytes)} · refresh ${formatDuration(refreshMs)} · q quit`;
  const room = Math.max(0, width - widthOf(left) - widthOf(right));
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">
        <Text inverse color={theme.readOnly}>
          {left}
        </Text>
        <Text color={message?.level === 'error' ? theme.crit : theme.muted}>{fit(message ? ` ${message.text}` : '', room)}</Text>
        <Text color={theme.muted}>{right}</Text>
      </Text>
    </Box>
  );
}

/** Which page is on screen: the next one every `cycleMs`, back to the first after the last. */
function usePage(pages: number, cycleMs: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (pages <= 1) return;
    const timer = setInterval(() => setTick((t) => t + 1), cycleMs);
    return () => clearInterval(timer);
  }, [pages, cycleMs]);
  return tick % Math.max(1, pages);
}

export function WallScreen({ cycleMs, refreshMs, quitKeys, quit }: { cycleMs: number; refreshMs: number; quitKeys: readonly string[]; quit: () => void }) {
  const { columns, rows } = useTerminalSize();
  const hostOrder = useOps((s) => s.data.hostOrder);
  const hosts = useOps((s) => s.data.hosts);
  const sources = useOps((s) => s.data.sources);
  const databases = useOps((s) => s.data.databases);
  const backups = useOps((s) => s.data.backups);
  const checks = useOps((s) => s.data.checks);
  const logs = useOps((s) => s.data.logs);
  const now = secondNow();
  const groups = useMemo(() => wallGroups({ hostOrder, hosts, sources, databases, backups, checks, logs }, now), [hostOrder, hosts, sources, databases, backups, checks, logs, now]);
  // An open incident is what a wall is looked at for: its banner above the tiles.
  const incidentRows = useOps((s) => (s.data.incident ? 1 : 0));
  const bodyRows = Math.max(1, rows - 2 - incidentRows);
  const pages = useMemo(() => wallPages(groups, columns, bodyRows), [groups, columns, bodyRows]);
  const page = usePage(pages.length, cycleMs);
  // Every key but quit is ignored: a wall display has no operator at its keyboard.
  // Keys typed fast arrive in one read ("zq"): each character counts, as in the cockpit.
  useInput((input, key) => {
    const name = keyName(input, key);
    const names = name === undefined ? [...input].map(charKey) : [name];
    if (names.some((n) => quitKeys.includes(n))) quit();
  });
  const shown = pages[Math.min(page, pages.length - 1)] ?? { rows: [], spacing: 0 };
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <WallHeader width={columns} page={page} pages={pages.length} />
      {incidentRows > 0 ? <IncidentLine width={columns} keys={{}} /> : null}
      <Box flexDirection="column" height={bodyRows}>
        {shown.rows.map((row, i) => {
          const height = Math.max(...row.map((t) => t.height));
          return (
            <Box key={i} flexDirection="row" height={height}>
              {row.map((tile) => (
                <Tile key={tile.group.name} tile={tile} height={height} spacing={shown.spacing} />
              ))}
            </Box>
          );
        })}
      </Box>
      <WallStatus width={columns} refreshMs={refreshMs} />
    </Box>
  );
}
