// Appends numbered lines to a file at a steady rate (batches every 10 ms), then one marker line, and
// prints when it started, how many lines it wrote and when the marker was written (Date.now()).
//   node bench/lib/log-writer.mjs FILE LINES_PER_SECOND SECONDS MARKER
import { closeSync, openSync, writeSync } from 'node:fs';

const [file, rateArg, secondsArg, marker] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const fd = openSync(file, 'a');
const startedAt = Date.now();
const t0 = performance.now();
let written = 0;
const pad = 'x'.repeat(40);
while (performance.now() - t0 < seconds * 1000) {
  const due = Math.min(rate * seconds, Math.floor(((performance.now() - t0) / 1000) * rate));
  if (due > written) {
    let chunk = '';
    const stamp = new Date().toISOString();
    for (; written < due; ) chunk += `${stamp} INFO bench seq=${++written} ${pad}\n`;
    writeSync(fd, chunk);
  }
  await new Promise((r) => setTimeout(r, 10));
}
const markerAt = Date.now();
writeSync(fd, `${new Date(markerAt).toISOString()} INFO ${marker}\n`);
closeSync(fd);
console.log(JSON.stringify({ startedAt, written, markerAt }));
