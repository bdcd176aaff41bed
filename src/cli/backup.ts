// `opsdeck backup`, `opsdeck restore` and `opsdeck test-restore`: the backup operations without the
// screen, through the operation runner and so the cockpit's executor (read-only refusal, audit before
// and after, progress, Ctrl-C cancels; the app hosts' maintenance flags, local or over SSH). Exit 0 done, 1 failed / refused / cancelled, 2 bad config or usage.
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import type { OpsConfig } from '../app/config/resolve.js';
import { OperationRunner, type StepResult } from '../app/operation-runner.js';
import type { Operation } from '../app/operations/registry.js';
import { configuredBackupView } from '../app/sources/backups/index.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** Progress lines on a stderr that is not a terminal (a log, a journal): one this often. */
const PROGRESS_LINE_MS = 5000;

type Format = 'text' | 'json';

interface CommonOptions {
  config?: string;
  format: Format;
  readOnly?: boolean;
}

function usage(message: string): never {
  process.stderr.write(`opsdeck: ${message}\n`);
  process.exit(EXIT_USAGE);
}

function backupTarget(config: OpsConfig, database: string) {
  const view = configuredBackupView(config, database);
  if (view) return { database: view.database, kind: view.kind, host: view.host, dir: view.dir, apps: view.apps };
  const known = Object.entries(config.databases ?? {}).flatMap(([name, spec]) => (spec.backup ? [name] : []));
  return usage(`no database "${database}" with backup: in ${config.file ?? 'the config'} (${known.length > 0 ? `those with backup: ${known.join(', ')}` : 'none has backup: {dir, keep}'})`);
}

/** Runs one operation through the runner (the cockpit's executor); progress goes to stderr, the result to stdout. */
async function run(config: OpsConfig, operation: Operation, format: Format): Promise<number> {
  const terminal = process.stderr.isTTY === true;
  let printedAt = 0;
  const say = (text: string, level: 'info' | 'error') => {
    if (level !== 'info') return;
    if (terminal) process.stderr.write(`\r\u001b[K${text}`);
    else if (Date.now() - printedAt >= PROGRESS_LINE_MS) {
      printedAt = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
  const runner = new OperationRunner(config, { say });
  const stop = () => runner.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let result: StepResult;
  try {
    result = await runner.run(operation);
  } finally {
    runner.close();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (terminal) process.stderr.write('\r\u001b[K');
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ operation: operation.kind, ...operation.params, outcome: result.outcome, message: result.message, auditId: result.id ?? null, ...(result.result ? { result: result.result } : {}) }, null, 2)}\n`);
  } else {
    (result.outcome === 'ok' ? process.stdout : process.stderr).write(`${result.message}\n`);
  }
  return result.outcome === 'ok' ? 0 : EXIT_FAILED;
}

/** --replace: the database's name typed on the terminal, or `--yes --confirm NAME` in a script. */
async function confirmReplace(database: string, options: { yes?: boolean; confirm?: string }): Promise<boolean> {
  if (options.yes) {
    if (options.confirm === undefined) usage(`--replace with --yes also needs --confirm ${database}`);
    return options.confirm === database;
  }
  if (!process.stdin.isTTY) usage(`--replace needs the database's name typed on a terminal, or --yes --confirm ${database}`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`This REPLACES the live database ${database}. Type its name to go on: `)).trim() === database;
  } finally {
    prompt.close();
  }
}

const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');

export function addBackupCommands(program: Command, loadConfig: (flag: string | undefined) => OpsConfig): void {
  const configOf = (options: CommonOptions) => {
    const root = program.opts<{ config?: string; readOnly?: boolean }>();
    const config = loadConfig(options.config ?? root.config);
    if (options.readOnly || root.readOnly) config.readOnly = true;
    return config;
  };
  const finish = (code: number) => {
    process.exitCode = code;
  };

  program
    .command('backup')
    .description('back up a database with backup: in the config: dumped under a temporary name, verified by a full read, sha256 sidecar, renamed, then retention; exit 0, 1 failed or refused, 2 usage')
    .argument('<database>', 'its name under databases: in the config')
    .option('-c, --config <file>', 'config file')
    .option('--read-only', 'refuse (and audit the refusal)')
    .addOption(formatOption())
    .action(async (database: string, options: CommonOptions) => {
      const config = configOf(options);
      finish(await run(config, { kind: 'db.backup', params: backupTarget(config, database) }, options.format));
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
      if ((options.into === undefined) === (options.replace !== true)) usage('restore needs one of --into NEWNAME (a new database) or --replace (over the live one)');
      const config = configOf(options);
      const target = backupTarget(config, database);
      if (options.replace && !(await confirmReplace(database, options))) {
        process.stderr.write(`opsdeck: not confirmed: ${database} was not replaced\n`);
        return finish(EXIT_FAILED);
      }
      finish(await run(config, { kind: 'db.restore', params: { ...target, fileName: file, ...(options.into ? { into: options.into } : {}) } }, options.format));
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
      const config = configOf(options);
      finish(await run(config, { kind: 'db.test-restore', params: { ...backupTarget(config, database), fileName: file } }, options.format));
    });
}
