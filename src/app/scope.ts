// Which hosts the detail panes show: the selected host, or every host of the chosen group (fleet view).
import type { DataState, UiState } from './store.js';

export function selectedHost(data: DataState, ui: UiState): string {
  return ui.host && Object.hasOwn(data.hosts, ui.host) ? ui.host : (data.hostOrder[0] ?? '');
}

export function scopeHosts(data: DataState, ui: UiState): string[] {
  if (ui.group) return data.hostOrder.filter((name) => data.hosts[name]?.group === ui.group);
  const host = selectedHost(data, ui);
  return host ? [host] : [];
}

export function scopeLabel(data: DataState, ui: UiState): string {
  return ui.group ? `group ${ui.group} (${scopeHosts(data, ui).length} hosts)` : selectedHost(data, ui);
}

export function groups(data: DataState): string[] {
  return [...new Set(data.hostOrder.map((h) => data.hosts[h]?.group).filter((g): g is string => Boolean(g)))];
}
