// Seeded random draws for property tests: mulberry32, so a seed replays the same cases on any machine.
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** Text from the corners of Unicode a config can carry: controls, escapes, bidi, wide, astral, lone surrogates. */
  unicode(maxLength: number): string {
    const ranges: [number, number][] = [
      [0x20, 0x7e],
      [0x00, 0x1f],
      [0x7f, 0x9f],
      [0xa0, 0x2ff],
      [0x202a, 0x202e],
      [0x4e00, 0x4e80],
      [0xd800, 0xdfff],
      [0xfeff, 0xfeff],
      [0xfffd, 0xfffd],
      [0x1f600, 0x1f64f],
    ];
    let text = '';
    for (let i = this.int(0, maxLength); i > 0; i--) {
      const [low, high] = this.pick(ranges);
      text += String.fromCodePoint(this.int(low, high));
    }
    return text;
  }
}
