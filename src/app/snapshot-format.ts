// How `opsdeck snapshot` writes times and figures, shared by its sections.

export function iso(at: number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

export const pct = (v: number | undefined): string => (v === undefined ? '–' : `${v.toFixed(0)}%`);

export const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
