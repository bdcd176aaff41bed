// Which theme the screen gets: the config's, unless NO_COLOR or --color says otherwise for this run.
import { describe, expect, it } from 'vitest';
import { forcedColorLevel, screenTheme } from '../../src/app/color.js';
import { ConfigError, parseConfigText } from '../../src/app/config/load.js';

describe('screenTheme', () => {
  it('keeps the configured theme under --color auto without NO_COLOR', () => {
    expect(screenTheme('dark', 'auto', {})).toBe('dark');
    expect(screenTheme('light', 'auto', {})).toBe('light');
  });

  it('turns to mono when NO_COLOR holds anything, as no-color.org asks, but not when it is empty', () => {
    expect(screenTheme('light', 'auto', { NO_COLOR: '1' })).toBe('mono');
    expect(screenTheme('dark', 'auto', { NO_COLOR: 'false' })).toBe('mono');
    expect(screenTheme('dark', 'auto', { NO_COLOR: '' })).toBe('dark');
  });

  it('--color never is mono whatever the config; --color always wins over NO_COLOR', () => {
    expect(screenTheme('dark', 'never', {})).toBe('mono');
    expect(screenTheme('light', 'always', { NO_COLOR: '1' })).toBe('light');
    expect(screenTheme('mono', 'always', {})).toBe('mono');
  });
});

describe('forcedColorLevel', () => {
  it('keeps colour on a terminal where CI is set (ink\'s colour library would drop it), at the depth TERM says', () => {
    expect(forcedColorLevel('auto', { CI: 'true', TERM: 'tmux-256color' })).toBe('2');
    expect(forcedColorLevel('auto', { CI: 'true', TERM: 'xterm', COLORTERM: 'truecolor' })).toBe('3');
    expect(forcedColorLevel('auto', { CI: '1', TERM: 'xterm' })).toBe('1');
  });

  it('forces nothing without CI, for TERM=dumb or where FORCE_COLOR is set; always forces; mono keeps its styles', () => {
    expect(forcedColorLevel('auto', { TERM: 'xterm-256color' })).toBeUndefined();
    expect(forcedColorLevel('auto', { CI: 'true', TERM: 'xterm' })).toBe('1');
    expect(forcedColorLevel('auto', { CI: 'true', TERM: 'dumb' })).toBeUndefined();
    expect(forcedColorLevel('auto', { CI: 'true', TERM: 'xterm', FORCE_COLOR: '0' })).toBeUndefined();
    expect(forcedColorLevel('always', {})).toBe('true');
  });
});

describe('theme in the config', () => {
  it('defaults to dark and takes light or mono', () => {
    expect(parseConfigText('refresh: 2s\n', '/c.yaml').theme).toBe('dark');
    expect(parseConfigText('theme: light\n', '/c.yaml').theme).toBe('light');
    expect(parseConfigText('theme: mono\n', '/c.yaml').theme).toBe('mono');
  });

  it('refuses another name, saying where and which names there are', () => {
    expect(() => parseConfigText('theme: solarized\n', '/c.yaml')).toThrow(ConfigError);
    expect(() => parseConfigText('theme: solarized\n', '/c.yaml')).toThrow(/\/c\.yaml:1:8: theme: .*"dark".*"light".*"mono"/);
  });
});
