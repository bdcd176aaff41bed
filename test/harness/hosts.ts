// HostConfig values and direct connections shared by the SSH integration tests.
import { DEFAULT_THRESHOLDS } from '../../src/app/config/resolve.js';
import type { HostConfig } from '../../src/domain/model.js';
import { SSH_DEFAULTS } from '../../src/services/ssh/adapter.js';
import { SshConnection } from '../../src/services/ssh/connection.js';
import { resolveTarget } from '../../src/services/ssh/target.js';

export function sshHost(name: string, ssh: string, overrides: Partial<HostConfig> = {}): HostConfig {
  return {
    name,
    local: false,
    ssh,
    services: [],
    systemctl: 'systemctl',
    sudo: false,
    logs: [],
    readOnly: false,
    thresholds: DEFAULT_THRESHOLDS,
    ...overrides,
  };
}

/** One connection to `alias` in a workspace's ssh config, as the adapter makes them, for tests that exec directly. */
export function testConnection(sshConfig: string, home: string, alias: string, channels: { maxChannels?: number; followerChannels?: number } = {}): SshConnection {
  const connection = new SshConnection(alias, alias, (spec) => resolveTarget(spec, { ssh: 'ssh', configFile: sshConfig, home, agent: false }), {
    ...SSH_DEFAULTS,
    ...channels,
    backoff: { initialMs: 100, maxMs: 500 },
    extraKnownHosts: [],
    identityFiles: [],
    acceptNew: false,
  });
  connection.start();
  return connection;
}
