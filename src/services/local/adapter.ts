// The machine opsdeck runs on: resources, processes, units, maintenance flag and logs, without SSH.
import { access } from 'node:fs/promises';
import { runLocal } from '../exec.js';
import type { HostAdapter, HostControls, HostWatch } from '../host-adapter.js';
import { LocalFileFollower } from '../logs/file-follower.js';
import { LocalJournalFollower } from '../logs/journal-follower.js';
import { SYSTEM_LOG_FILES, type LogStream } from '../logs/stream.js';
import type { HostConfig, LogSourceConfig } from '../../domain/model.js';
import { hasProcfs, ProcProcesses, ProcResources } from './procfs.js';
import { collectLocalProcesses, collectLocalResources } from './resources.js';
import { collectLocalServices } from './services.js';
import { localMaintenanceFlag } from '../maintenance-flag.js';
import { localProcessControl } from '../process-signal.js';
import { localShell } from '../operator-command.js';
import { unitControl } from '../systemd/control.js';

/** The system journal when it has entries, else the classic syslog file; undefined when neither exists. */
export async function detectSystemLog(signal: AbortSignal): Promise<LogSourceConfig | undefined> {
  try {
    const probe = await runLocal('journalctl', ['-n', '1', '-q', '--no-pager'], signal);
    if (probe.code === 0 && probe.stdout.trim() !== '') return { kind: 'journal', unit: '', label: 'journal' };
  } catch {
    // No journalctl here: fall through to files.
  }
  for (const path of SYSTEM_LOG_FILES) {
    try {
      await access(path);
      return { kind: 'file', path, label: path };
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

/** A file is read by opsdeck itself (file-follower.ts); the journal through `journalctl -f`. */
function localLog(host: string, source: LogSourceConfig): LogStream {
  return source.kind === 'file' ? new LocalFileFollower(host, source) : new LocalJournalFollower(host, source);
}

export class LocalHostAdapter implements HostAdapter {
  async watch(host: HostConfig, { timeoutMs }: { timeoutMs: number }): Promise<HostWatch> {
    // /proc where there is one (no process spawned per tick; resources and processes through the SSH
    // probe's parsers and rates, so their figures mean what they mean on remote hosts);
    // systeminformation elsewhere (macOS).
    const procfs = await hasProcfs();
    const proc = procfs ? new ProcResources() : undefined;
    const procProcesses = procfs ? new ProcProcesses() : undefined;
    const controls = this.controls(host);
    // A file we may not read is an error, not "no maintenance".
    const flag = controls.maintenanceFlag;

    let logs = host.logs === 'auto' ? [] : host.logs;
    let logNote: string | undefined;
    if (host.logs === 'auto') {
      const detected = await detectSystemLog(AbortSignal.timeout(timeoutMs));
      if (detected) logs = [detected];
      else
        logNote = `No system log found on ${host.name} (no journal entries, no ${SYSTEM_LOG_FILES.join(' or ')}). Add one to the config: hosts: {${host.name}: {local: true, logs: [{file: /var/log/app.log}]}}`;
    }
    return {
      resources: { timeoutMs, collect: () => (proc ? proc.collect() : collectLocalResources()) },
      processes: { refreshFactor: 2, minPeriodMs: 5000, timeoutMs, collect: (signal) => (procProcesses ? procProcesses.collect(signal) : collectLocalProcesses()), resume: () => procProcesses?.resume() },
      services: { timeoutMs, collect: (signal) => collectLocalServices(host.systemctl, host.services, signal) },
      maintenance: flag ? { timeoutMs, collect: async (signal) => (await flag.read(signal)) ?? null } : undefined,
      ...controls,
      logStreams: logs.map((source) => localLog(host.name, source)),
      followLog: (source) => localLog(host.name, source),
      logNote,
    };
  }

  controls(host: HostConfig): HostControls {
    return {
      // execFile, no shell: the unit name is one argument whatever it holds.
      units: unitControl(host, (argv, signal) => runLocal(argv[0]!, argv.slice(1), signal)),
      processControl: localProcessControl(),
      maintenanceFlag: host.maintenance ? localMaintenanceFlag(host.maintenance) : undefined,
      shell: localShell(),
    };
  }

  close(): void {}
}
