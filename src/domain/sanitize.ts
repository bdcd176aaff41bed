// Remote and log text is hostile: escape sequences could retitle, clear or hijack the operator's
// terminal. Everything shown on screen passes through here first.

// CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and any other two-byte ESC sequence.
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_]|.?)/g;
// C0 and C1 controls (tab is expanded first), DEL, bidi overrides and isolates, zero-width joiners' cousins.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const DEFAULT_MAX_LINE = 2000;

export function sanitizeLine(raw: string, maxLength = DEFAULT_MAX_LINE): string {
  let text = raw.replace(ESCAPE_SEQUENCE, '').replace(/\t/g, '    ').replace(CONTROL, '');
  if (text.length > maxLength) {
    // Never cut between the two halves of a surrogate pair (emoji, rare CJK).
    const end = /[\ud800-\udbff]/.test(text[maxLength - 1] ?? '') ? maxLength - 1 : maxLength;
    text = `${text.slice(0, end)}…[+${text.length - end} chars]`;
  }
  return text;
}
