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
