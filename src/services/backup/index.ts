// A configured database's backups (`databases.NAME.backup`): backup, list, restore and test restore,
// run on this machine with its client programs, into `backup.dir`.
import type { BackupControl } from '../../domain/backup.js';
import type { DatabaseSpec } from '../../domain/database.js';
import { configuredPassword, resolveTarget } from '../db/target.js';
import type { TunnelFactory } from '../db/source.js';
import { runBackup, type BackupPlan } from './backup.js';
import { forwardToSocket } from './forward.js';
import { listBackups } from './inventory.js';
import { BackupError } from './process.js';
import { restoreBackup, testRestoreBackup } from './restore.js';

export { listBackups } from './inventory.js';

export interface BackupSetup {
  /** True when the entry's via: host is this machine (then the server is reached directly). */
  viaLocal?: boolean;
  /** Channels through the via: host's SSH connection (the cockpit has them; `opsdeck backup` opens none). */
  tunnel?: TunnelFactory;
  env?: NodeJS.ProcessEnv;
}

/** The plan a backup of this entry follows; throws BackupError when the entry cannot be backed up from here. */
function backupPlan(name: string, spec: DatabaseSpec, setup: BackupSetup = {}): BackupPlan {
  if (!spec.backup) throw new BackupError(`${name} has no backup: configured (databases.${name}.backup: {dir, keep})`);
  const target = resolveTarget(setup.viaLocal ? { ...spec, via: undefined } : spec);
  if (target.via && !setup.tunnel) throw new BackupError(`${name} is reached through ${target.via}, and this command opens no SSH connection: back it up from the cockpit (b), or run \`opsdeck backup ${name}\` on ${target.via}`);
  const database = target.kind === 'redis' || target.databaseDefaulted ? undefined : target.database;
  return {
    name,
    dir: spec.backup.dir,
    connection: { kind: target.kind, target, database, password: configuredPassword(target, setup.env ?? process.env) },
    retention: { keep: spec.backup.keep, maxAgeDays: spec.backup.maxAge },
  };
}

/** The BackupControl of one configured entry; the plan (its password) is read when each backup starts. */
export function backupControl(name: string, spec: DatabaseSpec & { backup: NonNullable<DatabaseSpec['backup']> }, setup: BackupSetup = {}): BackupControl {
  const kind = resolveTarget(spec).kind;
  /** Runs `work` with the plan, through a socket forwarded over the via: host's SSH connection where there is one. */
  const withPlan = async <T>(signal: AbortSignal, work: (plan: BackupPlan) => Promise<T>): Promise<T> => {
    const plan = backupPlan(name, spec, setup);
    if (!plan.connection.target.via || !setup.tunnel) return work(plan);
    const forward = await forwardToSocket(plan.connection.target, setup.tunnel, signal);
    try {
      return await work({ ...plan, connection: { ...plan.connection, target: forward.target } });
    } finally {
      await forward.close();
    }
  };
  return {
    database: name,
    kind,
    dir: spec.backup.dir,
    backup: (signal, progress) => withPlan(signal, (plan) => runBackup(plan, signal, progress)),
    list: () => listBackups(spec.backup.dir, name, kind),
    restore: (file, target, signal, progress) => withPlan(signal, (plan) => restoreBackup(plan, file, target, signal, progress)),
    testRestore: (file, signal, progress) => withPlan(signal, (plan) => testRestoreBackup(plan, file, signal, progress)),
  };
}
