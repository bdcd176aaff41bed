// TCP checks: the port takes a connection (through `from:`, the SSH host opens it), and how long that took.
import { parseHostPort, type CheckResult, type CheckSpec } from '../../domain/check.js';
import type { StreamOpener } from './connect.js';
import type { Stage } from './stage.js';

export async function runTcpCheck(spec: CheckSpec, open: StreamOpener, signal: AbortSignal, stage: Stage): Promise<CheckResult> {
  const target = parseHostPort(spec.target);
  if (!target) return { at: Date.now(), failure: `${spec.target} is not host:port` };
  const started = performance.now();
  stage.now = `connecting to ${spec.target}`;
  const stream = await open(target, signal);
  const latencyMs = performance.now() - started;
  stream.destroy();
  return { at: Date.now(), latencyMs };
}
