// Alertmanager's alerts, grouped by name (the name shown once per group), each with the host it names,
// how long it has fired and whether a silence holds it back; s silences the selected one, S expires it.
import { memo } from 'react';
import { Text } from 'ink';
import { formatDuration } from '../domain/duration.js';
import type { AlertView } from '../app/store.js';
import { scrollTop } from '../app/layout.js';
import { Frame, Note } from './Frame.js';
import { cut, fit } from './format.js';
import { MARK, useTheme } from './theme.js';

export interface AlertsPaneProps {
  rows: readonly AlertView[];
  /** An Alertmanager is in the config: without one there is nothing to count. */
  configured: boolean;
  /** Why there are no rows to show, when the source is not answering. */
  problem?: string;
  width: number;
  height: number;
  focused: boolean;
  cursor: number;
  filter: string;
  now: number;
}

function tone(alert: AlertView): 'crit' | 'warn' | 'pending' {
  if (alert.state !== 'active') return 'pending';
  return alert.severity === 'critical' || alert.severity === 'page' ? 'crit' : 'warn';
}

/** The labels that say more than the name, host and severity already do. */
function otherLabels(alert: AlertView): string {
  return Object.entries(alert.labels)
    .filter(([k]) => !['alertname', 'severity', 'instance', 'job'].includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function AlertsPaneView({ rows, configured, problem, width, height, focused, cursor, filter, now }: AlertsPaneProps) {
  const theme = useTheme();
  const inner = width - 2;
  const visible = Math.max(0, height - 3 - (problem ? 1 : 0));
  const top = scrollTop(cursor, rows.length, visible);
  const nameWidth = Math.min(22, Math.max(8, ...rows.map((r) => r.name.length + 1)));
  const hostWidth = Math.min(16, Math.max(6, ...rows.map((r) => (r.host ?? r.labels.instance ?? '').length + 1)));
  const firing = rows.filter((r) => r.state === 'active').length;
  // No Alertmanager to read: counts of nothing would read as "all quiet".
  if (!configured)
    return (
      <Frame title="Alerts" focused={focused} width={width} height={height}>
        <Note>{'no Alertmanager in the config: add alertmanager: {url: "http://alertmanager:9093"} (docs/config.md) to see its alerts here'}</Note>
      </Frame>
    );
  return (
    <Frame title="Alerts" info={`${filter ? `/${filter} ` : ''}${firing} firing, ${rows.length - firing} silenced`} focused={focused} width={width} height={height}>
      <Text bold color={theme.muted}>
        {fit('  ALERT', nameWidth + 2)}
        {fit('HOST', hostWidth)}
        {fit('FOR', 8)}
        {fit('STATE', 10)}
        LABELS / SUMMARY
      </Text>
      {problem ? <Text color={theme.stale}>{cut(problem, inner)}</Text> : null}
      {rows.length === 0 ? <Note>{filter ? `no alert matches "${filter}"` : 'no alerts firing'}</Note> : null}
      {rows.slice(top, top + visible).map((alert, i) => {
        const index = top + i;
        const t = tone(alert);
        const sameGroup = index > 0 && rows[index - 1]!.name === alert.name;
        return (
          <Text key={alert.fingerprint} inverse={focused && index === cursor} wrap="truncate">
            <Text color={theme[t]}>{MARK[t]} </Text>
            <Text bold>{fit(sameGroup ? '' : alert.name, nameWidth)}</Text>
            <Text>{fit(alert.host ?? alert.labels.instance ?? '–', hostWidth)}</Text>
            <Text color={theme.muted}>{fit(formatDuration(Math.max(0, now - alert.since)), 8)}</Text>
            <Text color={theme[t]}>{fit(alert.state === 'active' ? 'firing' : alert.silencedBy.length > 0 ? 'silenced' : 'inhibited', 10)}</Text>
            <Text color={theme.muted}>{alert.summary ?? otherLabels(alert)}</Text>
          </Text>
        );
      })}
    </Frame>
  );
}

export const AlertsPane = memo(AlertsPaneView);
