import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, parseDuration } from '../../src/domain/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['2S', 2000],
    ['2 s', 2000],
    [' 5s ', 5000],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('reads a bare number as seconds, like `refresh: 2` in the config', () => {
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('0.5')).toBe(500);
  });

  it.each(['', 'fast', '-1s', '0', '0s', '1d', '1w', 's', '1 2s', '2s;rm', '1e3', 'Infinity'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [1000, '1s'],
    [2000, '2s'],
    [1500, '1.5s'],
    [59_000, '59s'],
    [60_000, '1m00s'],
    [90_000, '1m30s'],
    [605_000, '10m05s'],
    [3_600_000, '1h00m'],
    [2 * 3_600_000 + 5 * 60_000, '2h05m'],
    [47 * 3_600_000, '47h00m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('what it prints for whole seconds and milliseconds parses back to the same value', () => {
    for (const ms of [500, 2000, 10_000, 30_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatClock', () => {
  it('shows local wall-clock time as HH:MM:SS with leading zeros', () => {
    expect(formatClock(new Date(2026, 10, 23, 9, 5, 7).getTime())).toBe('09:05:07');
    expect(formatClock(new Date(2026, 10, 23, 23, 59, 59, 999).getTime())).toBe('23:59:59');
    expect(formatClock(new Date(2026, 10, 24, 0, 0, 0).getTime())).toBe('00:00:00');
  });
});
