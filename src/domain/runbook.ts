// A runbook reference from the config (`runbook: docs/db.md#failover`, or a URL) and how a Markdown
// heading is found from its anchor: the heading's own text, or its GitHub-style anchor.

export type Runbook = { kind: 'file'; path: string; heading?: string } | { kind: 'url'; url: string };

/** `path#heading` (relative paths are taken from `base`, the config file's directory) or an http(s) URL. */
export function parseRunbook(ref: string, base: string): Runbook {
  if (/^https?:\/\//i.test(ref)) return { kind: 'url', url: ref };
  const hash = ref.indexOf('#');
  const file = hash < 0 ? ref : ref.slice(0, hash);
  const heading = hash < 0 ? undefined : ref.slice(hash + 1);
  const path = file.startsWith('/') ? file : `${base.replace(/\/+$/, '')}/${file}`;
  return heading ? { kind: 'file', path, heading } : { kind: 'file', path };
}

/** GitHub's anchor of a heading: lower case, punctuation dropped (letters of any script kept), spaces to '-'. */
export function headingAnchor(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The heading line (`## Failover`) the anchor names in a Markdown text: by its text or its anchor; undefined when none does. */
export function findHeading(markdown: string, anchor: string): string | undefined {
  const wanted = anchor.trim().toLowerCase();
  for (const line of markdown.split('\n')) {
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match && (match[2]!.toLowerCase() === wanted || headingAnchor(match[2]!) === headingAnchor(anchor))) return line.replace(/\s+$/, '');
  }
  return undefined;
}

/** A search for less (`+/PATTERN`): the heading line exactly, regex characters escaped. */
export function headingPattern(line: string): string {
  return `^${line.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')}`;
}

/** What a runbook reference reads as on screen and in messages. */
export function runbookLabel(runbook: Runbook): string {
  return runbook.kind === 'url' ? runbook.url : `${runbook.path}${runbook.heading ? `#${runbook.heading}` : ''}`;
}
