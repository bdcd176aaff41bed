// opsdeck's own CPU and memory, for the status bar: an on-call tool must not be the load it reports.

export class SelfMeter {
  private lastCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();

  sample(): { cpuPercent: number; rssBytes: number } {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = process.hrtime.bigint();
    const elapsedMicros = Number(now - this.lastAt) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return { cpuPercent: elapsedMicros > 0 ? ((cpu.user + cpu.system) / elapsedMicros) * 100 : 0, rssBytes: process.memoryUsage.rss() };
  }
}
