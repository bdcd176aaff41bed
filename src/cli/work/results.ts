// A command's results: a table for people (host, what was acted on, outcome, message) or one JSON
// object for scripts; the exit status is 0 only when every step ran and was verified.
import type { StepResult } from '../../app/operation-runner.js';

/** What each step acted on, as its column is headed ("unit", "path"). */
export interface Subject {
  name: string;
  of(step: StepResult): string;
}

const COLOURS: Record<StepResult['outcome'], string> = { ok: '32', failed: '31', refused: '31', 'not-found': '31', cancelled: '33', skipped: '2' };

export const succeeded = (results: readonly StepResult[]): boolean => results.length > 0 && results.every((r) => r.outcome === 'ok');

export function resultTable(results: readonly StepResult[], subject: Subject, colour: boolean): string {
  // The host has its column: "web-1: app.service restarted..." reads "app.service restarted..." there.
  const rows = results.map((r) => [r.host, subject.of(r), r.outcome, r.message.startsWith(`${r.host}: `) ? r.message.slice(r.host.length + 2) : r.message]);
  const header = ['HOST', subject.name.toUpperCase(), 'RESULT', 'MESSAGE'];
  // Host and unit names are ASCII by the config's grammar, so their length is their width.
  const widths = [0, 1, 2].map((column) => Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[], outcome?: StepResult['outcome']) =>
    cells
      .map((cell, column) => {
        const padded = column < 3 ? cell.padEnd(widths[column]!) : cell;
        return column === 2 && outcome && colour ? `\u001b[${COLOURS[outcome]}m${padded}\u001b[0m` : padded;
      })
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map((row, index) => line(row, results[index]!.outcome))].join('\n')}\n`;
}

export function resultJson(command: string, results: readonly StepResult[], subject: Subject): unknown {
  return {
    command,
    ok: succeeded(results),
    results: results.map((r) => ({ host: r.host, [subject.name]: subject.of(r), outcome: r.outcome, message: r.message, auditId: r.id ?? null })),
  };
}
