// The `/` filter of the list panes: case-insensitive text, `!` in front keeps what does not match.

export function textFilter(filter: string): (text: string) => boolean {
  const invert = filter.startsWith('!');
  const needle = (invert ? filter.slice(1) : filter).toLowerCase();
  return (text) => needle === '' || text.toLowerCase().includes(needle) !== invert;
}
