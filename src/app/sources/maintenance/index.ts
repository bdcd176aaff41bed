// maintenance: a host's maintenance flag file, read each tick (hosts with `maintenance: PATH` only): set
// or not, and what it says (who, when, why, until when). Its expiry passing is an event, once.
import { formatClock } from '../../../domain/duration.js';
import { maintenanceExpired, noteSummary, parseMaintenanceNote, type MaintenanceFlagNote } from '../../../domain/maintenance.js';
import type { OpsEvent } from '../../../domain/model.js';
import { hostSourceId, type SourceId } from '../../../domain/source-id.js';
import { safeText, withEvents } from '../../apply.js';
import type { DataState, HostView } from '../../store.js';
import type { KindSource, ReduceContext, SourceKindModule } from '../kind.js';

/** The note as the screen may show it: anyone who can write the file chooses its text. */
function readNote(content: string): MaintenanceFlagNote {
  const { who, why, ...times } = parseMaintenanceNote(content);
  return { ...times, ...(who === undefined ? {} : { who: safeText(who) }), ...(why === undefined ? {} : { why: safeText(why) }) };
}

const sameNote = (a: MaintenanceFlagNote | undefined, b: MaintenanceFlagNote | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.who === b.who && a.why === b.why && a.at === b.at && a.expiresAt === b.expiresAt);

function reduceMaintenance(data: DataState, id: SourceId<'maintenance'>, content: string | null, { at }: ReduceContext): DataState {
  const host = data.hosts[id.host];
  if (!host) return data;
  const on = content !== null;
  const read = on ? readNote(content) : undefined;
  const note = sameNote(read, host.maintenanceNote) ? host.maintenanceNote : read;
  const expired = maintenanceExpired(note, at);
  if (host.maintenanceOn === on && note === host.maintenanceNote && expired === (host.maintenanceExpired ?? false)) return data;
  const events: OpsEvent[] = [];
  // Learning at start-up that the flag is not set is no news.
  if (host.maintenanceOn !== on && !(host.maintenanceOn === undefined && !on)) {
    events.push({ at, host: id.host, kind: 'action', level: on ? 'warn' : 'info', message: on ? `maintenance flag set ${noteSummary(note)} (${host.maintenancePath})` : `maintenance flag cleared (${host.maintenancePath})` });
  } else if (on && host.maintenanceOn && note !== host.maintenanceNote) {
    // Written again (someone else, another reason, a new expiry) without being cleared in between.
    events.push({ at, host: id.host, kind: 'action', level: 'warn', message: `maintenance flag rewritten ${noteSummary(note)}${note?.expiresAt === undefined ? '' : `, until ${formatClock(note.expiresAt)}`} (${host.maintenancePath})` });
  }
  if (expired && !host.maintenanceExpired) {
    events.push({ at, host: id.host, kind: 'action', level: 'warn', message: `maintenance flag EXPIRED at ${formatClock(note!.expiresAt!)} (${noteSummary(note)}), still in place until cleared (${host.maintenancePath})` });
  }
  const next: HostView = { ...host, maintenanceOn: on, maintenanceNote: note, maintenanceExpired: expired };
  return withEvents({ ...data, hosts: { ...data.hosts, [id.host]: next } }, events);
}

export const maintenanceKind: SourceKindModule<'maintenance', string | null> = {
  sources: ({ hosts }) =>
    hosts.flatMap(({ host, watch }): KindSource<'maintenance', string | null>[] =>
      watch.maintenance ? [{ id: hostSourceId(host.name, 'maintenance'), label: 'maintenance flag', collect: { poll: watch.maintenance } }] : [],
    ),
  reduce: reduceMaintenance,
  snapshot: {
    hostJson: (_data, h) => ({
      maintenance: h.maintenancePath
        ? {
            path: h.maintenancePath,
            on: h.maintenanceOn ?? null,
            ...(h.maintenanceOn ? { who: h.maintenanceNote?.who ?? null, why: h.maintenanceNote?.why ?? null, since: isoOrNull(h.maintenanceNote?.at), expires: isoOrNull(h.maintenanceNote?.expiresAt), expired: h.maintenanceExpired ?? false } : {}),
          }
        : null,
    }),
    hostMarkdown: (_data, h) =>
      h.maintenanceOn
        ? ['', `**Maintenance** ${noteSummary(h.maintenanceNote)}; ${h.maintenanceNote?.expiresAt === undefined ? 'no expiry' : `${h.maintenanceExpired ? 'EXPIRED' : 'expires'} ${isoOrNull(h.maintenanceNote.expiresAt)}`} (${h.maintenancePath})`]
        : [],
  },
};

const isoOrNull = (at: number | undefined): string | null => (at === undefined ? null : new Date(at).toISOString());
