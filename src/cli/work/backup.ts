// What `opsdeck backup`, `opsdeck restore` and `opsdeck test-restore` do (src/cli/backup.ts declares
// them): one operation through the operation runner, progress on stderr, the result on stdout.
import { createInterface } from 'node:readline/promises';
import type { OpsConfig } from '../../app/config/resolve.js';
import { OperationRunner, type StepResult } from '../../app/operation-runner.js';
import type { Operation } from '../../app/operations/registry.js';
import { configuredBackupView } from '../../app/sources/backups/index.js';
import { cut } from '../../panes/format.js';
import { usageError, type ConfigFlags } from '../flags.js';
import { configOrExit } from './config.js';

const EXIT_FAILED = 1;
/** Progress lines on a stderr that is not a terminal (a log, a journal): one this often. */
const PROGRESS_LINE_MS = 5000;

export type Format = 'text' | 'json';

export interface CommonOptions extends ConfigFlags {
  format: Format;
}

function backupTarget(config: OpsConfig, database: string) {
  const view = configuredBackupView(config, database);
  if (view) return { database: view.database, kind: view.kind, host: view.host, dir: view.dir, apps: view.apps };
  const known = Object.entries(config.databases ?? {}).flatMap(([name, spec]) => (spec.backup ? [name] : []));
  return usageError(`no database "${database}" with backup: in ${config.file ?? 'the config'} (${known.length > 0 ? `those with backup: ${known.join(', ')}` : 'none has backup: {dir, keep}'})`);
}

/** Runs one operation through the runner (the cockpit's executor); progress goes to stderr, the result to stdout. */
async function run(config: OpsConfig, operation: Operation, format: Format): Promise<number> {
  const terminal = process.stderr.isTTY === true;
  let printedAt = 0;
  const say = (text: string, level: 'info' | 'error') => {
    if (level !== 'info') return;
    // \r and erase-line reach back over one row only: a line that wrapped would leave its first rows behind.
    if (terminal) process.stderr.write(`\r\u001b[K${cut(text, Math.max(1, (process.stderr.columns || 80) - 1))}`);
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
    if (options.confirm === undefined) usageError(`--replace with --yes also needs --confirm ${database}`);
    return options.confirm === database;
  }
  if (!process.stdin.isTTY) usageError(`--replace needs the database's name typed on a terminal, or --yes --confirm ${database}`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await prompt.question(`This REPLACES the live database ${database}. Type its name to go on: `)).trim() === database;
  } finally {
    prompt.close();
  }
}

export async function backup(database: string, options: CommonOptions): Promise<void> {
  const config = configOrExit(options);
  process.exitCode = await run(config, { kind: 'db.backup', params: backupTarget(config, database) }, options.format);
}

export async function restore(database: string, file: string, options: CommonOptions & { into?: string; replace?: boolean; yes?: boolean; confirm?: string }): Promise<void> {
  const config = configOrExit(options);
  const target = backupTarget(config, database);
  if (options.replace && !(await confirmReplace(database, options))) {
    process.stderr.write(`opsdeck: not confirmed: ${database} was not replaced\n`);
    process.exitCode = EXIT_FAILED;
    return;
  }
  process.exitCode = await run(config, { kind: 'db.restore', params: { ...target, fileName: file, ...(options.into ? { into: options.into } : {}) } }, options.format);
}

export async function testRestore(database: string, file: string, options: CommonOptions): Promise<void> {
  const config = configOrExit(options);
  process.exitCode = await run(config, { kind: 'db.test-restore', params: { ...backupTarget(config, database), fileName: file } }, options.format);
}
