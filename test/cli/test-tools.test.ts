// The step `npm test` and .ci/run begin with: on a machine without tmux or sshd it installs them (as
// root) or stops at once naming the one command to run, instead of 100 tests failing on ENOENT; the
// same for the daemonless systemctl the SSH tests unpack.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-tools.sh', import.meta.url));
// A PATH with the shell and `id` only: tmux, ssh-keygen and pgbench are hidden.
const bare = mkdtempSync(join(tmpdir(), 'opsdeck-bare-path-'));
for (const tool of ['sh', 'id']) symlinkSync(`/usr/bin/${tool}`, join(bare, tool));
afterAll(() => rmSync(bare, { recursive: true, force: true }));

function run(env: NodeJS.ProcessEnv) {
  return spawnSync('/bin/sh', [SCRIPT], { env, encoding: 'utf8', timeout: 10_000 });
}

describe('scripts/test-tools.sh', () => {
  it('with every tool present, passes at once and says nothing', () => {
    const result = run({ PATH: process.env.PATH });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('with the tools hidden and no install allowed, stops at once with the one command that installs them', () => {
    const result = run({ PATH: bare, OPSDECK_SSHD: '/nonexistent/sshd', OPSDECK_NO_INSTALL: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('test tools: the tests need tmux openssh-server openssh-client postgresql-contrib; install with: sudo apt-get install -y --no-install-recommends tmux openssh-server openssh-client postgresql-contrib');
  });

  it('without the daemonless systemctl and no install allowed, stops at once with the commands that fetch it', () => {
    const result = run({ PATH: process.env.PATH, OPSDECK_TEST_SYSTEMCTL: '/nonexistent/systemctl', OPSDECK_NO_INSTALL: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "test tools: the SSH tests need Debian's daemonless systemctl unpacked (not installed); fetch it with: mkdir -p /nonexistent/systemctl/deb && cd /nonexistent/systemctl/deb && apt-get download systemctl && dpkg -x systemctl_*.deb /nonexistent/systemctl/root",
    );
  });

  it('without the Prometheus parts and no install allowed, stops at once with the commands that fetch them', () => {
    const result = run({ PATH: process.env.PATH, OPSDECK_TEST_PROMETHEUS: '/nonexistent/prometheus', OPSDECK_NO_INSTALL: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "test tools: the Prometheus tests need Debian's prometheus, prometheus-node-exporter and prometheus-alertmanager unpacked (not installed); fetch it with: mkdir -p /nonexistent/prometheus/deb && cd /nonexistent/prometheus/deb && apt-get download prometheus prometheus-node-exporter prometheus-alertmanager && for deb in *.deb; do dpkg -x $deb /nonexistent/prometheus/root; done",
    );
  });
});
