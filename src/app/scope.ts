// Which hosts the detail panes show: the selected host, or every host of the chosen group (fleet view).
// Each function takes only the fields it reads, so a pane can select just those from the store.
import type { DataState, UiState } from './store.js';

type HostList = Pick<DataState, 'hostOrder' | 'hosts'>;
type Scope = Pick<UiState, 'host' | 'group'>;

export function selectedHost(data: HostList, ui: Pick<UiState, 'host'>): string {
  return ui.host && Object.hasOwn(data.hosts, ui.host) ? ui.host : (data.hostOrder[0] ?? '');
}

export function scopeHosts(data: HostList, ui: Scope): string[] {
  if (ui.group) return data.hostOrder.filter((name) => data.hosts[name]?.group === ui.group);
  const host = selectedHost(data, ui);
  return host ? [host] : [];
}

export function scopeLabel(data: HostList, ui: Scope): string {
  return ui.group ? `group ${ui.group} (${scopeHosts(data, ui).length} hosts)` : selectedHost(data, ui);
}

export function groups(data: HostList): string[] {
  return [...new Set(data.hostOrder.map((h) => data.hosts[h]?.group).filter((g): g is string => Boolean(g)))];
}
