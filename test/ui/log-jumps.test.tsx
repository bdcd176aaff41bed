// e/E in Logs as the operator reads the result: the error jumped to is highlighted with the lines after
// it (a traceback's frames and its exception) in view, not left as the last row of the window.
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataState } from '../../src/app/store.js';
import { fleetConfig, fleetData, NOW } from '../helpers/fixtures.js';
import { renderApp, type AppHarness } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';
import { waitFor } from '../helpers/wait.js';

let app: AppHarness | undefined;
afterEach(() => app?.unmount());
const { text, lineWith, plainLine } = screenReader(() => app!.frame());

const INVERSE = '\u001b[7m';

/** local's log as these texts, as a file log keeps them: the level is what their words say, found when shown. */
function withLog(texts: readonly string[]): DataState {
  const data = fleetData();
  const [key, view] = Object.entries(data.logs)[0]!;
  const lines = texts.map((t, i) => ({ seq: i + 1, at: NOW + i, text: t, count: 1 }));
  return { ...data, logs: { [key]: { ...view, lines } } };
}

function traceback(frame: (n: number) => string): string[] {
  return [
    ...Array.from({ length: 30 }, (_, i) => `GET /api/items/${i} 200`),
    'ERROR Traceback (most recent call last):',
    frame(12),
    frame(40),
    frame(57),
    'ValueError: 不正な値',
    ...Array.from({ length: 20 }, (_, i) => `GET /api/after/${i} 200`),
  ];
}

/** The log lines on screen, top to bottom, as the pane's rows after the frame's top border. */
function logRows(): string[] {
  const rows = text().split('\n');
  return rows.slice(rows.findIndex((r) => r.includes('╭─ Logs')) + 1, rows.findIndex((r) => r.includes('╰')));
}

/** What the header's PAUSED should say: the lines after the last one on screen. */
function pausedAfter(texts: readonly string[]): string {
  const last = logRows().at(-1)!;
  const newer = texts.length - 1 - texts.findLastIndex((t) => last.includes(t));
  return newer > 0 ? `PAUSED +${newer}` : 'PAUSED';
}

describe('jumping to an error in Logs at 80x24', () => {
  const texts = traceback((n) => `  File "app.py", line ${n}, in handle`);

  it('E shows the error line highlighted a third from the top, its traceback below it in view', async () => {
    app = await renderApp(fleetConfig(), withLog(texts), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    // "ValueError: …" is an error too: the first E lands on it, the second on the traceback's head.
    await app.press('E', 'E');
    expect(lineWith('ERROR Traceback')).toContain(INVERSE);
    expect(text()).toContain('File "app.py", line 57, in handle');
    expect(text()).toContain('ValueError: 不正な値');
    expect(lineWith('ValueError')).not.toContain(INVERSE);
    const at = logRows().findIndex((r) => r.includes('ERROR Traceback'));
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThanOrEqual(logRows().length / 3);
    expect(plainLine('╭─ Logs')).toContain(pausedAfter(texts));
    expect(plainLine('╭─ Logs')).toMatch(/PAUSED \+\d+/);
  });

  it('j then scrolls on by one line from there, and G follows the tail again', async () => {
    app = await renderApp(fleetConfig(), withLog(texts), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    await app.press('E', 'E');
    const before = logRows();
    await app.press('j');
    expect(lineWith('line 12, in handle')).toContain(INVERSE);
    expect(logRows().slice(0, -1)).toEqual(before.slice(1));
    expect(plainLine('╭─ Logs')).toContain(pausedAfter(texts));
    await app.press('G');
    expect(plainLine('╭─ Logs')).toContain('FOLLOW');
    expect(text()).toContain('GET /api/after/19 200');
  });

  it('with WRAP on and wide frames, the error line and the exception under it are both on screen', async () => {
    const wide = traceback((n) => `  File "app.py", line ${n}, in 検証: 入力された値を検査して不正なら例外を送出する処理の途中 ${'値'.repeat(20)}`);
    app = await renderApp(fleetConfig(), withLog(wide), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    await app.press('r', 'E', 'E');
    expect(plainLine('╭─ Logs')).toContain('WRAP PAUSED');
    expect(lineWith('ERROR Traceback')).toContain(INVERSE);
    // Whole, from its mark: the window does not start inside it.
    expect(stripVTControlCharacters(lineWith('ERROR Traceback'))).toMatch(/✖ ERROR Traceback/);
    expect(text()).toContain('line 57, in 検証');
    expect(text()).toContain('ValueError: 不正な値');
    expect(plainLine('╭─ Logs')).toContain(pausedAfter(wide));
  });
});

describe('the top of the log in Logs at 80x24', () => {
  const texts = [...Array.from({ length: 60 }, (_, i) => `GET /api/items/${i + 1} 200`)];
  texts[2] = 'WARN slow request /api/items/3';
  texts[39] = 'WARN slow request /api/items/40';

  it('g selects the first line, so w finds the warning on the first page, not one past it', async () => {
    app = await renderApp(fleetConfig(), withLog(texts), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    await app.press('g');
    expect(logRows()[0]).toContain('GET /api/items/1 200');
    expect(lineWith('GET /api/items/1 200')).toContain(INVERSE);
    expect(logRows().every((row) => /\S/.test(row.slice(1, -1)))).toBe(true);
    await app.press('w');
    expect(lineWith('WARN slow request /api/items/3')).toContain(INVERSE);
    expect(logRows()[0]).toContain('GET /api/items/1 200');
  });

  it('a paused window whose lines the buffer has dropped since shows a full page of the oldest lines kept', async () => {
    app = await renderApp(fleetConfig(), withLog(texts), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    await app.press('k', 'k', 'k', 'k', 'k');
    expect(plainLine('╭─ Logs')).toContain('PAUSED +5');
    // The log runs on and its buffer keeps only the newest 100 lines: the anchored one is gone.
    app.store.setState((s) => {
      const [key, view] = Object.entries(s.data.logs)[0]!;
      const lines = Array.from({ length: 100 }, (_, i) => ({ seq: 201 + i, at: NOW + 200 + i, text: `line ${201 + i}`, count: 1 }));
      return { ...s, data: { ...s.data, logs: { [key]: { ...view, lines } } } };
    });
    await waitFor('the log run on', () => text().includes('line 201'));
    const rows = logRows();
    expect(rows[0]).toContain('line 201');
    expect(rows.every((row) => /line \d+/.test(row))).toBe(true);
    expect(plainLine('╭─ Logs')).toContain(`PAUSED +${100 - rows.length}`);
  });
});

describe('the Logs title with no log', () => {
  it('says FOLLOW after one space, not after a gap where a source would be', async () => {
    app = await renderApp(fleetConfig(), { ...fleetData(), logs: {} }, { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    expect(plainLine('╭─ Logs')).toMatch(/─ FOLLOW ─╮$/);
  });
});

describe('the Logs title with a long filter', () => {
  const texts = Array.from({ length: 40 }, (_, i) => `ERROR payment failed order=${i + 1}`);

  it('keeps the source and FOLLOW or PAUSED, the filter cut short', async () => {
    app = await renderApp(fleetConfig(), withLog(texts), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    const label = plainLine('╭─ Logs').replace(/^╭─ Logs ─+ /, '').replace(/ FOLLOW ─╮$/, '');
    const filter = 'order=(4|8|12|16|20|24|28|32|36|40)$|after rotation|timeout|refused';
    await app.press('/', ...filter, '\r');
    expect(text()).toContain("failed order=40");
    expect(plainLine('╭─ Logs')).toMatch(new RegExp(`^╭─ Logs ─+ ${label} /order=\\(4\\|8[^ ]*… FOLLOW ─╮$`));
    await app.press('k');
    expect(plainLine("╭─ Logs")).toMatch(/… PAUSED ─╮$/);
  });
});

/** local's logs, each as [label, lines' texts], merged: the lines take seqs in turn, one log's after another's. */
function mergedLogs(logs: readonly (readonly [string, readonly string[]])[]): DataState {
  const data = fleetData();
  const [key, view] = Object.entries(data.logs)[0]!;
  let seq = 0;
  const views = logs.map(([label, texts], i) => [i === 0 ? key : `${key}:${i}`, { ...view, label, lines: texts.map((text) => ({ seq: ++seq, at: NOW + seq, text, count: 1 })) }] as const);
  return { ...data, logs: Object.fromEntries(views) };
}

const SAME_NAME = [
  ['/var/log/nginx/error.log', ['upstream timed out']],
  ['/var/log/php-fpm/error.log', ['child exited on signal 9']],
] as const;

describe('logs of one host merged', () => {
  it('each line says which log it is from, by file name, the texts starting in one column', async () => {
    const data = fleetData();
    const [key, view] = Object.entries(data.logs)[0]!;
    const app1 = { ...view, lines: [{ seq: 1, at: NOW, text: 'GET /api/plans 200', count: 1 }, { seq: 3, at: NOW + 2, text: 'ERROR 決済がタイムアウト 🔥', count: 1 }] };
    const worker = { ...view, label: 'worker', lines: [{ seq: 2, at: NOW + 1, text: 'INFO job 7 done', count: 1 }] };
    app = await renderApp(fleetConfig(), { ...data, logs: { [key]: app1, [`${key}:worker`]: worker } }, { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    const rows = logRows().map((row) => stripVTControlCharacters(row));
    const file = view.label.slice(view.label.lastIndexOf('/') + 1);
    const at = (text: string) => rows.find((r) => r.includes(text))!;
    expect(at('GET /api/plans')).toContain(`${file} GET /api/plans 200`);
    expect(at('job 7')).toContain(`worker${' '.repeat(Math.max(0, file.length - 6))} INFO job 7 done`);
    expect(at('GET /api/plans').indexOf('GET')).toBe(at('job 7').indexOf('INFO'));
    expect(at('決済')).toMatch(/ERROR 決済がタイムアウト 🔥 *│$/);
  });

  it('two files of one name are told apart by the end of their paths that differs', async () => {
    app = await renderApp(fleetConfig(), mergedLogs(SAME_NAME), { columns: 80, rows: 24, ui: { host: 'local', focus: 'logs' } });
    expect(text()).toContain('nginx/error.log   upstream timed out');
    expect(text()).toContain('php-fpm/error.log child exited on signal 9');
  });

  it('on a narrow screen the tags are cut in the middle, so the part that tells them apart stays', async () => {
    app = await renderApp(fleetConfig(), mergedLogs(SAME_NAME), { columns: 40, rows: 12, ui: { host: 'local', focus: 'logs' } });
    const tagOf = (text: string) => logRows().find((row) => row.includes(text))!.slice(3).split(/ {1,}(?=upstream|child)/)[0]!.trim();
    expect(tagOf('upstream')).toMatch(/^ngin.*…/);
    expect(tagOf('child')).toMatch(/^php-.*…/);
    expect(tagOf('upstream')).not.toBe(tagOf('child'));
  });
});
