// A terminal of any size for ink in tests: bytes typed as a terminal sends them, the last frame drawn,
// and ink's own flush to wait on (React's work done, the frame written) instead of a fixed pause.
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';

/** What ink reads keys from: each write is one chunk, as one read() of a real tty returns it. */
class Keyboard extends EventEmitter {
  readonly isTTY = true;
  private chunk: string | null = null;

  type(data: string): void {
    this.chunk = data;
    this.emit('readable');
  }

  read = (): string | null => {
    const chunk = this.chunk;
    this.chunk = null;
    return chunk;
  };

  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface InkTerminal {
  /** The last frame ink wrote ('' before the first). */
  lastFrame(): string;
  /** Every frame ink wrote, in order. */
  readonly frames: readonly string[];
  /** Sends bytes as one chunk from the terminal; ink handles them before this returns, except a lone ESC (below). */
  type(data: string): void;
  /** Resolves once React has done the work queued so far and ink has written its frame. */
  flush(): Promise<void>;
  unmount(): void;
}

export function inkTerminal(tree: ReactElement, size: { columns: number; rows: number } = { columns: 100, rows: 50 }): InkTerminal {
  const frames: string[] = [];
  const stdout = Object.assign(new EventEmitter(), {
    ...size,
    isTTY: false,
    // ink's flush writes '' and waits for the callback.
    write: (frame: string, callback?: () => void) => {
      if (frame !== '') frames.push(frame);
      callback?.();
      return true;
    },
  });
  const keyboard = new Keyboard();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    stdin: keyboard as unknown as NodeJS.ReadStream,
    // Every frame written as it is drawn, none held back by the frame-rate limit.
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    lastFrame: () => frames.at(-1) ?? '',
    frames,
    type: (data) => keyboard.type(data),
    flush: () => instance.waitUntilRenderFlush(),
    unmount: () => instance.unmount(),
  };
}
