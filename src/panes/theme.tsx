// Every colour on screen comes from here, by what it means (a tone), never as a literal in a pane;
// and the marks that tell levels apart without colour (monochrome terminals, colour-blind operators,
// screenshots pasted into tickets). A pane asks useTheme() for the colour of a tone.
import { createContext, useContext, type ReactNode } from 'react';
import type { Level } from '../domain/model.js';
import type { ThemeName } from '../app/color.js';

/** A colour ink understands, or undefined: the terminal's own foreground, and no escape at all. */
export type Colour = string | undefined;

/**
 * What a colour says. Levels first (a threshold's ok/warn/crit; a source down, stale or not read
 * yet), then the chrome: accent (titles, the focused pane, the prompt), muted (headers, hints, what
 * is secondary), expired (a maintenance flag past its expiry), info (an event that is no level), host (a host name with no colour of its own),
 * rx/tx (network), readOnly (the READ-ONLY badge), key (a key in the help).
 */
export type Tone = Level | 'down' | 'stale' | 'pending' | 'expired' | 'accent' | 'muted' | 'info' | 'host' | 'rx' | 'tx' | 'readOnly' | 'key';

export type Theme = { readonly name: ThemeName } & Readonly<Record<Tone, Colour>>;

/**
 * Shapes that differ without colour, the same in every theme. ok, warn and crit are a threshold's
 * levels; down is a source or host that cannot be read (its row also says "down" or why), stale one
 * whose last values are old, pending one not read yet.
 */
export const MARK = { ok: '●', warn: '▲', crit: '✖', down: '○', stale: '⚠', pending: '…' } as const;

/** The mark after a figure judged against a threshold: none when ok (the column keeps its width with a space). */
export function levelMark(level: Level): string {
  return level === 'ok' ? '' : MARK[level];
}

const DARK: Theme = {
  name: 'dark',
  ok: 'green',
  warn: 'yellow',
  crit: 'red',
  down: 'red',
  stale: 'yellow',
  pending: 'gray',
  expired: 'magenta',
  accent: 'cyan',
  muted: 'gray',
  info: 'blue',
  // The terminal's own foreground is readable on its own background, whichever it is.
  host: undefined,
  rx: 'cyan',
  tx: 'magenta',
  readOnly: 'magenta',
  key: 'yellow',
};

// On a light background yellow and cyan wash out: a dark gold for warnings (one a 16-colour terminal
// still shows as yellow, not red), blue for the accent.
const DARK_GOLD = 'ansi256(142)';

const LIGHT: Theme = {
  ...DARK,
  name: 'light',
  warn: DARK_GOLD,
  stale: DARK_GOLD,
  accent: 'blue',
  rx: 'blue',
  key: 'blue',
};

const MONO: Theme = {
  name: 'mono',
  ok: undefined,
  warn: undefined,
  crit: undefined,
  down: undefined,
  stale: undefined,
  pending: undefined,
  expired: undefined,
  accent: undefined,
  muted: undefined,
  info: undefined,
  host: undefined,
  rx: undefined,
  tx: undefined,
  readOnly: undefined,
  key: undefined,
};

export const THEME: Record<ThemeName, Theme> = { dark: DARK, light: LIGHT, mono: MONO };

/** A host's colour: its own from the config, else the theme's; none at all in mono. */
export function hostColor(theme: Theme, configured: string | undefined): Colour {
  return theme.name === 'mono' ? undefined : (configured ?? theme.host);
}

const ThemeContext = createContext<Theme>(DARK);

export function ThemeProvider({ theme, children }: { theme: ThemeName; children: ReactNode }) {
  return <ThemeContext.Provider value={THEME[theme]}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
