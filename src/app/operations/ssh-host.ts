// T trusts the SSH host key a host was refused for (fingerprint shown, `yes` typed); R reconnects the
// selected SSH host now instead of waiting for the backoff.
import { hostRows } from '../rows.js';
import type { DataState, UiState } from '../store.js';
import type { OperationKind } from './types.js';

export interface TrustKeyParams {
  host: string;
  address: string;
  offered: string;
  /** The key known_hosts has, when the host's key changed. */
  known?: string;
}

function selectedHostRow(data: DataState, ui: UiState) {
  return hostRows(data, ui)[ui.cursor.hosts];
}

export const trustHostKey: OperationKind<TrustKeyParams> = {
  key: { context: 'hosts', binding: 'trust-key', help: "trust the selected host's SSH key (shows its fingerprint first)" },
  // It writes the operator's known_hosts, nothing on any host: a read-only wall may still do it.
  changesOutside: false,
  fromSelection(data, ui) {
    const row = selectedHostRow(data, ui);
    const connection = row?.host.connection;
    if (!row) return { error: 'no host selected' };
    if (connection?.status !== 'hostkey-refused' || !connection.fingerprint) return { error: `${row.host.name}: no refused host key to trust` };
    return { params: { host: row.host.name, address: row.host.address, offered: connection.fingerprint.offered, ...(connection.fingerprint.known ? { known: connection.fingerprint.known } : {}) } };
  },
  describe: (p) => ({
    title: `trust the SSH host key of ${p.host} (${p.address})`,
    lines: p.known
      ? [`THE KEY CHANGED. known_hosts has: ${p.known}`, `the host now offers:   ${p.offered}`, 'Trust it only if the host was reinstalled and its owner confirmed this fingerprint.']
      : [`the host offers: ${p.offered}`, 'Compare it with the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before trusting it.'],
    host: p.host,
    target: `${p.host} host key`,
    detail: { address: p.address, offered: p.offered, ...(p.known ? { replaces: p.known } : {}) },
  }),
  confirmation: () => ({ kind: 'typed', word: 'yes' }),
  async run(p, ports) {
    const ssh = ports.sshHost(p.host);
    if (!ssh) return { outcome: 'failed', message: `${p.host} is not an SSH host` };
    await ssh.trustHostKey();
    return { outcome: 'ok', message: `${p.host}: host key ${p.offered} trusted, reconnecting` };
  },
};

export const reconnectHost: OperationKind<{ host: string }> = {
  key: { context: 'hosts', binding: 'reconnect', help: 'connect to the selected SSH host again now, without waiting for the backoff' },
  changesOutside: false,
  fromSelection(data, ui) {
    const row = selectedHostRow(data, ui);
    if (!row) return { error: 'no host selected' };
    if (row.host.local) return { error: `${row.host.name}: not an SSH host` };
    return { params: { host: row.host.name } };
  },
  describe: (p) => ({ title: `reconnect ${p.host}`, lines: [], host: p.host, target: `${p.host} connection`, detail: {} }),
  confirmation: () => ({ kind: 'none' }),
  async run(p, ports) {
    const ssh = ports.sshHost(p.host);
    if (!ssh) return { outcome: 'failed', message: `${p.host}: not an SSH host` };
    ssh.reconnect();
    return { outcome: 'ok', message: `${p.host}: reconnecting now` };
  },
};
