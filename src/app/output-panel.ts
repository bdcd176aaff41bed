// The output panel: what an operation printed, a section per host with a header saying how its run
// ended. Output is cut into lines, sanitised, and bounded (the last OUTPUT_KEEP_BYTES per host, with
// a note of how much was cut); it reaches the store at most every FLUSH_MS, in one commit, so a
// command that prints fast costs the screen no more than a tick does.
import { formatClock } from '../domain/duration.js';
import { sanitizeLine } from '../domain/sanitize.js';
import type { OperationOutput } from './operations/types.js';
import type { OpsStore, UiState } from './store.js';

export interface OutputSection {
  host: string;
  /** The command as one line of the screen. */
  command: string;
  lines: readonly string[];
  /** Output after the last line break (a prompt, a progress line), shown as the last line. */
  partial: string;
  /** Bytes of `lines`. */
  keptBytes: number;
  /** Bytes dropped from the start to keep the last OUTPUT_KEEP_BYTES. */
  cutBytes: number;
  /** null while it runs. */
  status: { ok: boolean; text: string } | null;
  startedAt: number;
}

export interface OutputPanel {
  /** Which run it shows: a run replaced by a newer one writes no more. */
  id: number;
  title: string;
  sections: readonly OutputSection[];
  /** The first line shown when scrolled back; null follows the end. */
  scroll: number | null;
}

export const OUTPUT_KEEP_BYTES = 64 * 1024;
const MAX_LINE = 2000;
const FLUSH_MS = 100;

/** One line of the panel; `section` is the host's index, so a scrolled view can keep its header in sight. */
export type PanelLine = { section: number } & ({ kind: 'header'; text: string; ok: boolean | null } | { kind: 'note'; text: string } | { kind: 'output'; text: string });

/** What the terminal would show of a line: a carriage return starts it again (progress bars), escapes and controls gone. */
const screenLine = (raw: string): string => sanitizeLine(raw.replace(/\r+$/, '').split('\r').pop()!, MAX_LINE);

/** The section with `text` added: complete lines cleaned, the oldest dropped past the limit. */
export function appendOutput(section: OutputSection, text: string): { section: OutputSection; dropped: number } {
  const pieces = (section.partial + text).split('\n');
  let partial = pieces.pop()!;
  // A line that never ends is still bounded: shown cut, and a new one begins.
  if (partial.length > MAX_LINE * 2) {
    pieces.push(partial);
    partial = '';
  }
  if (pieces.length === 0) return { section: { ...section, partial }, dropped: 0 };
  const lines = [...section.lines];
  let keptBytes = section.keptBytes;
  for (const piece of pieces) {
    const line = screenLine(piece);
    lines.push(line);
    keptBytes += Buffer.byteLength(line) + 1;
  }
  let cutBytes = section.cutBytes;
  let dropped = 0;
  while (keptBytes > OUTPUT_KEEP_BYTES && dropped < lines.length - 1) {
    const bytes = Buffer.byteLength(lines[dropped]!) + 1;
    keptBytes -= bytes;
    cutBytes += bytes;
    dropped++;
  }
  return { section: { ...section, lines: dropped > 0 ? lines.slice(dropped) : lines, partial, keptBytes, cutBytes }, dropped };
}

/** Every line the panel can show, top to bottom. */
export function panelLines(panel: OutputPanel): PanelLine[] {
  const lines: PanelLine[] = [];
  panel.sections.forEach((s, section) => {
    const state = s.status ? s.status.text : `running since ${formatClock(s.startedAt)}`;
    lines.push({ section, kind: 'header', text: `── ${s.host} · ${state} · $ ${s.command}`, ok: s.status ? s.status.ok : null });
    if (s.cutBytes > 0) lines.push({ section, kind: 'note', text: `… ${Math.ceil(s.cutBytes / 1024)} KiB cut: the last ${OUTPUT_KEEP_BYTES / 1024} KiB are kept` });
    for (const text of s.lines) lines.push({ section, kind: 'output', text });
    if (s.partial) lines.push({ section, kind: 'output', text: screenLine(s.partial) });
    if (s.status && s.lines.length === 0 && !s.partial) lines.push({ section, kind: 'note', text: '(no output)' });
  });
  return lines;
}

/** Rows the panel takes at the bottom of a terminal this tall (the panes keep the rest). */
export function outputPanelRows(terminalRows: number): number {
  return Math.max(7, Math.floor((terminalRows - 2) / 2));
}

/** Rows of output lines inside a panel of `rows` (border and title take 3). */
export const outputPanelInner = (rows: number): number => Math.max(1, rows - 3);

let panels = 0;

/** The executor's OperationOutput: buffers what arrives and commits it to the store's panel in one setState per FLUSH_MS. */
export class OutputPanelWriter implements OperationOutput {
  private id = 0;
  private readonly pending = new Map<string, string>();
  /** Bytes dropped from `pending` before a flush: a command can print far faster than the screen is drawn. */
  private readonly pendingCut = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: OpsStore) {}

  open(title: string, sections: readonly { host: string; command: string }[]): void {
    this.id = ++panels;
    const at = Date.now();
    const panel: OutputPanel = {
      id: this.id,
      title,
      scroll: null,
      sections: sections.map((s) => ({ host: s.host, command: s.command, lines: [], partial: '', keptBytes: 0, cutBytes: 0, status: null, startedAt: at })),
    };
    // Shown at once unless the operator is in another overlay meanwhile; `:output` opens it then.
    this.store.setState((s) => ({ ...s, ui: { ...s.ui, output: panel, overlay: s.ui.overlay === 'none' ? 'output' : s.ui.overlay } }));
  }

  write(host: string, text: string): void {
    if (text === '') return;
    let pending = (this.pending.get(host) ?? '') + text;
    if (pending.length > OUTPUT_KEEP_BYTES * 2) {
      const cut = pending.length - OUTPUT_KEEP_BYTES;
      this.pendingCut.set(host, (this.pendingCut.get(host) ?? 0) + Buffer.byteLength(pending.slice(0, cut)));
      pending = pending.slice(cut);
    }
    this.pending.set(host, pending);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  end(host: string, status: { ok: boolean; text: string }): void {
    this.flush();
    this.update((section) => (section.host === host ? { section: { ...section, status }, dropped: 0 } : { section, dropped: 0 }));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const pending = new Map(this.pending);
    const cut = new Map(this.pendingCut);
    this.pending.clear();
    this.pendingCut.clear();
    this.update((section) => {
      const text = pending.get(section.host);
      if (text === undefined) return { section, dropped: 0 };
      const skipped = cut.get(section.host) ?? 0;
      // What was dropped before this flush ends the line it was in: the rest starts a line of its own.
      return appendOutput(skipped > 0 ? { ...section, partial: '', cutBytes: section.cutBytes + skipped } : section, text);
    });
  }

  private update(change: (section: OutputSection) => { section: OutputSection; dropped: number }): void {
    this.store.setState((s) => {
      const panel = s.ui.output;
      if (!panel || panel.id !== this.id) return s;
      let dropped = 0;
      const sections = panel.sections.map((section) => {
        const next = change(section);
        dropped += next.dropped;
        return next.section;
      });
      // Scrolled back, the lines in view stay in view as older ones are dropped above them.
      const scroll = panel.scroll === null ? null : Math.max(0, panel.scroll - dropped);
      return { ...s, ui: { ...s.ui, output: { ...panel, sections, scroll } } };
    });
  }
}

/**
 * Keys while the panel is open: j/k, PgUp/PgDn (space, ctrl+f/b), g/G (home/end) scroll it; Esc or q
 * closes it. Returns false for any other key, which then does what it does anywhere (1-6, ?, an action).
 */
export function outputPanelKey(store: OpsStore, key: string | undefined, page: number): boolean {
  const { ui } = store.getState();
  const setUi = (patch: Partial<UiState>) => store.setState((s) => ({ ...s, ui: { ...s.ui, ...patch } }));
  const panel = ui.output;
  if (key === 'escape' || key === 'q' || !panel) {
    setUi({ overlay: 'none' });
    return true;
  }
  const total = panelLines(panel).length;
  const last = Math.max(0, total - page);
  const top = panel.scroll ?? last;
  const steps: Record<string, number> = { j: 1, down: 1, k: -1, up: -1, pagedown: page, space: page, 'ctrl+f': page, pageup: -page, 'ctrl+b': -page };
  let next: number | null;
  if (key !== undefined && key in steps) next = top + steps[key]!;
  else if (key === 'g' || key === 'home') next = 0;
  else if (key === 'G' || key === 'end') next = last;
  else return false;
  next = Math.max(0, next);
  setUi({ output: { ...panel, scroll: next >= last ? null : next } });
  return true;
}
