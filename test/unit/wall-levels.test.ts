// The wall's tiles say why a host is not ok in a few words: a crossed threshold names its figure.
import { describe, expect, it } from 'vitest';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { wallGroups } from '../../src/app/wall.js';
import { hostSourceId } from '../../src/domain/source-id.js';
import { ThresholdTracker } from '../../src/domain/thresholds.js';
import { deliver, hostsData, NOW, sample } from '../helpers/fixtures.js';

describe('the wall', () => {
  it("names a host's load past its threshold among the reasons, and its tile goes crit with it", () => {
    const config = resolveConfig({ hold: 1, hosts: { 'web-1': { ssh: 'deploy@10.0.0.5', group: 'web' }, 'web-2': { ssh: 'deploy@10.0.0.6', group: 'web' } } }, null, loadDefaultBindings()).config;
    const tracker = new ThresholdTracker(config.holdTicks);
    // Two cores: 4.6 is 2.3 per core, past crit (2); web-2's 0.5 is not.
    let data = deliver(hostsData(config), hostSourceId('web-1', 'resources'), { ...sample(10, 40, 30), load: [4.6, 3.1, 1.2] }, tracker);
    data = deliver(data, hostSourceId('web-2', 'resources'), sample(10, 40, 30), tracker);
    const [web] = wallGroups(data, NOW);
    expect(web).toMatchObject({ name: 'web', state: 'crit' });
    expect(web!.hosts.map((h) => [h.name, h.state, h.reasons])).toEqual([
      ['web-1', 'crit', ['load 4.6']],
      ['web-2', 'ok', []],
    ]);
  });
});
