// systemd units: active/sub state coloured by meaning, since when, restarts.
import { memo } from 'react';
import { Text } from 'ink';
import { formatDuration } from '../domain/duration.js';
import type { SourceState } from '../domain/model.js';
import { sourceKey } from '../domain/source-id.js';
import type { ServiceRow } from '../app/rows.js';
import { scrollTop } from '../app/layout.js';
import type { MaintenanceBanner } from '../app/maintenance-view.js';
import { Frame, Note } from './Frame.js';
import { BannerLine } from './MaintenanceBanner.js';
import { fit, fitRight, widthOf } from './format.js';
import { hostColor, MARK, useTheme, type Tone } from './theme.js';

export interface ServicesPaneProps {
  rows: readonly ServiceRow[];
  /** `host/unit` of the units that name a runbook: a failed one shows it, with the key that opens it. */
  runbooks?: ReadonlySet<string>;
  runbookKey?: string;
  /** The maintenance banner of the hosts shown, when one is in maintenance. */
  banner?: MaintenanceBanner;
  /** The services sources of the hosts in view: their errors explain an empty or stale list. */
  sources: readonly SourceState[];
  showHost: boolean;
  /** Each host's colour identity (production in red), wherever its name is shown. */
  hostColors: Readonly<Record<string, string | undefined>>;
  title: string;
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  filter: string;
  now: number;
}

/** A unit's state, which is itself a word (active, failed, activating…), coloured by what it means. */
function activeTone(active: string): Tone {
  if (active === 'active') return 'ok';
  if (active === 'failed') return 'crit';
  if (active === 'inactive' || active === 'unknown') return 'muted';
  return 'warn';
}

function ServicesPaneView({ rows, runbooks, runbookKey, banner, sources, showHost, hostColors, title, width, height, focused, cursor, filter, now }: ServicesPaneProps) {
  const theme = useTheme();
  const inner = width - 2;
  const problems = sources.filter((s) => s.status === 'error' || s.status === 'stale');
  const visible = Math.max(0, height - 3 - problems.length * 2 - (banner ? 1 : 0));
  const top = scrollTop(cursor, rows.length, visible);
  const hostWidth = showHost ? 12 : 0;
  // As wide as the longest unit name (12-40 columns): the description, often the only words an
  // operator reads in their own language, gets the rest.
  const longest = Math.max(0, ...rows.map((r) => widthOf(r.unit.name)));
  const unitWidth = Math.max(12, Math.min(40, longest + 1, inner - hostWidth - 38));
  const info = `${title}${filter ? ` /${filter}` : ''} ${rows.length}`;
  return (
    <Frame title="Services" info={info} focused={focused} width={width} height={height}>
      {banner ? <BannerLine banner={banner} /> : null}
      {problems.map((s) => (
        // A host without systemd has no units to watch: said plainly, not marked down.
        <Note key={sourceKey(s.id)} tone={s.absent ? 'muted' : s.status === 'stale' ? 'stale' : 'down'}>
          {s.absent ? `${s.id.host}: ${s.absent}: ` : s.status === 'stale' ? `${MARK.stale} ${s.id.host}: stale ${formatDuration(now - (s.lastOkAt ?? s.since))}: ` : `${MARK.down} ${s.id.host}: `}
          {s.error}
          {s.hint ? ` — ${s.hint}` : ''}
        </Note>
      ))}
      {/* Columns only where units can be: hosts without systemd have none, and their notes say so. */}
      {rows.length > 0 || sources.some((s) => !s.absent) ? (
        <Text bold color={theme.muted} wrap="truncate">
          {showHost ? fit('HOST', hostWidth) : ''}
          {fit('UNIT', unitWidth)} {fit('ACTIVE', 10)}
          {fit('SUB', 10)}
          {fitRight('SINCE', 8)} {fitRight('RST', 4)}
        </Text>
      ) : null}
      {rows.length === 0 && problems.length === 0 ? (
        <Note>{filter ? `no unit matches "${filter}" (Esc clears)` : sources.length === 0 ? 'no services source' : sources.some((s) => s.status === 'pending') ? 'collecting…' : 'no units watched: list them under hosts.<name>.services in the config'}</Note>
      ) : null}
      {rows.slice(top, top + visible).map((row, i) => {
        const u = row.unit;
        const index = top + i;
        return (
          <Text key={`${row.host}/${u.name}`} inverse={focused && index === cursor} wrap="truncate">
            {showHost ? <Text color={hostColor(theme, hostColors[row.host])}>{fit(row.host, hostWidth)}</Text> : ''}
            <Text bold={u.active === 'failed'}>{fit(u.name, unitWidth)}</Text> <Text color={theme[activeTone(u.active)]}>{fit(u.active, 10)}</Text>
            {/* A failed unit's sub-state says "failed" again: its runbook (and the key) takes that cell, where a narrow pane still shows it. */}
            {u.active === 'failed' && runbooks?.has(`${row.host}/${u.name}`) ? <Text color={theme.accent}>{fit(`▸${runbookKey ?? ''} runbook`, 10)}</Text> : <Text color={theme[activeTone(u.active)]}>{fit(u.sub, 10)}</Text>}
            {fitRight(u.since ? formatDuration(now - u.since) : '–', 8)} <Text color={(u.restarts ?? 0) > 0 ? theme.warn : undefined}>{fitRight(u.restarts === undefined ? '–' : String(u.restarts), 4)}</Text>
            <Text color={theme.muted}> {u.description}</Text>
          </Text>
        );
      })}
    </Frame>
  );
}

export const ServicesPane = memo(ServicesPaneView);
