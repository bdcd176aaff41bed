// check: the config's `checks:` (http, tls, tcp), each run from this machine or through its `from:`
// host's SSH connection, judged by reduce.ts, listed with its host and in the Checks view.
import type { CheckResult, CheckSpec } from '../../../domain/check.js';
import { checkSource, directOpener, throughHost, type StreamOpener } from '../../../services/checks/index.js';
import type { CheckView, DataState } from '../../store.js';
import type { SourceKindModule, SourceSetup } from '../kind.js';
import { checkSourceId } from './id.js';
import { reduceCheck } from './reduce.js';
import { checkSnapshot } from './snapshot.js';

/** A URL's user and password stay out of the store, the screen and snapshots. */
function shownTarget(spec: CheckSpec): string {
  if (spec.kind !== 'http') return spec.target;
  const url = new URL(spec.target);
  if (!url.username && !url.password) return spec.target;
  url.username = '';
  url.password = '';
  return url.href;
}

export function checkView(spec: CheckSpec): CheckView {
  return { name: spec.name, kind: spec.kind, target: shownTarget(spec), from: spec.from, host: spec.host, latency: spec.latency, days: spec.days, state: 'pending', latencies: [] };
}

/** Where the check's streams start: here, or the `from:` host (a local one is here too). */
function openerFor(spec: CheckSpec, setup: SourceSetup): StreamOpener {
  const from = spec.from;
  if (from === undefined || setup.config.hosts.some((h) => h.name === from && h.local)) return directOpener;
  const tunnel = setup.tunnel(from);
  return tunnel ? throughHost(from, tunnel) : () => Promise.reject(new Error(`from ${from}: no SSH connection to run the check through`));
}

export const checkKind: SourceKindModule<'check', CheckResult> = {
  sources: (setup) =>
    setup.config.checks.map((spec) => ({
      id: checkSourceId(spec),
      label: `check ${spec.name}`,
      seed: (data: DataState) => ({ ...data, checks: { ...data.checks, [spec.name]: checkView(spec) } }),
      collect: { poll: checkSource(spec, openerFor(spec, setup)) },
    })),
  reduce: reduceCheck,
  snapshot: checkSnapshot,
};
