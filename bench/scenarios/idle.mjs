// 1 Idle: opsdeck (this machine only, and the default config) beside htop, btop and glances, all
// started at once in terminals of their own (200x50, 1 s refresh), so every tool sees the same load;
// after the warm-up, the CPU of each process tree and its RSS over the window. Repeated with fresh
// starts; medians, and opsdeck's ratio to glances taken within each repetition.
import { btop, ensureTools, glances, htop, opsdecks } from '../lib/tools.mjs';
import { fixed, load, median, sleep, table } from '../lib/report.mjs';
import { Terminal } from '../lib/terminal.mjs';

export const LOCAL_ONLY = 'hosts: {local: {local: true}}\ndatabases: {}\n';

export async function idle({ reps = 3, warmup = 5, seconds = 30 } = {}) {
  ensureTools(['htop', 'btop', 'glances']);
  const tools = () => [...opsdecks('opsdeck, this machine only', { config: LOCAL_ONLY }), ...opsdecks('opsdeck, default config'), glances(), btop(), htop()];
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    const terminals = tools().map((t) => new Terminal(t));
    try {
      await sleep(warmup * 1000);
      const loadBefore = load();
      const start = terminals.map((t) => ({ cpu: t.cpuSeconds(), bytes: t.bytes, at: performance.now() }));
      const rss = terminals.map(() => []);
      for (let s = 0; s < seconds; s++) {
        await sleep(1000);
        terminals.forEach((t, i) => rss[i].push(t.rssMiB()));
      }
      const row = terminals.map((t, i) => {
        const elapsed = (performance.now() - start[i].at) / 1000;
        return { name: t.name, cpu: ((t.cpuSeconds() - start[i].cpu) / elapsed) * 100, rssMin: Math.min(...rss[i]), rssMax: Math.max(...rss[i]), bytesPerSecond: (t.bytes - start[i].bytes) / elapsed };
      });
      runs.push({ load: [loadBefore, load()], row });
      console.error(`idle ${rep + 1}/${reps}: ${row.map((r) => `${r.name} ${fixed(r.cpu)} %`).join(', ')} (load ${loadBefore})`);
    } finally {
      for (const t of terminals) t.stop();
    }
  }
  const names = runs[0].row.map((r) => r.name);
  const glancesAt = names.indexOf('glances -t 1');
  const rows = names.map((name, i) => {
    const of = runs.map((r) => r.row[i]);
    const ratio = median(runs.map((r) => r.row[i].cpu / r.row[glancesAt].cpu));
    return [name, fixed(median(of.map((r) => r.cpu)), 2), of.map((r) => fixed(r.cpu, 1)).join(' · '), `${fixed(Math.min(...of.map((r) => r.rssMin)), 0)}–${fixed(Math.max(...of.map((r) => r.rssMax)), 0)}`, fixed(median(of.map((r) => r.bytesPerSecond)), 0), fixed(ratio, 2)];
  });
  const loads = runs.map((r) => r.load.join('→')).join(', ');
  return {
    title: 'Idle',
    text: `${reps} repetitions, all the tools at once in each, ${warmup} s warm-up then ${seconds} s; load average (1 min) before→after each: ${loads}\n\n${table(['tool', 'CPU % of one core (median)', 'each run', 'RSS MiB (min–max)', 'bytes/s to the terminal', 'CPU ÷ glances (median of runs)'], rows)}`,
    figures: runs,
  };
}
