import { describe, expect, it } from 'vitest';
import { shownMessage } from '../../src/panes/Chrome.js';

describe('the status line message', () => {
  const at = Date.parse('2026-12-03T19:02:17Z');

  it("a running operation's step stays up as long as it runs, with the time it has taken", () => {
    const step = { text: 'restart slow.service on beta…', level: 'info' as const, at, progress: true as const };
    expect(shownMessage(step, at + 400)?.text).toBe('restart slow.service on beta… · 0s');
    expect(shownMessage(step, at + 42_700)?.text).toBe('restart slow.service on beta… · 42s');
    expect(shownMessage(step, at + 101_000)?.text).toBe('restart slow.service on beta… · 1m41s');
  });

  it('an info message goes after 15 s; an error stays', () => {
    expect(shownMessage({ text: 'group web', level: 'info', at }, at + 14_000)?.text).toBe('group web');
    expect(shownMessage({ text: 'group web', level: 'info', at }, at + 16_000)).toBeNull();
    expect(shownMessage({ text: 'restart failed', level: 'error', at }, at + 600_000)?.text).toBe('restart failed');
  });
});
