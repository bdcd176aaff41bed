// What must not reach a log or the screen: string literals in query text (where passwords hide),
// replaced even when cut short; and a secret value (an alert receiver's URL) wherever it appears.
import type { DatabaseKind } from './database.js';

/** Query text for the audit log: string literals (where passwords hide) become '?', even one cut short. */
export function redactLiterals(query: string, kind: DatabaseKind): string {
  const quotes = kind === 'mysql' ? `'"` : "'";
  let out = '';
  let i = 0;
  while (i < query.length) {
    const ch = query[i] ?? '';
    const dollar = kind === 'postgres' && ch === '$' ? /^\$([A-Za-z_]\w*)?\$/.exec(query.slice(i)) : null;
    if (dollar) {
      const close = query.indexOf(dollar[0], i + dollar[0].length);
      out += "'?'";
      i = close < 0 ? query.length : close + dollar[0].length;
      continue;
    }
    if (!quotes.includes(ch)) {
      out += ch;
      i++;
      continue;
    }
    let j = i + 1;
    for (; j < query.length; j++) {
      if (query[j] === '\\') j++;
      else if (query[j] === ch) {
        if (query[j + 1] === ch) j++;
        else break;
      }
    }
    out += j < query.length ? `${ch}?${ch}` : `${ch}?`;
    i = j + 1;
  }
  return out.slice(0, 500);
}

/** Where a secret (an alert receiver's URL) would appear in text (an error, a log line), a mark instead: the whole value, and its path alone, which is where a webhook's token sits. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  let path = '';
  try {
    path = new URL(secret).pathname;
  } catch {
    // Not a URL: only the whole value is hidden.
  }
  let out = text.split(secret).join('‹secret›');
  if (path.length > 1) out = out.split(path).join('‹secret›');
  return out;
}
