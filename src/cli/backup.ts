// `opsdeck backup`, `opsdeck restore` and `opsdeck test-restore`: the backup operations without the
// screen, through the operation runner and so the cockpit's executor (read-only refusal, audit before
// and after, progress, Ctrl-C cancels; the app hosts' maintenance flags, local or over SSH). Exit 0 done, 1 failed / refused / cancelled, 2 bad config or usage.
import { Option, type Command } from 'commander';
import { configFlags, usageError } from './flags.js';
import type { CommonOptions } from './work/backup.js';

const work = () => import('./work/backup.js');

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');

export function addBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('back up a database with backup: in the config: dumped under a temporary name, verified by a full read, sha256 sidecar, renamed, then retention; exit 0, 1 failed or refused, 2 usage')
    .argument('<database>', 'its name under databases: in the config')
    .option('-c, --config <file>', 'config file')
    .option('--read-only', 'refuse (and audit the refusal)')
    .addOption(formatOption())
    .action(async (database: string, options: CommonOptions) => {
      await (await work()).backup(database, { ...options, ...configFlags(program, options) });
    });

  program
    .command('restore')
    .description('restore a backup (its sha256 checked first): --into NAME creates a new database (the safe default, to check a backup); --replace restores over the live one after its name is typed')
    .argument('<database>', 'its name under databases: in the config')
    .argument('<file>', 'a backup file name in its backup dir, or a path')
    .option('--into <name>', 'a new database to create and restore into')
    .option('--replace', 'restore over the live database')
    .option('-y, --yes', 'with --replace and --confirm: do not ask')
    .option('--confirm <name>', 'with --yes: the database name, typed in the script')
    .option('-c, --config <file>', 'config file')
    .option('--read-only', 'refuse (and audit the refusal)')
    .addOption(formatOption())
    .action(async (database: string, file: string, options: CommonOptions & { into?: string; replace?: boolean; yes?: boolean; confirm?: string }) => {
      if ((options.into === undefined) === (options.replace !== true)) usageError('restore needs one of --into NEWNAME (a new database) or --replace (over the live one)');
      await (await work()).restore(database, file, { ...options, ...configFlags(program, options) });
    });

  program
    .command('test-restore')
    .description('restore a backup into a scratch database (Redis: a scratch server), compare tables and row counts with the source, drop it, record the result beside the backup; exit 0 same, 1 not')
    .argument('<database>', 'its name under databases: in the config')
    .argument('<file>', 'a backup file name in its backup dir, or a path')
    .option('-c, --config <file>', 'config file')
    .option('--read-only', 'refuse (and audit the refusal)')
    .addOption(formatOption())
    .action(async (database: string, file: string, options: CommonOptions) => {
      await (await work()).testRestore(database, file, { ...options, ...configFlags(program, options) });
    });
}
