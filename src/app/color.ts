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
export function screenTheme(configured: ThemeName, when: ColorWhen, env: Readonly<Record<string, string | undefined>>): ThemeName {
  if (when === 'never') return 'mono';
  if (when === 'auto' && (env.NO_COLOR ?? '') !== '') return 'mono';
  return configured;
}
