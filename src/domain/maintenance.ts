// The maintenance flag file's content: who set it, when, why, and until when, one "key: value" a line
// so an operator can read it with cat and a script with grep.
export interface MaintenanceNote {
  who: string;
  /** Epoch ms. */
  at: number;
  why: string;
  /** Epoch ms; absent when it holds until cleared. */
  expiresAt?: number;
}

/** A host's maintenance flag file (local: this machine's files; SSH: through the host's connection). */
export interface MaintenanceControl {
  readonly path: string;
  /** Writes the note, signed with the operator's login, under a temporary name and renames it over the flag: readers never see half a file. */
  set(note: Omit<MaintenanceNote, 'who'>, signal: AbortSignal): Promise<void>;
  /** Removes the flag; clearing a flag that is not set is not an error. */
  clear(signal: AbortSignal): Promise<void>;
  /** The flag's content, or undefined when it is not set. */
  read(signal: AbortSignal): Promise<string | undefined>;
}

/** A value as the note holds it: one line. */
export const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ').trim();

export function formatMaintenanceNote(note: MaintenanceNote): string {
  const lines = [`who: ${oneLine(note.who)}`, `when: ${new Date(note.at).toISOString()}`, `why: ${oneLine(note.why)}`];
  if (note.expiresAt !== undefined) lines.push(`expires: ${new Date(note.expiresAt).toISOString()}`);
  return `${lines.join('\n')}\n`;
}

/** What a flag file says, as far as it says it: a flag written by hand (`touch`, a note) may say nothing. */
export type MaintenanceFlagNote = Partial<MaintenanceNote>;

/** The first this many bytes of a flag are read: a note is a few lines; a file written by mistake is not read whole. */
export const MAINTENANCE_READ_LIMIT = 4096;

const timeOf = (text: string): number | undefined => {
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
};

/** Reads the `key: value` lines formatMaintenanceNote writes; lines it does not know are left alone. */
export function parseMaintenanceNote(content: string): MaintenanceFlagNote {
  const note: MaintenanceFlagNote = {};
  for (const line of content.split('\n')) {
    const match = /^\s*(who|when|why|expires)\s*:\s*(.*?)\s*$/i.exec(line);
    if (!match || match[2] === '') continue;
    const [, key, value] = match as unknown as [string, string, string];
    switch (key.toLowerCase()) {
      case 'who':
        note.who ??= value;
        break;
      case 'why':
        note.why ??= value;
        break;
      case 'when':
        note.at ??= timeOf(value);
        break;
      case 'expires':
        note.expiresAt ??= timeOf(value);
        break;
    }
  }
  return note;
}

/** Whether the flag's own expiry has passed at `now`; a flag without one never expires. */
export function maintenanceExpired(note: MaintenanceFlagNote | undefined, now: number): boolean {
  return note?.expiresAt !== undefined && note.expiresAt <= now;
}

/** "by alice: DB migration": who and why, as far as the note says; a flag written by hand says "reason unknown". */
export function noteSummary(note: MaintenanceFlagNote | undefined): string {
  return `${note?.who ? `by ${note.who}: ` : ''}${note?.why ?? 'reason unknown'}`;
}
