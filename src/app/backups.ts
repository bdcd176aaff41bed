// The backup doors of the configured databases (`databases.NAME.backup`): what the runtime's ports
// and `opsdeck backup|restore` hand the backup operations.
import type { BackupControl } from '../domain/backup.js';
import { backupControl } from '../services/backup/index.js';
import type { OpsConfig } from './config/resolve.js';

export function configuredBackups(config: OpsConfig): Map<string, BackupControl> {
  const controls = new Map<string, BackupControl>();
  for (const [name, spec] of Object.entries(config.databases ?? {})) {
    const backup = spec.backup;
    if (!backup) continue;
    const viaLocal = spec.via !== undefined && config.hosts.some((h) => h.name === spec.via && h.local);
    controls.set(name, backupControl(name, { ...spec, backup }, { viaLocal }));
  }
  return controls;
}
