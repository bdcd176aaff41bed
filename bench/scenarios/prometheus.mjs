// 6 A fleet through Prometheus: Debian's node_exporter scraped under N instance labels (10 racks) by
// Debian's Prometheus at a 15 s interval (test/harness/prometheus.ts, unpacked by
// scripts/test-tools.sh), and the real cockpit reading that fleet at a 15 s refresh, in a terminal of
// its own (200x50): its CPU and RSS over the window, and the queries Prometheus answered meanwhile
// (its own prometheus_http_requests_total), which must not grow with N.
import { opsdecks } from '../lib/tools.mjs';
import { fixed, load, sleep, table } from '../lib/report.mjs';
import { Terminal } from '../lib/terminal.mjs';

import '../lib/ts-harness.mjs';
const { startNodeExporter, startPrometheus, waitForTargets } = await import('../../test/harness/prometheus.ts');

export async function prometheus({ sizes = [50, 500], warmup = 30, seconds = 60 } = {}) {
  const rows = [];
  const figures = [];
  for (const size of sizes) {
    const node = await startNodeExporter([{ name: 'app.service', state: 'active' }]);
    const instances = Array.from({ length: size }, (_, i) => ({ name: `node-${String(i + 1).padStart(3, '0')}`, rack: `r${String(i % 10).padStart(2, '0')}` }));
    const server = await startPrometheus({ nodePort: node.port, scrapeInterval: '15s', instances });
    try {
      await waitForTargets(server.url, size, 1, 120_000);
      const config = `refresh: 15s\ndatabases: {}\nhosts:\n  local: {local: true}\nprometheus:\n  url: ${server.url}\n  groupLabel: rack\n  timeout: 10s\n`;
      const [terminal] = opsdecks(`opsdeck, ${size} hosts from Prometheus`, { config, refresh: '15s' }).map((t) => new Terminal(t));
      try {
        await sleep(warmup * 1000);
        const loadBefore = load();
        const cpu = terminal.cpuSeconds();
        const queries = await server.requests('/api/v1/query');
        const at = performance.now();
        const rss = [];
        for (let s = 0; s < seconds; s++) {
          await sleep(1000);
          rss.push(terminal.rssMiB());
        }
        const elapsed = (performance.now() - at) / 1000;
        const row = { size, cpu: ((terminal.cpuSeconds() - cpu) / elapsed) * 100, rssMin: Math.min(...rss), rssMax: Math.max(...rss), queries: (await server.requests('/api/v1/query')) - queries, ticks: elapsed / 15, load: [loadBefore, load()] };
        figures.push(row);
        rows.push([String(size), fixed(row.cpu, 2), `${fixed(row.rssMin, 0)}–${fixed(row.rssMax, 0)}`, `${row.queries} in ${fixed(row.ticks, 1)} ticks`, row.load.join('→')]);
        console.error(`prometheus ${size} hosts: ${fixed(row.cpu)} %, ${fixed(row.rssMax, 0)} MiB, ${row.queries} queries`);
      } finally {
        terminal.stop();
      }
    } finally {
      await server.close();
      await node.stop();
    }
  }
  return {
    title: 'A fleet through Prometheus',
    text: `opsdeck at a 15 s refresh reading N node_exporter targets (15 s scrapes) from Prometheus, ${warmup} s warm-up then ${seconds} s, 200x50\n\n${table(['hosts', 'CPU % of one core', 'RSS MiB (min–max)', 'instant queries answered', 'load before→after'], rows)}`,
    figures,
  };
}
