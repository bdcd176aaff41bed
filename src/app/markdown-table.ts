// The tables of `snapshot --format markdown`, written one way: a cell's text (a remote error, a
// unit's name) cannot end its cell. Text in the store is already one line (src/domain/sanitize.ts).

/** A column's heading; `right` aligns figures. */
export type Column = string | { name: string; align: 'right' };

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const names = columns.map((c) => (typeof c === 'string' ? c : c.name));
  const rules = columns.map((c) => (typeof c === 'string' ? '---' : '---:'));
  return [`| ${names.join(' | ')} |`, `|${rules.join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}
