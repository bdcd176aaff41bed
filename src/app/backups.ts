// The backup doors of the configured databases (`databases.NAME.backup`): what the runtime's ports
// and `opsdeck backup|restore` hand the backup operations.
import type { BackupControl } from '../domain/backup.js';
import { backupControl } from '../services/backup/index.js';
import type { TunnelFactory } from '../services/db/index.js';
import type { OpsConfig } from './config/resolve.js';

/** `tunnel` opens channels through a watched SSH host, for databases reached with `via:`; without it they are refused. */
export function configuredBackups(config: OpsConfig, tunnel?: (hostName: string) => TunnelFactory | undefined): Map<string, BackupControl> {
  const controls = new Map<string, BackupControl>();
  for (const [name, spec] of Object.entries(config.databases ?? {})) {
    const backup = spec.backup;
    if (!backup) continue;
    const viaLocal = spec.via !== undefined && config.hosts.some((h) => h.name === spec.via && h.local);
    const through = spec.via !== undefined && !viaLocal ? tunnel?.(spec.via) : undefined;
    controls.set(name, backupControl(name, { ...spec, backup }, { viaLocal, ...(through ? { tunnel: through } : {}) }));
  }
  return controls;
}
