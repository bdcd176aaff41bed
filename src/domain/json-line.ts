// A line of a JSON Lines file (ours or a host's) as an object, or undefined: a torn write, a hand
// edit or a line that is not JSON is skipped by each reader, never thrown.
export function jsonObject(line: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
