// A writer of access-log traffic at a known rate and mix, in nginx's combined format.
import { appendFileSync } from 'node:fs';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** nginx's $time_local, in UTC. */
export function timeLocal(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * Appends `perSecond` lines for each second from the next whole second on, for `seconds` seconds, each
 * batch when its second begins and stamped with it, as nginx stamps a request with the second it ended.
 */
export async function writeTraffic(path: string, seconds: number, statusOf: (i: number) => number, perSecond = 20): Promise<void> {
  const first = Math.ceil(Date.now() / 1000) * 1000;
  for (let s = 0; s < seconds; s++) {
    const at = first + s * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
    const batch = Array.from({ length: perSecond }, (_, i) => `10.0.0.${i % 4} - - [${timeLocal(at)}] "GET /api/p${i % 3}?q=${i} HTTP/1.1" ${statusOf(i)} 12 "-" "loadgen/1.0"\n`);
    appendFileSync(path, batch.join(''));
  }
}

/** 20 requests a second: 14 × 200, 4 × 404, 2 × 503, so 10 % are 5xx. */
export const TEN_PERCENT_5XX = (i: number): number => (i < 14 ? 200 : i < 18 ? 404 : 503);

export const within1Percent = (shown: number, expected: number): boolean => Math.abs(shown - expected) <= expected * 0.01;
