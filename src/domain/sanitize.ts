// Remote and log text is hostile: escape sequences could retitle, clear or hijack the operator's
// terminal, and characters terminals measure differently would push borders out of place.
// Everything shown on screen passes through here first.

// CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and any other two-byte ESC sequence.
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_]|.?)/g;
// C0 and C1 controls (tab is expanded first), DEL, bidi overrides and isolates, zero-width joiners' cousins.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// What terminals count in different cells, so a border after it lands elsewhere than opsdeck drew it:
// variation selectors (🛠️ is two cells to string-width and modern terminals, one to glibc's wcwidth
// and tmux), the joiner inside emoji sequences (👨‍👩‍👧 one glyph of two cells, or three of two each),
// skin tone modifiers and the keycap mark. Without them every character is as wide to opsdeck
// (string-width) as to the terminal (wcwidth), the emoji itself still shown.
const WIDTH_AMBIGUOUS = /[\ufe0e\ufe0f\u20e3]|\p{Emoji_Modifier}|\u200d(?=\p{Extended_Pictographic})/gu;

export const DEFAULT_MAX_LINE = 2000;

// Printable ASCII has nothing any of the patterns above would take out: most log lines, tested once
// instead of four replaces (a follower at 50,000 lines a second spends its time here otherwise).
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

export function sanitizeLine(raw: string, maxLength = DEFAULT_MAX_LINE): string {
  if (raw.length <= maxLength && PLAIN_ASCII.test(raw)) return raw;
  let text = raw.replace(ESCAPE_SEQUENCE, '').replace(/\t/g, '    ').replace(CONTROL, '').replace(WIDTH_AMBIGUOUS, '');
  if (text.length > maxLength) {
    // Never cut between the two halves of a surrogate pair (emoji, rare CJK).
    const end = /[\ud800-\udbff]/.test(text[maxLength - 1] ?? '') ? maxLength - 1 : maxLength;
    text = `${text.slice(0, end)}…[+${text.length - end} chars]`;
  }
  return text;
}
