// 4 Keys under load: the cockpit watching SSH hosts (scenario 3) while it follows a log written at
// 50k lines/s (scenario 2). A key (`?`, the help overlay) is sent to its terminal and timed until the
// overlay's first bytes reach the terminal; the overlay is closed (Escape) and, once it is gone from
// the screen, the next key follows after 200-400 ms. Presses stop after 60 s (the whole run keeps to
// 10 minutes; under a load of 100 each press that is never drawn waits out its 5 s twice). With
// --baseline the other build is pressed the same way right after.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixed, load, percentile, sleep, table } from '../lib/report.mjs';
import { startFleet } from '../lib/ssh-fleet.mjs';
import { Terminal } from '../lib/terminal.mjs';
import { opsdecks, ROOT } from '../lib/tools.mjs';

/** A line only the help overlay draws. */
const HELP_TITLE = 'Everywhere';
/** How long the presses may take in all. */
const PRESSES_MS = 60_000;
/** The longest one press can take: 5 s for the overlay to show, 5 s for it to go. */
const PRESS_MAX_MS = 10_000;

export async function keys({ presses = 20, hosts = 50, rate = 50_000 } = {}) {
  const fleet = await startFleet(Math.min(10, hosts));
  const dir = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  const file = join(dir, 'app.log');
  writeFileSync(file, 'start\n');
  const config = await fleet.config(hosts, `  local: {local: true, logs: [{file: ${JSON.stringify(file)}}]}\n`);
  const rows = [];
  try {
    // With --baseline, the other build is pressed right after, on the same hosts and log (one at a time: they would share the cores).
    for (const tool of opsdecks('opsdeck', { config, refresh: '2s' })) rows.push(await pressUnderLoad(tool, { presses, hosts, rate, file }));
    return {
      title: 'Keys under load',
      text: `opsdeck (200x50, 2 s refresh) watching ${hosts} SSH hosts and this machine, whose log gets ${rate.toLocaleString('en')} lines/s; \`?\` sent with tmux send-keys, timed to the help overlay's first bytes on the terminal.\n\n${table(['build', 'SSH hosts', 'log lines/s', `presses sent (${PRESSES_MS / 1000} s at most)`, 'shown', 'p50 ms', 'p99 ms', 'max ms', 'not shown in 5 s', 'load'], rows)}`,
    };
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One build's presses, with the log written at `rate` while they run. */
async function pressUnderLoad(tool, { presses, hosts, rate, file }) {
  const terminal = new Terminal(tool);
  const latencies = [];
  let missed = 0;
  let writer;
  try {
    await sleep(10_000);
    const loadBefore = load();
    // Longer than the presses take: it is stopped once they are done.
    writer = execFile(process.execPath, [join(ROOT, 'bench/lib/log-writer.mjs'), file, String(rate), '600', 'END'], () => undefined);
    await sleep(3000);
    const started = Date.now();
    let sent = 0;
    for (; sent < presses && Date.now() - started <= PRESSES_MS - PRESS_MAX_MS; sent++) {
      const shown = terminal.waitForOutput(HELP_TITLE, 5000);
      const pressedAt = Date.now();
      terminal.keys('?');
      const at = await shown;
      if (at === undefined) missed++;
      else latencies.push(at - pressedAt);
      terminal.keys('Escape');
      await terminal.waitForScreen((s) => !s.includes(HELP_TITLE), 5000);
      await sleep(200 + Math.random() * 200);
    }
    const row = [tool.name, String(hosts), rate.toLocaleString('en'), `${sent} of ${presses}`, String(latencies.length), fixed(percentile(latencies, 50), 0), fixed(percentile(latencies, 99), 0), fixed(Math.max(...latencies), 0), String(missed), `${loadBefore}→${load()}`];
    console.error(`keys: ${row.join(' | ')}`);
    return row;
  } finally {
    writer?.kill();
    terminal.stop();
  }
}
