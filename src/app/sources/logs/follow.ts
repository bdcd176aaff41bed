// A log follower as a source that pushes: its lines go into a bounded buffer, read once per flush.
import type { LogLine } from '../../../domain/model.js';
import { LogBuffer } from '../../../services/logs/buffer.js';
import type { LogStream } from '../../../services/logs/stream.js';
import type { Followed } from '../kind.js';

export function followLog(stream: LogStream, capacity: number, maxLineLength: number): Followed<readonly LogLine[]> {
  let buffer: LogBuffer | undefined;
  return {
    start: ({ changed, state }) => {
      const fresh = new LogBuffer(capacity, maxLineLength);
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
