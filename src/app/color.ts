// How the screen is coloured, as users set it: the config's `theme`, then NO_COLOR (no-color.org)
// and `--color`, which speak for this one run and so win over the file.
export const THEMES = ['dark', 'light', 'mono'] as const;
export type ThemeName = (typeof THEMES)[number];
export const DEFAULT_THEME: ThemeName = 'dark';

export const COLOR_WHEN = ['auto', 'always', 'never'] as const;
export type ColorWhen = (typeof COLOR_WHEN)[number];

/**
 * The theme the cockpit draws with. `never`, or NO_COLOR set to anything but the empty string under
 * `auto`, gives `mono`: no colour at all, levels told by their marks. `always` keeps the configured
 * theme even where NO_COLOR is set, as an explicit flag beats the environment.
 */
/**
 * FORCE_COLOR for ink's colour library where it would wrongly draw none: it turns colour and every
 * style off wherever CI is set, even on a terminal, and the cockpit only ever runs on one (mono keeps
 * its styles, inverse and bold: the theme, not this level, keeps colour out). Undefined: leave it to decide.
 */
export function forcedColorLevel(when: ColorWhen, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (when === 'always') return 'true';
  if (env.FORCE_COLOR !== undefined || env.CI === undefined || env.TERM === 'dumb') return undefined;
  if (/^(truecolor|24bit)$/.test(env.COLORTERM ?? '')) return '3';
  return /256/.test(env.TERM ?? '') ? '2' : '1';
}

export function screenTheme(configured: ThemeName, when: ColorWhen, env: Readonly<Record<string, string | undefined>>): ThemeName {
  if (when === 'never') return 'mono';
  if (when === 'auto' && (env.NO_COLOR ?? '') !== '') return 'mono';
  return configured;
}
