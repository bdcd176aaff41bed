// The event details view (Enter on an Events row): its time, host, level and kind, its audit id and
// incident when it has them, and its whole message wrapped to the width (a row cuts it to one line);
// j/k scroll, Esc back.
import type { EventDetailsState } from '../app/store.js';
import { formatDayClock } from '../domain/duration.js';
import type { OpsEvent } from '../domain/model.js';
import { fit } from './format.js';
import { ScrolledDetails, wrapped, type DetailLine } from './QueryDetails.js';

const TONES: Partial<Record<OpsEvent['level'], DetailLine['tone']>> = { warn: 'warn', crit: 'error' };

/** Every line of the view at this width, for drawing and for the scroll limit. */
export function eventDetailLines(event: OpsEvent, width: number): DetailLine[] {
  const fields: [string, string | undefined][] = [
    ['time', `${new Date(event.at).getFullYear()}-${formatDayClock(event.at)}`],
    ['host', event.host || undefined],
    ['level', event.level.toUpperCase()],
    ['kind', event.kind],
    ['audit id', event.auditId],
    ['incident', event.incident],
  ];
  return [
    ...fields.flatMap(([label, value]) => (value === undefined ? [] : wrapped(`${fit(label, 10)}${value}`, width, label === 'level' ? TONES[event.level] : undefined))),
    { text: '' },
    { text: 'Message', tone: 'title' },
    ...wrapped(event.message, width),
  ];
}

export function EventDetailsView({ view, lines, width, height }: { view: EventDetailsState; lines: readonly DetailLine[]; width: number; height: number }) {
  return <ScrolledDetails title={(more) => `Event${view.event.host ? ` on ${view.event.host}` : ''} — Esc back${more}`} lines={lines} scroll={view.scroll} width={width} height={height} />;
}
