import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseProcessProbe, parseResourceProbe, ProbeError, ProcessRates, programName, ResourceRates, sampleProcesses } from '../../src/services/ssh/probe.js';

// Output of RESOURCE_PROBE and PROCESS_PROBE captured on a Debian 12 machine (2 cores), a second apart
// with load between. processes-1/2.txt: a copy of dash named busy-loop (pid 29805) spinning, and a
// copy of sleep named "a) b (c" (pid 29820), while the machine was saturated by other work.
const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const first = fixture('resources-1.txt');
const second = fixture('resources-2.txt');

function withNet(output: string, eth0: [number, number]): string {
  return output.replace(/^\s*eth0:.*$/m, `  eth0: ${eth0[0]} 10 0 0 0 0 0 0 ${eth0[1]} 10 0 0 0 0 0 0`);
}

describe('resource probe parser', () => {
  test('reads memory, load, uptime and the disks an operator can fill, from real output', () => {
    const reading = parseResourceProbe(first);
    expect(reading.cpu).toHaveLength(3);
    expect(reading.memory.totalBytes).toBe(24684084 * 1024);
    expect(reading.memory.usedBytes).toBeGreaterThan(0);
    expect(reading.memory.usedPercent).toBeLessThan(100);
    expect(reading.load.every((n) => Number.isFinite(n))).toBe(true);
    expect(reading.uptimeSec).toBeGreaterThan(0);
    // tmpfs and devtmpfs left out, as the local collector does.
    expect(reading.disks.map((d) => d.mount)).toEqual(['/']);
    expect(reading.disks[0]).toMatchObject({ fs: '/dev/vda', type: 'ext4', usedPercent: 23 });
    expect(reading.net.has('lo')).toBe(false);
  });

  test('CPU percent and net rates come from the difference between two readings over the host\'s own clock', () => {
    const rates = new ResourceRates();
    const before = parseResourceProbe(withNet(first, [1000, 5000]));
    const after = parseResourceProbe(withNet(second, [1000 + 2_000_000, 5000 + 100_000]));
    rates.next(before);
    const sample = rates.next(after);
    const seconds = after.uptimeSec - before.uptimeSec;
    expect(sample.net.rxBytesPerSec).toBeCloseTo(2_000_000 / seconds, 3);
    expect(sample.net.txBytesPerSec).toBeCloseTo(100_000 / seconds, 3);
    const busy = after.cpu[0]!.busy - before.cpu[0]!.busy;
    const total = after.cpu[0]!.total - before.cpu[0]!.total;
    expect(sample.cpu.totalPercent).toBeCloseTo((busy / total) * 100, 6);
    expect(sample.cpu.perCorePercent).toHaveLength(2);
    expect(sample.cpu.totalPercent).toBeGreaterThan(0);
  });

  test('first reading: CPU since boot, no network rate; a counter reset counts as nothing, not negative', () => {
    const rates = new ResourceRates();
    const firstSample = rates.next(parseResourceProbe(withNet(first, [9_000_000, 9_000_000])));
    expect(firstSample.net).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0 });
    expect(firstSample.cpu.totalPercent).toBeGreaterThanOrEqual(0);
    const reset = rates.next(parseResourceProbe(withNet(second, [100, 100])));
    expect(reset.net).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0 });
  });

  test('a host that rebooted between readings starts over instead of showing garbage', () => {
    const rates = new ResourceRates();
    rates.next(parseResourceProbe(second));
    const rebooted = rates.next(parseResourceProbe(first));
    expect(rebooted.net).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0 });
  });

  test('mount points with spaces, old kernels without MemAvailable', () => {
    const output = first
      .replace(/^MemAvailable:.*\n/m, '')
      .replace(/^\/dev\/vda .*$/m, '/dev/vda ext4 1000 250 750 25% /\n/dev/sdb1 xfs 2000 1000 1000 50% /mnt/my data');
    const reading = parseResourceProbe(output);
    expect(reading.disks.map((d) => d.mount)).toEqual(['/', '/mnt/my data']);
    expect(reading.memory.usedBytes).toBeGreaterThan(0);
  });

  test('output cut short, or a section missing, is an error rather than zeros', () => {
    expect(() => parseResourceProbe(first.slice(0, first.indexOf('@df')))).toThrow(ProbeError);
    expect(() => parseResourceProbe(first.replace(/@meminfo[\s\S]*?@loadavg/, '@loadavg'))).toThrow(/meminfo/);
    expect(() => parseResourceProbe('@end\n')).toThrow(ProbeError);
  });
});

describe('process probe parser and rates', () => {
  const one = fixture('processes-1.txt');
  const two = fixture('processes-2.txt');
  const BUSY = 29805;
  const ODD = 29820;

  test('reads who each process is from ps and its CPU ticks from /proc/PID/stat, names with ") (" kept whole', () => {
    const reading = parseProcessProbe(two);
    expect(reading.processes.size).toBeGreaterThan(100);
    expect(reading.processes.get(BUSY)).toEqual({ ppid: 29799, user: 'root', name: 'busy-loop', memBytes: 1556 * 1024, ticks: 55 });
    expect(reading.processes.get(ODD)).toMatchObject({ name: 'a) b (c', ticks: 0 });
    // user + nice + system + idle + iowait + irq + softirq + steal of every CPU.
    expect(reading.totalTicks).toBe(300709 + 0 + 74268 + 101743 + 1352 + 0 + 1011 + 4621);
  });

  test('a process is listed under its program, not the name Node gives its main thread; titles, kernel threads and tmux keep theirs', () => {
    // Captured on this machine with the probe as it is (node processes under vitest, PostgreSQL, tmux).
    const { processes } = parseProcessProbe(fixture('processes-with-args.txt'));
    const names = [...processes.values()].map((p) => p.name);
    expect(names).not.toContain('MainThread');
    expect(processes.get(13936)?.name).toBe('node');
    expect(processes.get(2197)?.name).toBe('postgres');
    expect(processes.get(25240)?.name).toBe('tmux: server');
    expect(processes.get(2)?.name).toBe('kthreadd');
  });

  test('program names: a login shell\'s dash and a title\'s colon dropped; a comm cut at 15 characters kept', () => {
    expect(programName('MainThread', '/usr/bin/node /srv/app/server.js')).toBe('node');
    expect(programName('bash', '-bash')).toBe('bash');
    expect(programName('sshd', 'sshd: root@pts/0')).toBe('sshd');
    expect(programName('systemd-journal', '/lib/systemd/systemd-journald')).toBe('systemd-journal');
    expect(programName('npm ci', 'npm ci')).toBe('npm ci');
    expect(programName('kworker/0:1', '[kworker/0:1]')).toBe('kworker/0:1');
  });

  test('CPU % is the ticks a process used over the ticks every CPU passed, between two readings', () => {
    const rates = new ProcessRates();
    const first = rates.next(parseProcessProbe(one));
    expect(first.byCpu.every((p) => p.cpuPercent === 0)).toBe(true);
    const sample = rates.next(parseProcessProbe(two));
    const busy = [...sample.byCpu, ...sample.byMemory].find((p) => p.pid === BUSY);
    // 30 of the 249 ticks both CPUs passed: the loop shared a saturated machine.
    expect(busy?.cpuPercent).toBeCloseTo((30 / 249) * 100, 5);
    expect(sample.byCpu[0]!.cpuPercent).toBeGreaterThanOrEqual(sample.byCpu[1]!.cpuPercent);
    expect(sample.byMemory[0]!.memBytes).toBeGreaterThanOrEqual(sample.byMemory[1]!.memBytes);
    expect(sample.byCpu.length).toBeLessThanOrEqual(15);
  });

  test('leaves out the probe itself and its children', () => {
    const self = Number(/^@self (\d+)/m.exec(two)![1]);
    const sample = new ProcessRates().next(parseProcessProbe(two));
    const reading = parseProcessProbe(two);
    const own = [...reading.processes].filter(([pid, p]) => pid === self || p.ppid === self).map(([pid]) => pid);
    expect(own.length).toBeGreaterThan(0);
    expect([...sample.byCpu, ...sample.byMemory].some((p) => own.includes(p.pid))).toBe(false);
  });

  test('a pid seen again with fewer ticks is a new process: all its ticks count', () => {
    const rates = new ProcessRates();
    const reading = (ticks: number, total: number) => `@self 1\n@cpu\ncpu  ${total} 0 0 0 0 0 0 0 0 0\n@ps\n  42   7 www-data  2048 worker\n@ticks\n42 ${ticks} 0\n@end\n`;
    rates.next(parseProcessProbe(reading(500, 1000)));
    expect(rates.next(parseProcessProbe(reading(50, 1200))).byCpu[0]).toMatchObject({ pid: 42, cpuPercent: 25 });
  });

  test('after a pause in sampling (the list off screen), the next sample reads twice: its CPU % is the last moment\'s, not the pause\'s average', async () => {
    const rates = new ProcessRates();
    // A worker busy all through a ten-minute pause, then idle: 60,000 of 120,000 ticks over the pause, none since.
    const reading = (total: number, ticks: number) => `@self 1\n@cpu\ncpu  ${total} 0 0 0 0 0 0 0 0 0\n@ps\n  42   7 www-data  2048 worker\n@ticks\n42 ${ticks} 0\n@end\n`;
    const readings = [reading(1000, 500), reading(1050, 500), reading(121_050, 60_500), reading(121_100, 60_500)];
    let read = 0;
    const next = async () => parseProcessProbe(readings[read++]!);
    await sampleProcesses(next, rates);
    expect(read).toBe(2);
    rates.forget();
    const resumed = await sampleProcesses(next, rates);
    expect(read).toBe(4);
    // Measured against the reading before the pause it would say 50 %.
    expect(resumed.byCpu[0]).toMatchObject({ pid: 42, cpuPercent: 0 });
  });

  test('an empty ps is an error, not an empty list', () => {
    expect(() => parseProcessProbe('@self 1\n@cpu\ncpu  1 0 0 0 0 0 0 0\n@ps\n@ticks\n@end\n')).toThrow(/procps/);
  });
});
