// Runbook links in a real terminal (tmux): a failing check names its runbook beside it; `o` hands
// the terminal to $PAGER (a stub that records its arguments and the terminal's state) at the heading,
// and the cockpit comes back when the pager ends.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAUNCHER } from '../helpers/cli.js';
import { TmuxTerminal } from '../helpers/tmux.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from '../harness/ports.js';

const terminals: TmuxTerminal[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runbook links', () => {
  it('opens the failing check\'s runbook in $PAGER at its heading, on a cooked terminal, and restores the cockpit after', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-runbook-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'api.md'), '# API\n\nintro\n\n## 再起動 (restart the API)\n\n1. systemctl restart garden-backend\n');
    // The stub pager: its arguments one per line, whether it has the terminal and the terminal's line mode.
    const pager = join(dir, 'pager.sh');
    writeFileSync(pager, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${dir}/args\n[ -t 0 ] && [ -t 1 ] && echo tty >> ${dir}/args\nstty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo >> ${dir}/args\n`);
    chmodSync(pager, 0o755);
    // Nothing listens there: the check fails with "connection refused".
    const port = await freePort();
    writeFileSync(
      join(dir, 'config.yaml'),
      ['refresh: 1s', 'hosts: {here: {local: true, services: [], logs: []}}', 'databases: {}', `checks: {api: {http: "http://127.0.0.1:${port}/health", host: here, timeout: 1s, runbook: "runbooks/api.md#再起動-restart-the-api"}}`].join('\n'),
    );
    const term = new TmuxTerminal(`PAGER=${pager} OPSDECK_AUDIT_LOG=${dir}/audit.jsonl XDG_STATE_HOME=${dir}/state XDG_CONFIG_HOME=${dir}/xdg ${LAUNCHER} --config ${dir}/config.yaml`, 160, 40, join(dir, 'exit-code'));
    terminals.push(term);
    await term.waitForScreen((s) => s.includes('▸ o runbook'), 'the runbook beside the failing check', 30_000);
    term.keys('o');
    await waitFor('the pager to run', () => existsSync(join(dir, 'args')) && readFileSync(join(dir, 'args'), 'utf8').includes('echo'), 15_000);
    expect(readFileSync(join(dir, 'args'), 'utf8').split('\n')).toEqual([
      '+/^## 再起動 \\(restart the API\\)',
      join(dir, 'runbooks', 'api.md'),
      'tty',
      'icanon',
      'echo',
      '',
    ]);
    // The pager ended: the cockpit is back, in its alternate screen, still answering keys.
    const back = await term.waitForScreen((s) => s.includes('runbook for check api:') && s.includes('Hosts'), 'the cockpit back with the runbook named');
    expect(back).toContain('api.md#再起動-restart-the-api');
    expect(term.modes().alternateScreen).toBe(true);
    term.keys('?');
    await term.waitForScreen((s) => s.includes('open the selected failing item'), 'help, listing the runbook key');
    term.keys('Escape');
    await term.waitForScreen((s) => !s.includes('open the selected failing item'), 'help closed');
    term.keys('q');
    expect(await term.exitCode(30_000)).toBe(0);
  });
});
