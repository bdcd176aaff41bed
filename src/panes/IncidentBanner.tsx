// The line under the tab bar while an incident is open: its severity (Garden DX's level and what it
// means), title, how long it has been open, and the keys that close it and write its report.
import { Box, Text } from 'ink';
import { formatDuration, secondNow } from '../domain/duration.js';
import { SEVERITY_MEANING, type Incident } from '../domain/incident.js';
import { useOps } from '../hooks/store.js';
import { MARK, useTheme } from './theme.js';

/** Whole seconds: the banner is redrawn each second, a tenth would only flicker. */
const openFor = (ms: number): string => (ms < 1000 ? '0s' : formatDuration(Math.floor(ms / 1000) * 1000));

export function IncidentBanner({ incident, width, now, keys }: { incident: Incident; width: number; now: number; keys: { close?: string; report?: string } }) {
  const theme = useTheme();
  const urgent = incident.severity === 'P1' || incident.severity === 'P2';
  const hints = [keys.close ? `${keys.close} close` : '', keys.report ? `${keys.report} report` : ''].filter(Boolean).join(' · ');
  const text = `${urgent ? MARK.crit : MARK.warn} INCIDENT ${incident.severity} (${SEVERITY_MEANING[incident.severity].meaning}) ${incident.title} · open ${openFor(now - incident.startedAt)} · ${incident.id}${hints ? ` · ${hints}` : ''}`;
  return (
    <Box width={width} height={1}>
      <Text bold inverse color={urgent ? theme.crit : theme.warn} wrap="truncate">
        {text}
      </Text>
    </Box>
  );
}

/** The banner of the incident open now, if one is: under the cockpit's tab bar, and on the wall. */
export function IncidentLine({ width, keys }: { width: number; keys: { close?: string; report?: string } }) {
  const incident = useOps((s) => s.data.incident);
  // Read at each commit (one a refresh at least): the open time counts up, as the maintenance banner counts down.
  const now = useOps(secondNow);
  return incident ? <IncidentBanner incident={incident} width={width} now={now} keys={keys} /> : null;
}
