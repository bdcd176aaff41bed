// What `opsdeck snapshot` does (src/cli.ts declares it): every source collected once, printed.
import { collectSnapshot, failOnVerdict, snapshotJson, snapshotMarkdown, snapshotText, type SnapshotFormat } from '../../app/snapshot.js';
import type { ConfigFlags } from '../flags.js';
import { configOrExit } from './config.js';

export async function snapshot(options: ConfigFlags & { format: SnapshotFormat; failOn?: 'warn' | 'crit' | 'down' }): Promise<void> {
  const config = configOrExit(options);
  const data = await collectSnapshot(config, 0);
  const output = options.format === 'json' ? `${JSON.stringify(snapshotJson(data, config), null, 2)}\n` : options.format === 'markdown' ? snapshotMarkdown(data, config) : snapshotText(data);
  process.stdout.write(output);
  if (options.failOn) {
    const verdict = failOnVerdict(data, options.failOn);
    if (verdict.message) process.stderr.write(verdict.message);
    process.exitCode = verdict.exitCode;
  }
}
