// 2 Log follow: one writer appends numbered lines to a file at 10k, 50k and 100k lines/s for 20 s
// while opsdeck (Logs pane), lnav and tail -F follow the same file, each in its own terminal. Then it
// writes a marker line: its arrival on each screen says how far behind the screen was, and lines
// written ÷ (arrival − start) how many lines a second the tool kept up with. The visible lines' numbers
// must run on without a gap. CPU of each tree over the writer's 20 s; RSS every 2 s.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fixed, load, sleep, table } from '../lib/report.mjs';
import { Terminal } from '../lib/terminal.mjs';
import { ensureTools, lnav, opsdecks, ROOT, tailF } from '../lib/tools.mjs';

const run = promisify(execFile);
/** How long a tool may take to show the marker after the writer stops. */
const MARKER_WAIT_MS = 30_000;

/** Whether the numbered lines on screen run on without a gap (lines cut short or wrapped are skipped). */
function gaps(screen) {
  const seqs = [...screen.matchAll(/seq=(\d+) x{40}/g)].map((m) => Number(m[1]));
  let missing = 0;
  for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1] + 1) missing++;
  return { seen: seqs.length, missing };
}

export async function logs({ rates = [10_000, 50_000, 100_000], seconds = 20, warmup = 5 } = {}) {
  ensureTools(['lnav', 'tail']);
  const rows = [];
  for (const rate of rates) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-logs-'));
    const file = join(dir, 'app.log');
    writeFileSync(file, `${new Date().toISOString()} INFO bench start\n`);
    const config = `hosts: {local: {local: true, logs: [{file: ${JSON.stringify(file)}}]}}\ndatabases: {}\n`;
    const terminals = [...opsdecks('opsdeck', { config }), lnav(file), tailF(file)].map((t) => new Terminal(t));
    try {
      await sleep(warmup * 1000);
      // opsdeck: the Logs pane, focused and following.
      const marker = `BENCHMARK-END-${rate}-${process.pid}`;
      const arrivals = terminals.map((t) => t.waitForOutput(marker, seconds * 1000 + MARKER_WAIT_MS));
      const loadBefore = load();
      const cpu0 = terminals.map((t) => t.cpuSeconds());
      const rss = terminals.map((t) => [t.rssMiB()]);
      const sampler = setInterval(() => terminals.forEach((t, i) => rss[i].push(t.rssMiB())), 2000);
      const writer = run(process.execPath, [join(ROOT, 'bench/lib/log-writer.mjs'), file, String(rate), String(seconds), marker]);
      const t0 = performance.now();
      const { stdout } = await writer;
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = terminals.map((t, i) => ((t.cpuSeconds() - cpu0[i]) / elapsed) * 100);
      const { startedAt, written, markerAt } = JSON.parse(stdout);
      const arrived = await Promise.all(arrivals);
      clearInterval(sampler);
      const loadAfter = load();
      terminals.forEach((t, i) => {
        const at = arrived[i];
        const { seen, missing } = gaps(t.screen());
        const lag = at === undefined ? undefined : at - markerAt;
        const kept = at === undefined ? (written - 0) / (seconds + MARKER_WAIT_MS / 1000) : Math.min(rate, written / ((at - startedAt) / 1000));
        rows.push([
          rate.toLocaleString('en'),
          t.name,
          at === undefined ? `< ${fixed(kept, 0)}` : fixed(kept, 0),
          lag === undefined ? `not shown in ${MARKER_WAIT_MS / 1000} s` : fixed(lag, 0),
          missing === 0 ? `none (${seen} seen)` : `${missing} gaps in ${seen}`,
          fixed(cpu[i], 1),
          `${fixed(rss[i][0], 0)} → ${fixed(Math.max(...rss[i]), 0)} → ${fixed(rss[i].at(-1), 0)}`,
          `${loadBefore}→${loadAfter}`,
        ]);
      });
      console.error(`logs ${rate}/s: ${rows.slice(-terminals.length).map((r) => `${r[1]} lag ${r[3]} ms cpu ${r[5]} %`).join(', ')}`);
    } finally {
      for (const t of terminals) t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    title: 'Log follow',
    text: `One writer, ${seconds} s per rate, the three followers at once (each in its own tmux server, 200x50), ${warmup} s after they started. "Kept up" is lines written ÷ (marker on screen − writer start), at most the rate; "behind" is the marker's arrival on screen after it was written; "gaps" counts breaks in the numbered lines on the final screen; RSS is first → peak → last sample (every 2 s).\n\n${table(['lines/s written', 'tool', 'kept up (lines/s)', 'screen behind (ms)', 'gaps on screen', 'CPU % of one core', 'RSS MiB', 'load'], rows)}`,
  };
}
