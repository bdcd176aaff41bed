// A log follower as a source that pushes: its lines go into a bounded buffer, read once per flush.
import type { LogLine } from '../../../domain/model.js';
import { LogBuffer, type LineOrigin } from '../../../services/logs/buffer.js';
import type { LogStream } from '../../../services/logs/stream.js';
import type { Followed } from '../kind.js';

/** `origin`: the host and the label its view shows, stamped on each line. */
export function followLog(stream: LogStream, capacity: number, maxLineLength: number, origin: LineOrigin): Followed<readonly LogLine[]> {
  let buffer: LogBuffer | undefined;
  return {
    start: ({ changed, state }) => {
      const fresh = new LogBuffer(capacity, maxLineLength, origin);
      buffer = fresh;
      stream.start({
        line: (text, level) => {
          fresh.append(text, Date.now(), level);
          changed();
        },
        mark: (text) => {
          fresh.mark(text);
          changed();
        },
        state,
      });
    },
    take: () => buffer?.takeSnapshot(),
    stop: () => stream.stop(),
  };
}
