// `opsdeck snapshot` looks once: a busy machine is judged busy, whatever the cockpit's hold ticks.
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { collectSnapshot, failOnVerdict } from '../../src/app/snapshot.js';
import type { HostAdapter } from '../../src/services/host-adapter.js';
import { quietWatch, sample } from '../helpers/fixtures.js';

describe('snapshot levels', () => {
  it('a host at 97 % CPU on both reads is crit, and --fail-on warn fails, with the default hold of 2 ticks', async () => {
    const config = resolveConfig({ refresh: '2s', hosts: { busy: { local: true } }, databases: {} }, null, loadDefaultBindings()).config;
    expect(config.holdTicks).toBe(2);
    let reads = 0;
    const adapter: HostAdapter = {
      watch: async (host) => quietWatch(host, { resources: { timeoutMs: 1000, collect: async () => (reads++, sample(97, 10, 10, Date.now())) } }),
      close: () => {},
    };
    const data = await collectSnapshot(config, performance.now(), { local: adapter });
    // CPU is a difference of two reads: the snapshot reads twice.
    expect(reads).toBe(2);
    expect(data.hosts.busy!.levels.cpu).toBe('crit');
    expect(failOnVerdict(data, 'warn').exitCode).toBe(1);
  });
});
