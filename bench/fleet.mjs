// What watching a fleet through Prometheus costs opsdeck: Debian's node_exporter scraped under N
// instance labels (10 racks) by Debian's Prometheus at a 15 s interval (test/harness/prometheus.ts),
// and the real cockpit (bench/idle.mjs: tmux 200x50, its CPU time and RSS from /proc) reading that
// fleet at a 15 s refresh. Also counts the queries Prometheus answered per tick (its own
// prometheus_http_requests_total), to show they do not grow with the fleet.
//
//   npm run bench:fleet               # 500 hosts, 60 s measured after a 30 s warm-up
//   npm run bench:fleet -- 50 500     # other sizes
//
// Needs the unpacked Debian packages (sh scripts/test-tools.sh) and a build (npm run build).
import { execFile } from 'node:child_process';
import { register } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

// The harness is TypeScript whose imports say .js: map them to the .ts files.
register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw error;
  }
}`)}`,
);
const { startNodeExporter, startPrometheus, waitForTargets } = await import('../test/harness/prometheus.ts');

for (const size of sizes.length > 0 ? sizes : [500]) {
  const dir = await mkdtemp(join(tmpdir(), 'opsdeck-bench-fleet-'));
  const node = await startNodeExporter([{ name: 'app.service', state: 'active' }]);
  const instances = Array.from({ length: size }, (_, i) => ({ name: `node-${String(i + 1).padStart(3, '0')}`, rack: `r${String(i % 10).padStart(2, '0')}` }));
  const prometheus = await startPrometheus({ nodePort: node.port, scrapeInterval: '15s', instances });
  try {
    await waitForTargets(prometheus.url, size, 1, 120_000);
    const config = join(dir, 'opsdeck.yaml');
    await writeFile(config, `refresh: 15s\ndatabases: {}\nhosts:\n  local: {local: true}\nprometheus:\n  url: ${prometheus.url}\n  groupLabel: rack\n  timeout: 10s\n`);
    const before = await prometheus.requests('/api/v1/query');
    const started = Date.now();
    const { stdout } = await run(process.execPath, [join(ROOT, 'bench/idle.mjs'), '--config', config, '--refresh', '15s', '--seconds', '60', '--warmup', '30'], { cwd: ROOT });
    const seconds = (Date.now() - started) / 1000;
    const queries = (await prometheus.requests('/api/v1/query')) - before;
    console.log(JSON.stringify({ hosts: size, ...JSON.parse(stdout.trim()), instantQueries: queries, ticks: Math.floor(seconds / 15) + 1 }));
  } finally {
    await prometheus.close();
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
