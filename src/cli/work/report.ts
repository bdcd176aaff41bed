// What `opsdeck report` does (src/cli/report.ts declares it): an incident's postmortem draft
// (src/app/postmortem.ts), with the state now when the incident is still open.
import { writeFile } from 'node:fs/promises';
import { buildPostmortem, stateCapture, type ReportSelection } from '../../app/postmortem.js';
import { collectSnapshot } from '../../app/snapshot.js';
import { configHosts } from '../../app/timeline.js';
import { auditLogPath } from '../../services/audit.js';
import { IncidentStore } from '../../services/incidents.js';
import { timelineDir } from '../../services/timeline-file.js';
import type { ConfigFlags } from '../flags.js';
import { configOrExit } from './config.js';

export async function report(selection: ReportSelection, options: ConfigFlags & { output?: string }): Promise<void> {
  const config = configOrExit(options);
  const stateNow = async (errorsFrom: number) => stateCapture(await collectSnapshot(config), config, Date.now(), errorsFrom, '`opsdeck report`');
  try {
    const { markdown } = await buildPostmortem({ incidents: new IncidentStore(), timelineDir: timelineDir(), auditPath: auditLogPath(), stateNow, hosts: configHosts(config) }, selection);
    if (options.output) {
      await writeFile(options.output, markdown);
      process.stderr.write(`report written to ${options.output}\n`);
    } else process.stdout.write(markdown);
  } catch (error) {
    process.stderr.write(`opsdeck: report: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
