// The output panel's text: lines as a terminal would show them, bounded per host, and the scroll keys.
import { describe, expect, it } from 'vitest';
import { appendOutput, OUTPUT_KEEP_BYTES, OutputPanelWriter, outputPanelKey, panelLines, type OutputPanel, type OutputSection } from '../../src/app/output-panel.js';
import { createOpsStore } from '../../src/app/store.js';

const empty = (): OutputSection => ({ host: 'web-1', command: 'true', lines: [], partial: '', keptBytes: 0, cutBytes: 0, status: null, startedAt: 0 });

describe('appendOutput', () => {
  it('keeps what a terminal shows: CRLF ends a line, a lone CR starts it again, escapes and controls go', () => {
    const { section } = appendOutput(empty(), 'a\r\n10%\r50%\r100%\n\u001b[31mred\u001b[0m \u0007bell\npart');
    expect(section.lines).toEqual(['a', '100%', 'red bell']);
    expect(section.partial).toBe('part');
    expect(appendOutput(section, 'ial\n').section.lines.at(-1)).toBe('partial');
  });

  it('keeps the last OUTPUT_KEEP_BYTES and counts what it cut', () => {
    let section = empty();
    let dropped = 0;
    for (let i = 0; i < 2000; i++) {
      const next = appendOutput(section, `${String(i).padStart(4, '0')} ${'x'.repeat(95)}\n`);
      section = next.section;
      dropped += next.dropped;
    }
    expect(section.keptBytes).toBeLessThanOrEqual(OUTPUT_KEEP_BYTES);
    expect(section.cutBytes + section.keptBytes).toBe(2000 * 101);
    expect(section.lines.length + dropped).toBe(2000);
    expect(section.lines.at(-1)).toMatch(/^1999 /);
  });

  it('a line that never ends is shown cut, not kept growing', () => {
    const { section } = appendOutput(empty(), 'y'.repeat(10_000));
    expect(section.partial).toBe('');
    expect(section.lines).toEqual([expect.stringMatching(/^y{2000}…\[\+8000 chars\]$/)]);
  });
});

describe('the panel writer', () => {
  it('a flood between two flushes is bounded too: the last 64 KiB reach the panel, the rest is counted as cut', () => {
    const store = createOpsStore();
    const writer = new OutputPanelWriter(store);
    writer.open('flood on web-1', [{ host: 'web-1', command: 'yes' }]);
    const line = `${'z'.repeat(99)}\n`;
    for (let i = 0; i < 20_000; i++) writer.write('web-1', line);
    writer.end('web-1', { ok: true, text: 'exit 0' });
    const [section] = store.getState().ui.output!.sections;
    expect(section!.keptBytes).toBeLessThanOrEqual(OUTPUT_KEEP_BYTES);
    expect(section!.keptBytes).toBeGreaterThan(OUTPUT_KEEP_BYTES - 200);
    expect(section!.cutBytes + section!.keptBytes).toBe(20_000 * 100);
    expect(section!.status).toEqual({ ok: true, text: 'exit 0' });
    expect(store.getState().ui.overlay).toBe('output');
  });
});

describe('scrolling the panel', () => {
  const panel: OutputPanel = { id: 1, title: 't', scroll: null, sections: [{ ...empty(), lines: Array.from({ length: 30 }, (_, i) => `line ${i}`) }] };

  it('follows the end; k scrolls back, G follows again; other keys are not its own', () => {
    const store = createOpsStore(undefined, { overlay: 'output', output: panel });
    expect(panelLines(panel)).toHaveLength(31);
    expect(outputPanelKey(store, 'k', 10)).toBe(true);
    expect(store.getState().ui.output!.scroll).toBe(20);
    outputPanelKey(store, 'g', 10);
    expect(store.getState().ui.output!.scroll).toBe(0);
    outputPanelKey(store, 'G', 10);
    expect(store.getState().ui.output!.scroll).toBeNull();
    expect(outputPanelKey(store, '2', 10)).toBe(false);
    expect(outputPanelKey(store, 'escape', 10)).toBe(true);
    expect(store.getState().ui.overlay).toBe('none');
  });
});
