// A log follower as a source that pushes: its lines go into a bounded buffer, read once per flush,
// and through the log's meters (access metrics, rules), read once a second.
import { LogMeters, type LogMetricsSample } from '../../../domain/log-meters.js';
import type { LogLines, LogMeasures } from '../../../domain/model.js';
import { LogBuffer, type LineOrigin } from '../../../services/logs/buffer.js';
import type { LogStream } from '../../../services/logs/stream.js';
import type { Followed } from '../kind.js';

export interface LogResult {
  /** The buffer's lines, when some arrived since the last take. */
  lines?: LogLines;
  /** What the meters read, at most once a second: each read is one sample for the hold ticks. */
  metrics?: LogMetricsSample;
}

/** Meters are read this often, lines or not: a window slides, and an alert clears, on a quiet log too. */
const METRICS_EVERY_MS = 1000;

/** `origin`: the host and the label its view shows, stamped on each line. */
export function followLog(stream: LogStream, capacity: number, maxLineLength: number, origin: LineOrigin, measures: LogMeasures = {}): Followed<LogResult> {
  let buffer: LogBuffer | undefined;
  let meters: LogMeters | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let readSecond = -1;
  return {
    start: ({ changed, state }) => {
      const fresh = new LogBuffer(capacity, maxLineLength, origin);
      buffer = fresh;
      const measured = LogMeters.of(measures);
      meters = measured;
      if (measured) {
        ticker = setInterval(changed, METRICS_EVERY_MS);
        ticker.unref();
      }
      stream.start({
        line: (text, level) => {
          const now = Date.now();
          fresh.append(text, now, level);
          measured?.line(text, now);
          changed();
        },
        bytes: (source, start, end) => {
          const now = Date.now();
          fresh.appendBytes(source, start, end, now);
          measured?.line(source.toString('utf8', start, end), now);
          changed();
        },
        mark: (text) => {
          fresh.mark(text);
          changed();
        },
        state,
      });
    },
    ...(stream.pull ? { pull: stream.pull.bind(stream) } : {}),
    take: () => {
      const lines = buffer?.takeSnapshot();
      const now = Date.now();
      const second = Math.floor(now / 1000);
      let metrics: LogMetricsSample | undefined;
      if (meters && second !== readSecond) {
        readSecond = second;
        metrics = meters.read(now);
      }
      if (!lines && !metrics) return undefined;
      return { ...(lines ? { lines } : {}), ...(metrics ? { metrics } : {}) };
    },
    stop: () => {
      clearInterval(ticker);
      stream.stop();
    },
  };
}
