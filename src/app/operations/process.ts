// TERM (T, after a yes) and KILL (K, after typing the pid) to the process selected in the Resources
// pane's top list, the htop habit; then read the host's /proc until the process is gone: the verdict is
// that, not kill's exit status. pid 1 and opsdeck itself are refused before anything is asked.
import { killArgv, type ProcessSignal } from '../../domain/process-control.js';
import { processRows, selectedProcessRow } from '../process-rows.js';
import type { DataState, UiState } from '../store.js';
import type { OperationKind, OperationOutcome } from './types.js';

export interface ProcessParams {
  host: string;
  /** Whether the host is this machine: opsdeck's own pids are refused only there. */
  local: boolean;
  pid: number;
  name: string;
  user: string;
  cpuPercent: number;
  memBytes: number;
  signal: ProcessSignal;
  /** `sudo -n` before kill (an SSH host with `sudo: true`). */
  sudo: boolean;
}

/** How long a signalled process may take to go before the operation says it did not. */
export const PROCESS_VERIFY_MS = 5000;
const VERIFY_EVERY_MS = 200;
const READ_TIMEOUT_MS = 10_000;

/** Why this pid is not signalled from opsdeck, if it is not. */
function refusal(local: boolean, pid: number): string | undefined {
  if (pid === 1) return 'pid 1 is the init process: opsdeck never signals it';
  if (local && pid === process.pid) return `pid ${pid} is opsdeck itself: quit with q instead`;
  // The launcher (bin/opsdeck) waits on opsdeck to restore the terminal should it die.
  if (local && pid === process.ppid) return `pid ${pid} is opsdeck's own parent (its launcher or shell): refused`;
  return undefined;
}

function selectedProcess(signal: ProcessSignal) {
  return (data: DataState, ui: UiState): { params: ProcessParams } | { error: string } => {
    const list = processRows(data, ui);
    if (!list) return { error: ui.group ? `group ${ui.group} is in view: pick one host (Enter in Hosts) to see its processes` : 'no process list for this host yet' };
    const { row } = selectedProcessRow(list.host, list.rows, ui);
    if (!row) return { error: 'no process selected: move onto one in the Resources pane' };
    const host = data.hosts[list.host]!;
    const refused = refusal(host.local, row.pid);
    if (refused) return { error: refused };
    return { params: { host: list.host, local: host.local, pid: row.pid, name: row.name, user: row.user, cpuPercent: row.cpuPercent, memBytes: row.memBytes, signal, sudo: host.sudo } };
  };
}

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

function processOperation(signal: ProcessSignal): OperationKind<ProcessParams> {
  return {
    key:
      signal === 'TERM'
        ? { context: 'resources', binding: 'term-process', help: 'send TERM to the selected process (after a yes), then check it is gone' }
        : { context: 'resources', binding: 'kill-process', help: 'send KILL to the selected process (after typing its pid), then check it is gone' },
    changesOutside: true,
    fromSelection: selectedProcess(signal),
    describe: (p) => ({
      title: `${signal} pid ${p.pid} (${p.name}) on ${p.host}`,
      lines: [`${p.name} · user ${p.user} · cpu ${p.cpuPercent.toFixed(1)}% · mem ${Math.round(p.memBytes / 1048576)} MiB`, `then verified: pid ${p.pid} gone within ${PROCESS_VERIFY_MS / 1000} s`],
      host: p.host,
      target: `process:${p.host}/${p.pid}`,
      command: killArgv(p.pid, signal, p.sudo).join(' '),
      detail: { pid: p.pid, name: p.name, user: p.user, signal },
    }),
    // KILL gives the process no chance to clean up: its pid is typed, not a reflex y.
    confirmation: (p) => (signal === 'KILL' ? { kind: 'typed', word: String(p.pid) } : { kind: 'yes' }),
    async run(p, ports, abort): Promise<OperationOutcome> {
      const refused = refusal(p.local, p.pid);
      if (refused) return { outcome: 'failed', message: refused };
      const processes = ports.processes(p.host);
      if (!processes) return { outcome: 'failed', message: `${p.host}: no such host being watched` };
      const bounded = () => AbortSignal.any([abort, AbortSignal.timeout(READ_TIMEOUT_MS)]);
      if ((await processes.signal(p.pid, signal, bounded())) === 'gone') return { outcome: 'not-found', message: `${p.host}: no process ${p.pid} (${p.name}): it had already ended` };
      for (const until = Date.now() + PROCESS_VERIFY_MS; ; ) {
        if (!(await processes.alive(p.pid, bounded()))) return { outcome: 'ok', message: `${p.host}: pid ${p.pid} (${p.name}) sent ${signal}, verified gone` };
        if (Date.now() >= until) {
          const next = signal === 'TERM' ? ' (it may ignore TERM; K sends KILL)' : '';
          return { outcome: 'failed', message: `${p.host}: pid ${p.pid} (${p.name}) still running ${PROCESS_VERIFY_MS / 1000} s after ${signal}${next}` };
        }
        await wait(VERIFY_EVERY_MS, abort);
      }
    },
  };
}

export const termProcess = processOperation('TERM');
export const killProcess = processOperation('KILL');
