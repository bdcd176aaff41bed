// Editing a one-line prompt (/ filter, : command, a confirmation's value, the timeline's filter) as a
// shell's line does: Backspace takes the last character (an emoji or accented letter whole), Ctrl-U
// the whole line, Ctrl-W the last word.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function withoutLastCharacter(text: string): string {
  let last = 0;
  for (const { index } of segmenter.segment(text)) last = index;
  return text.slice(0, last);
}

/** Whether `input` is text to insert, not a control key (Ctrl-*, Escape, a cursor key's sequence). */
function isText(key: string | undefined, input: string): boolean {
  return input.length > 0 && (key === undefined || key === 'space' || [...input].length === 1) && !/[\u0000-\u001f\u007f]/.test(input) && !(key?.startsWith('ctrl+') ?? false);
}

/** The line after `key` (typed as `input`), or undefined when the key is not an edit. */
export function editLine(text: string, key: string | undefined, input: string): string | undefined {
  if (key === 'backspace') return withoutLastCharacter(text);
  if (key === 'ctrl+u') return '';
  if (key === 'ctrl+w') return text.replace(/\S*\s*$/u, '');
  return isText(key, input) ? text + input : undefined;
}
