// Splits a byte stream into lines: multi-byte characters survive chunk boundaries and a line that
// never ends (a megabyte of JSON, a binary file) is cut instead of growing memory without bound.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxPending = 64 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) {
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      this.onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    }
    if (this.partial.length > this.maxPending) {
      // Emit what fits; the rest of this line is dropped up to its newline.
      if (!this.discarding) this.onLine(this.partial.slice(0, this.maxPending));
      this.partial = '';
      this.discarding = true;
    }
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length > 0 && !this.discarding) this.onLine(rest);
    this.discarding = false;
  }
}
