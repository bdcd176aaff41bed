// "Did you mean": the nearest known word to a typo, only when it is near enough to be the one meant.
import { closest, distance } from 'fastest-levenshtein';

/** The known word nearest to `word`, if within a third of its length (at least 2 edits); else none. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0 || word === '') return undefined;
  const near = closest(word, [...known]);
  return distance(word, near) <= Math.max(2, Math.floor(word.length / 3)) ? near : undefined;
}

/** `; did you mean "x"?` for a typo near a known word, else nothing. */
export function didYouMean(word: string, known: readonly string[]): string {
  const near = nearest(word, known);
  return near === undefined ? '' : `; did you mean "${near}"?`;
}
