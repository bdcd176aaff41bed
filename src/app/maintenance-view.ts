// The maintenance banner's words: which host, how long the flag still holds (or that it expired), the
// key that clears it, who set it and why. One derivation for every pane that shows a host.
import { maintenanceExpired, noteSummary } from '../domain/maintenance.js';
import type { HostView } from './store.js';

export interface MaintenanceBanner {
  text: string;
  /** Some flag shown has passed its expiry: drawn in its own colour. */
  expired: boolean;
}

/** Minutes are the resolution an operator plans in: "1h58m", "12m", "<1m", "3d4h". */
export function roughDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return '<1m';
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/**
 * "1h58m left" (rounded up: a flag set for 2h reads "2h00m left", not "1h59m"), in seconds for its
 * last minute (rounded up, "1m left" read as a minute to go with 6 s left), "no expiry" or "EXPIRED 12m ago".
 */
export function timeLeft(host: HostView, now: number): string {
  const expiresAt = host.maintenanceNote?.expiresAt;
  if (expiresAt === undefined) return 'no expiry';
  if (maintenanceExpired(host.maintenanceNote, now)) return `EXPIRED ${roughDuration(now - expiresAt)} ago`;
  const left = expiresAt - now;
  return left < 60_000 ? `${Math.ceil(left / 1000)}s left` : `${roughDuration(Math.ceil(left / 60_000) * 60_000)} left`;
}

const inMaintenance = (hosts: readonly (HostView | undefined)[]): HostView[] => hosts.filter((h): h is HostView => h?.maintenanceOn === true);

/**
 * The banner of a pane showing these hosts; undefined when none is in maintenance. The key comes
 * before the reason, so a narrow pane cuts the reason, not how to clear it.
 */
export function maintenanceBanner(hosts: readonly (HostView | undefined)[], now: number, clearKey: string | undefined): MaintenanceBanner | undefined {
  const flagged = inMaintenance(hosts);
  if (flagged.length === 0) return undefined;
  const expired = flagged.some((h) => maintenanceExpired(h.maintenanceNote, now));
  if (flagged.length === 1 && hosts.length === 1) {
    const host = flagged[0]!;
    return { expired, text: `⚑ MAINTENANCE ${host.name} · ${timeLeft(host, now)} · ${clearKey ? `${clearKey} clears · ` : ''}${noteSummary(host.maintenanceNote)}` };
  }
  return maintenanceSummary(flagged, now, clearKey);
}

/** The line above the panes while any host is in maintenance: each host and its time left. */
export function maintenanceSummary(hosts: readonly (HostView | undefined)[], now: number, clearKey: string | undefined): MaintenanceBanner | undefined {
  const flagged = inMaintenance(hosts);
  if (flagged.length === 0) return undefined;
  return {
    expired: flagged.some((h) => maintenanceExpired(h.maintenanceNote, now)),
    text: `⚑ MAINTENANCE ${flagged.map((h) => `${h.name} ${timeLeft(h, now)}`).join(' · ')}${clearKey ? ` · ${clearKey} on a host clears` : ''}`,
  };
}
