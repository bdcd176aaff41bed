// Restart (r), reload (L), start (s) and stop (S) the unit selected in the Services pane, then read its
// state back until it settles: the verdict is the unit's state, not systemctl's exit code.
import type { UnitState } from '../../domain/model.js';
import { describeState, judgeUnit, unitCommand, type UnitControl, type UnitVerb } from '../../domain/unit-control.js';
import { serviceRows } from '../rows.js';
import type { OperationKind, OperationOutcome } from './types.js';

export interface UnitParams {
  host: string;
  unit: string;
  verb: UnitVerb;
  systemctl: string;
  sudo: boolean;
}

/** systemctl waits for the unit's own start and stop timeouts (90 s by default); the operator can :abort sooner. */
const ACT_TIMEOUT_MS = 120_000;
/** How long the state may take to settle after systemctl returned. */
const SETTLE_TIMEOUT_MS = 20_000;
const POLL_MS = 500;
/** One read of the unit's state or log. */
const READ_TIMEOUT_MS = 15_000;
/**
 * How long a started unit must stay up before it counts as started: systemd calls a simple service
 * running the moment its process is forked, and one that dies on a bad config or a busy port a few
 * seconds later would otherwise be "verified". Stopped is stopped: two reads do.
 */
const STEADY_MS: Record<UnitVerb, number> = { restart: 5000, start: 5000, reload: 5000, stop: POLL_MS };
const JOURNAL_LINES = 5;

const PAST: Record<UnitVerb, string> = { restart: 'restarted', reload: 'reloaded', stop: 'stopped', start: 'started' };
const EXPECTED: Record<UnitVerb, string> = { restart: 'active with a new MainPID', reload: 'active', stop: 'inactive', start: 'active' };

/** The parameters of acting on `unit` of `host` (a watched host's view, or its config on the command line). */
export function unitParams(host: { name: string; systemctl: string; sudo: boolean }, unit: string, verb: UnitVerb): UnitParams {
  return { host: host.name, unit, verb, systemctl: host.systemctl, sudo: host.sudo };
}

const bounded = (signal: AbortSignal, ms: number) => AbortSignal.any([signal, AbortSignal.timeout(ms)]);

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    // Removed when the wait ends: the settle loop waits up to 40 times on one signal.
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Reads the unit until the verdict has held for STEADY_MS or turns failed, or the time is up. */
async function settle(units: UnitControl, p: UnitParams, before: UnitState | undefined, signal: AbortSignal, progress: (text: string) => void): Promise<{ verdict: 'ok' | 'failed' | 'timeout'; state: UnitState }> {
  const until = Date.now() + SETTLE_TIMEOUT_MS;
  const steadyFor = STEADY_MS[p.verb];
  let goodSince: number | undefined;
  let goodPid: number | undefined;
  for (;;) {
    const state = await units.state(p.unit, bounded(signal, READ_TIMEOUT_MS));
    const verdict = judgeUnit(p.verb, before, state);
    if (verdict === 'failed') return { verdict, state };
    if (verdict !== 'ok') goodSince = undefined;
    // Another MainPID is another start: a unit that systemd restarts every two seconds (Restart=always) is not up.
    else if (goodSince === undefined || state.mainPid !== goodPid) {
      if (goodSince === undefined && steadyFor > POLL_MS) progress(`${describeState(state)}: watching that it stays up for ${steadyFor / 1000} s`);
      goodSince = Date.now();
      goodPid = state.mainPid;
    }
    if (goodSince !== undefined && Date.now() - goodSince >= steadyFor) return { verdict: 'ok', state };
    // A good state begun before the deadline may finish its window; a unit still restarting by then has not settled.
    if ((goodSince === undefined && Date.now() > until) || Date.now() > until + steadyFor) return { verdict: 'timeout', state };
    await sleep(POLL_MS, signal);
  }
}

async function runUnit(p: UnitParams, units: UnitControl | undefined, signal: AbortSignal, progress: (text: string) => void): Promise<OperationOutcome> {
  if (!units) return { outcome: 'failed', message: `${p.host}: no such host being watched` };
  const before = await units.state(p.unit, bounded(signal, READ_TIMEOUT_MS));
  if (before.load === 'not-found') return { outcome: 'not-found', message: `${p.host}: no unit ${p.unit}` };
  const acted = await units.act(p.unit, p.verb, bounded(signal, ACT_TIMEOUT_MS));
  progress(`verifying (expecting ${EXPECTED[p.verb]})`);
  const { verdict, state } = await settle(units, p, before, signal, progress);
  if (verdict === 'ok') {
    const pids = p.verb === 'restart' && before.mainPid ? `, MainPID ${before.mainPid} → ${state.mainPid ?? 'none'}` : '';
    const held = STEADY_MS[p.verb] > POLL_MS ? ` for ${STEADY_MS[p.verb] / 1000} s` : '';
    return { outcome: 'ok', message: `${p.host}: ${p.unit} ${PAST[p.verb]}, verified ${state.active} (${state.sub})${held}${pids || (state.mainPid ? `, MainPID ${state.mainPid}` : '')}` };
  }
  const exit = acted.code === 0 ? '' : `; systemctl exit code ${acted.code}${acted.stderr ? `: ${acted.stderr.split('\n')[0]}` : ''}`;
  const tail = await units.journalTail(p.unit, JOURNAL_LINES, bounded(signal, READ_TIMEOUT_MS)).catch((error: unknown) => ({ lines: [] as string[], from: `log unreadable: ${(error as Error).message}` }));
  const log = tail.lines.length > 0 ? `; last log lines (${tail.from}): ${tail.lines.join(' | ')}` : `; no log lines found${tail.from ? ` (${tail.from})` : ''}`;
  const what = verdict === 'timeout' ? `not ${EXPECTED[p.verb]} after ${SETTLE_TIMEOUT_MS / 1000} s, still ${describeState(state)}` : `now ${describeState(state)}`;
  return { outcome: 'failed', message: `${p.host}: ${p.verb} ${p.unit} FAILED: ${what}${exit}${log}` };
}

function unitOperation(verb: UnitVerb, binding: string, help: string): OperationKind<UnitParams> {
  return {
    key: { context: 'services', binding, help },
    changesOutside: true,
    fromSelection(data, ui) {
      const row = serviceRows(data, ui)[ui.cursor.services];
      if (!row) return { error: 'no unit selected: move onto one in the Services pane' };
      const host = data.hosts[row.host];
      if (!host) return { error: `${row.host}: no such host` };
      return { params: unitParams(host, row.unit.name, verb) };
    },
    describe: (p) => ({
      title: `${verb} ${p.unit} on ${p.host}`,
      lines: [`then verified: ${EXPECTED[verb]}${STEADY_MS[verb] > POLL_MS ? `, still after ${STEADY_MS[verb] / 1000} s` : ''}; on failure, its last log lines`],
      host: p.host,
      target: `unit:${p.host}/${p.unit}`,
      command: unitCommand(p, verb, p.unit).join(' '),
      detail: { unit: p.unit, verb, sudo: p.sudo },
    }),
    // Stopping takes a service away until someone starts it: the word is typed, not a reflex y.
    confirmation: () => (verb === 'stop' ? { kind: 'typed', word: 'stop' } : { kind: 'yes' }),
    run: (p, ports, signal, progress) => runUnit(p, ports.units(p.host), signal, progress),
  };
}

export const restartUnit = unitOperation('restart', 'restart-unit', 'restart the selected unit, then verify it runs with a new MainPID');
export const reloadUnit = unitOperation('reload', 'reload-unit', 'reload the selected unit, then verify it is active');
export const startUnit = unitOperation('start', 'start-unit', 'start the selected unit, then verify it is active');
export const stopUnit = unitOperation('stop', 'stop-unit', 'stop the selected unit (type "stop"), then verify it is inactive');
