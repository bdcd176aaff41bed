// The programs measured beside opsdeck, each started the way a user would start it, with a home of
// its own (no user config read, none written), and opsdeck itself through bin/opsdeck.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellQuote } from './terminal.mjs';

export const ROOT = join(import.meta.dirname, '../..');
const PACKAGES = { htop: 'htop', btop: 'btop', glances: 'glances', lnav: 'lnav', tail: 'coreutils' };

/** Installs the reference tools from Debian's packages when missing (as root), else says how. */
export function ensureTools(names) {
  const missing = names.filter((n) => {
    try {
      execFileSync('sh', ['-c', `command -v ${n}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.map((n) => PACKAGES[n]).join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`the benchmark needs ${missing.join(', ')}: sudo ${command}`);
  console.error(`bench: installing ${missing.join(', ')}`);
  execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${command} -qq`], { stdio: 'inherit' });
}

const homes = [];
// Removed when the bench ends, however it ends.
process.on('exit', () => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A fresh home with XDG dirs, so no tool reads or changes the user's own config. */
export function freshHome(name) {
  const home = mkdtempSync(join(tmpdir(), `bench-home-${name.replace(/[^\w-]+/g, '_')}-`));
  homes.push(home);
  for (const d of ['.config', '.local/state']) mkdirSync(join(home, d), { recursive: true });
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.local/state') };
}

/**
 * Another build of opsdeck to measure beside this one in the same run (`--baseline DIR`: a checkout
 * with its own dist/, e.g. the commit before a change), for before/after figures on a noisy machine.
 */
export const BASELINE = process.env.OPSDECK_BENCH_BASELINE;

/** This tree's opsdeck, and the baseline's beside it when there is one (named "… (baseline)"). */
export function opsdecks(name, options) {
  return [opsdeck(name, options), ...(BASELINE ? [opsdeck(`${name} (baseline)`, { ...options, root: BASELINE })] : [])];
}

/** opsdeck through its launcher; `config` is YAML text, or undefined for no config (the default). */
export function opsdeck(name, { config, refresh = '1s', env = {}, root = ROOT } = {}) {
  const home = freshHome(name);
  let flags = `--refresh ${refresh}`;
  if (config !== undefined) {
    const file = join(home.HOME, 'config.yaml');
    writeFileSync(file, config);
    flags += ` --config ${shellQuote(file)}`;
  }
  // HOME stays the user's: database discovery and ssh look there, as they would for the user.
  return { name, command: `${join(root, 'bin/opsdeck')} ${flags}`, env: { XDG_CONFIG_HOME: home.XDG_CONFIG_HOME, XDG_STATE_HOME: home.XDG_STATE_HOME, ...env } };
}

export function htop() {
  return { name: 'htop -d 10', command: 'htop -d 10', env: freshHome('htop') };
}

export function btop() {
  const env = freshHome('btop');
  mkdirSync(join(env.XDG_CONFIG_HOME, 'btop'), { recursive: true });
  writeFileSync(join(env.XDG_CONFIG_HOME, 'btop/btop.conf'), 'update_ms = 1000\n');
  return { name: 'btop (update_ms 1000)', command: 'btop', env };
}

export function glances() {
  return { name: 'glances -t 1', command: 'glances -t 1', env: freshHome('glances') };
}

export function lnav(file) {
  return { name: 'lnav', command: `lnav ${shellQuote(file)}`, env: freshHome('lnav') };
}

export function tailF(file) {
  return { name: 'tail -F', command: `tail -F ${shellQuote(file)}`, env: {} };
}
